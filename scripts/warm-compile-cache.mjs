// `npm run build`'s last step: start the fresh bundle once, with an empty data folder of its own and no outside
// services, so dist/compile-cache/ (core/bundle-entry.ts) holds the compiled code of the server, its packages and the
// prebuilt plugins before the first real start — also where the start cannot write it (a read-only container image).
// The V8 flags are `npm start`'s: V8 keeps its code cache per set of flags.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const WARM_TIMEOUT_MS = 60_000;
const FLUSH_WAIT_MS = 5_000;

/** How many cache entries `dir` holds (one file per module, in a folder per Node.js version and V8 flags). */
const entriesIn = (dir) => (existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length : 0);

/** Resolves with a line for the build's output; never rejects (a cold cache is slower, not broken). */
export async function warmCompileCache(root) {
  const started = performance.now();
  const startFlags = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts.start.split(/\s+/).filter((a) => a.startsWith('--'));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'aion-warm-'));
  // Only PATH and HOME from the caller: never the operator's DATABASE_URL, tokens or keys.
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, ENV_FILE: path.join(dataDir, '.env'), PORT: '0', HOST: '127.0.0.1', PLUGINS_WATCH: '0', LOG_LEVEL: 'error' };
  const child = spawn(process.execPath, [...startFlags, path.join(root, 'dist', 'server.mjs')], { cwd: root, env, stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const listening = await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), WARM_TIMEOUT_MS);
      let out = '';
      child.stdout.on('data', (chunk) => {
        out += chunk;
        if (out.includes('AION listening')) resolve(true); // the entry flushes the cache right after this line
      });
      child.once('exit', () => resolve(false));
      child.once('error', () => resolve(false));
    });
    // The entry writes the cache right after the listening line; give it that moment before stopping the server.
    const cacheDir = path.join(root, 'dist', 'compile-cache');
    for (const until = performance.now() + FLUSH_WAIT_MS; listening && entriesIn(cacheDir) === 0 && performance.now() < until;) await new Promise((r) => setTimeout(r, 20));
    const ms = Math.round(performance.now() - started);
    const entries = entriesIn(cacheDir);
    if (!listening || entries === 0) return 'compile cache: the warm-up start did not fill it; the first start will';
    return `compile cache: warmed by one start (${entries} modules, ${ms} ms)`;
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}
