/**
 * `npm run bench`: every benchmark in turn, each in its own process (so one's heap does not skew the next). Pass names
 * to run some: `npm run bench -- core chat-proxy`.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const ALL = ['core', 'openai-parse', 'chat-proxy', 'alin-messages', 'memory', 'memory-http', 'workspace', 'web', 'store-postgres', 'cluster'];
const wanted = process.argv.slice(2).filter((a) => ALL.includes(a));
let failed = 0;
for (const name of wanted.length ? wanted : ALL) {
  console.log(`\n### ${name}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(dir, `${name}.ts`)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
