// `npm test`: every suite on the default (lowdb files) store, then the suites listed in `tests/postgres.suites` again
// on PostgreSQL. The PostgreSQL server comes from TEST_DATABASE_URL (an admin URL; CI starts a throwaway cluster and
// sets it); without it a throwaway cluster is started here with scripts/pg-cluster.sh and removed afterwards, so the
// PostgreSQL tests never skip. Arguments (globs or files) replace the default globs of the first pass.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runnerFlags = ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=180000'];
const defaultGlobs = ['tests/**/*.test.ts', 'core/**/*.test.ts'];

function postgresSuites() {
  return readFileSync(path.join(root, 'tests/postgres.suites'), 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean);
}

function startCluster() {
  const dir = mkdtempSync(path.join(tmpdir(), 'aion-test-pg-'));
  rmdirSync(dir);
  const started = spawnSync('bash', [path.join(root, 'scripts/pg-cluster.sh'), 'start', dir], { encoding: 'utf8' });
  if (started.status !== 0) {
    process.stderr.write(started.stderr);
    console.error('npm test needs PostgreSQL for the PostgreSQL suites: set TEST_DATABASE_URL or install postgresql.');
    process.exit(1);
  }
  return { url: started.stdout.trim(), stop: () => spawnSync('bash', [path.join(root, 'scripts/pg-cluster.sh'), 'stop', dir]) };
}

function run(globs, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...runnerFlags, ...globs], { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const cluster = process.env.TEST_DATABASE_URL ? undefined : startCluster();
const databaseUrl = process.env.TEST_DATABASE_URL ?? cluster.url;
const stop = () => cluster?.stop();
process.on('SIGINT', () => { stop(); process.exit(130); });

const args = process.argv.slice(2);
let code = await run(args.length ? args : defaultGlobs, { TEST_DATABASE_URL: databaseUrl });
if (!args.length) {
  console.log('\n# the same suites on PostgreSQL (TEST_STORE_DRIVER=postgres)\n');
  const second = await run(postgresSuites(), { TEST_DATABASE_URL: databaseUrl, TEST_STORE_DRIVER: 'postgres' });
  code = code || second;
}
stop();
process.exit(code);
