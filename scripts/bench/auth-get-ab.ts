/**
 * The authenticated GET (`GET /api/bench/ping`, Bearer JWT, a plugin route) of two source trees, A/B: one server per
 * tree, both running all the time, load rounds alternating old/new (autocannon in this process, 50 connections), and
 * the server's CPU per request from /proc (user + system) — the steadier figure on a loaded machine.
 * Run: `node --import tsx scripts/bench/auth-get-ab.ts <old tree> <new tree>` (`BENCH_PAIRS`, `BENCH_SECONDS`).
 */
import path from 'node:path';
import autocannon from 'autocannon';
import { pluginsDir, writePlugin } from '../../tests/helpers/plugins.ts';
import { percentile, processCpuMs } from './stats.ts';

const [oldTree, newTree] = process.argv.slice(2).map((p) => path.resolve(p));
if (!oldTree || !newTree) throw new Error('usage: auth-get-ab.ts <old tree> <new tree>');
const PAIRS = Number(process.env.BENCH_PAIRS ?? 6);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);

const cannon = (opts: autocannon.Options): Promise<autocannon.Result> =>
  new Promise((resolve, reject) => autocannon(opts, (err, res) => (err ? reject(err) : resolve(res))));

const plugin = `export default { name: 'bench', version: '1', setup(ctx) { ctx.routes.get('/bench/ping', () => ({ ok: true, v: '1' })); } };`;

async function serverOf(tree: string) {
  const { startServer } = (await import(path.join(tree, 'tests/helpers/server.ts'))) as typeof import('../../tests/helpers/server.ts');
  const dir = pluginsDir();
  writePlugin(dir, 'bench', plugin);
  const s = await startServer({ env: { PLUGINS_DIRS: dir } });
  const { token } = await s.signup();
  const opts = { url: `${s.url}/api/bench/ping`, connections: 50, headers: { authorization: `Bearer ${token}` } };
  await cannon({ ...opts, duration: 3 }); // warm-up
  return {
    s,
    async round(): Promise<number> {
      const cpu = processCpuMs(s.child.pid);
      const r = await cannon({ ...opts, duration: SECONDS });
      if (r.non2xx || r.errors) throw new Error(`${tree}: ${r.non2xx} non-2xx, ${r.errors} errors`);
      return ((processCpuMs(s.child.pid) - cpu) * 1000) / Math.max(1, r.requests.total);
    },
  };
}

const a = await serverOf(oldTree);
const b = await serverOf(newTree);
const olds: number[] = [];
const news: number[] = [];
const diffs: number[] = [];
for (let i = 0; i < PAIRS; i++) {
  // Alternate which goes first, so a drift in machine load does not favour one side.
  let x: number;
  let y: number;
  if (i % 2 === 0) {
    x = await a.round();
    y = await b.round();
  } else {
    y = await b.round();
    x = await a.round();
  }
  olds.push(x);
  news.push(y);
  diffs.push(y - x);
  console.log(`pair ${i + 1}: old ${x.toFixed(1)} µs, new ${y.toFixed(1)} µs, new − old ${(y - x).toFixed(1)} µs`);
}
console.log(`${PAIRS} pairs: old median ${percentile(olds, 50).toFixed(1)} µs, new median ${percentile(news, 50).toFixed(1)} µs, paired median ${percentile(diffs, 50).toFixed(1)} µs, new lower in ${diffs.filter((d) => d < 0).length}/${PAIRS}`);
await a.s.dispose();
await b.s.dispose();
