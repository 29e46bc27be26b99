/**
 * Two AION instances on one PostgreSQL database and one DATA_DIR (and so one ENV_FILE and one JWT secret), as the
 * README tells operators to run them. Started one after the other (the second finds the migrations applied).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '../helpers/pg.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

export interface Pair {
  a: TestServer;
  b: TestServer;
  dataDir: string;
  databaseUrl: string;
  /** Another instance on the same database and folder. */
  another(env?: Record<string, string>): Promise<TestServer>;
  close(): Promise<void>;
}

export async function startPair(env: Record<string, string> = {}): Promise<Pair> {
  const db = await createTestDatabase();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'aion-cluster-'));
  const servers: TestServer[] = [];
  const another = async (extra: Record<string, string> = {}) => {
    const s = await startServer({ dataDir, databaseUrl: db.url, env: { ...env, ...extra } });
    servers.push(s);
    return s;
  };
  const a = await another();
  const b = await another();
  return {
    a, b, dataDir, databaseUrl: db.url, another,
    async close() {
      await Promise.all(servers.map((s) => s.stop()));
      rmSync(dataDir, { recursive: true, force: true });
      await db.drop();
    },
  };
}

/** Poll until `check` holds (short sleeps); fails with `what` after ~10 s. No timing is asserted, only the outcome. */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, what: string, rounds = 100): Promise<T> {
  for (let i = 0; i < rounds; i++) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`never happened: ${what}`);
}
