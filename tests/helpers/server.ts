/**
 * Test harness: boots the real server as a child process (`node --import tsx core/main.ts`) on port 0 with a temporary
 * `DATA_DIR` and `ENV_FILE`, and talks to it over HTTP like any client.
 *
 * @example
 * const s = await startServer();
 * const admin = await s.signup();            // first account = admin
 * const r = await s.api('GET', '/api/auth/me', { token: admin.token });
 * await s.stop();
 *
 * With `TEST_STORE_DRIVER=postgres` (npm test's second pass) every server gets `DATABASE_URL` of a fresh database
 * (`createTestDatabase`), one per data directory: a restart, or a new server on the same `dataDir`, finds the same
 * data. The database is dropped by `dispose()`, or when the test process is done. `databaseUrl` starts a server on a
 * given database instead (two instances on one database); the harness never drops those.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createTestDatabase, onPostgresPass } from './pg.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

export interface StartOptions {
  env?: Record<string, string>;
  /** Reuse a data dir (restart tests). */
  dataDir?: string;
  envFile?: string;
  /** Run on this PostgreSQL database (`DATABASE_URL`), on either pass: e.g. two servers on one database and one dataDir. */
  databaseUrl?: string;
  /** Run the server of another source tree (a bench's baseline checkout); this tree's by default. */
  root?: string;
}

/** The test databases of this process, one per data directory (PostgreSQL pass only). */
const databases = new Map<string, Promise<{ url: string; drop: () => Promise<void> }>>();
let dropAllRegistered = false;

function databaseFor(dataDir: string): Promise<{ url: string; drop: () => Promise<void> }> {
  let db = databases.get(dataDir);
  if (!db) {
    db = createTestDatabase();
    databases.set(dataDir, db);
  }
  if (!dropAllRegistered) {
    dropAllRegistered = true;
    // When the test file is done: drop what no dispose() dropped (beforeExit lets this async work run).
    process.once('beforeExit', () => void dropAll());
  }
  return db;
}

async function dropDatabaseOf(dataDir: string): Promise<void> {
  const db = databases.get(dataDir);
  if (!db) return;
  databases.delete(dataDir);
  await (await db).drop();
}

async function dropAll(): Promise<void> {
  await Promise.allSettled([...databases.keys()].map((dir) => dropDatabaseOf(dir)));
}

let counter = 0;

export class TestServer {
  url = '';
  child!: ChildProcess;
  output = '';
  constructor(
    readonly dataDir: string,
    readonly envFile: string,
    readonly env: Record<string, string>,
    /** The source tree to run (benches compare another checkout's server with this one). */
    readonly root: string = ROOT,
  ) {}

  async boot(): Promise<this> {
    this.child = spawn(process.execPath, ['--import', 'tsx', path.join(this.root, 'core/main.ts')], {
      cwd: this.root,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        PORT: '0',
        HOST: '127.0.0.1',
        PLUGINS_WATCH: '0',
        DATA_DIR: this.dataDir,
        ENV_FILE: this.envFile,
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stderr!.on('data', (d) => (this.output += d));
    this.url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start in 30 s:\n${this.output}`)), 30_000);
      this.child.stdout!.on('data', (d) => {
        this.output += d;
        const m = /AION listening on (http:\/\/[^\s]+)/.exec(this.output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      this.child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`server exited with ${code}:\n${this.output}`));
      });
    });
    return this;
  }

  /** JSON request. */
  async api<T = any>(method: string, p: string, opts: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: string } = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.raw !== undefined) {
      body = opts.raw;
      headers['content-type'] ??= 'application/json';
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(this.url + p, { method, headers, body });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed, headers: res.headers, text };
  }

  /** Create an account; the first one of a server is the admin. */
  async signup(email = `user${++counter}-${Date.now()}@example.com`, password = 'correct horse battery'): Promise<{ token: string; user: any; email: string; password: string }> {
    const r = await this.api('POST', '/api/auth/signup', { body: { email, password } });
    if (r.status !== 201) throw new Error(`signup failed: ${r.status} ${r.text}`);
    return { token: r.body.token, user: r.body.user, email, password };
  }

  /** SIGTERM and wait. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(t);
  }

  /** SIGKILL now (crash tests). */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGKILL');
    await exited;
  }

  /** A new server process on the same data. */
  async restart(extraEnv: Record<string, string> = {}): Promise<TestServer> {
    await this.stop();
    return new TestServer(this.dataDir, this.envFile, { ...this.env, ...extraEnv }, this.root).boot();
  }

  /**
   * What this server stored at rest, as text: every file under its DATA_DIR, plus (on PostgreSQL) every row of the
   * document store as `store_documents:<collection>/<owner>/<part>/<id>` — for tests that look for secrets at rest.
   */
  async storedAtRest(): Promise<Array<{ file: string; text: string }>> {
    const out = filesUnder(this.dataDir);
    if (!this.env.DATABASE_URL) return out;
    const client = new pg.Client({ connectionString: this.env.DATABASE_URL });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT collection, owner, part, id, doc::text AS text FROM store_documents ORDER BY seq');
      for (const r of rows) out.push({ file: `store_documents:${r.collection}/${r.owner}/${r.part}/${r.id}`, text: r.text });
    } finally {
      await client.end();
    }
    return out;
  }

  /** Stop and delete the data. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
    await dropDatabaseOf(this.dataDir).catch(() => undefined); // only a database the harness made for this dataDir
  }
}

function filesUnder(dir: string): Array<{ file: string; text: string }> {
  const out: Array<{ file: string; text: string }> = [];
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...filesUnder(full));
    else out.push({ file: full, text: readFileSync(full, 'latin1') });
  }
  return out;
}

export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'aion-test-'));
  const envFile = opts.envFile ?? path.join(dataDir, 'test.env');
  const env = { ...opts.env };
  const databaseUrl = opts.databaseUrl ?? env.DATABASE_URL ?? (onPostgresPass() ? (await databaseFor(dataDir)).url : undefined);
  if (databaseUrl) {
    env.DATABASE_URL = databaseUrl;
    env.DATABASE_POOL_MAX ??= '4'; // many servers share one PostgreSQL in a test run
  }
  return new TestServer(dataDir, envFile, env, opts.root).boot();
}

export { readSse, type SseEvent } from './sse.ts';
