/**
 * What each built-in plugin costs at start: its prebuilt bundle (`npm run build`) imported alone in a fresh process,
 * after the modules the host has loaded anyway (zod, pino, koa, koa-body, @koa/router, and `node:http` as an ES module,
 * which loads undici for its `WebSocket` export) — so the figure is that plugin's own weight (its npm dependencies,
 * mostly), not a share of the host's. Heavy dependencies a plugin loads lazily do not show here, which
 * is the point. Prints milliseconds to import and RSS added, heaviest first.
 *
 * Run: `node --import tsx scripts/bench/footprint.ts`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../tests/helpers/server.ts';
import { printTable, recordFigure } from './stats.ts';

execFileSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs'), '--server-only'], { cwd: ROOT, stdio: 'ignore' });
const dir = path.join(ROOT, 'dist', 'plugin-cache');
const files = readdirSync(dir).filter((f) => f.endsWith('.mjs'));

/** Import `file` after the shared modules; prints `ms rssMB`. A plugin body that needs the host may throw: its imports have run by then. */
const probe = `
  for (const m of ['zod', 'pino', 'koa', 'koa-body', '@koa/router', 'node:http']) await import(m);
  global.gc(); const m0 = process.memoryUsage(); const t = performance.now();
  try { await import(process.argv[1]); } catch {}
  const ms = performance.now() - t; global.gc(); const m1 = process.memoryUsage();
  console.log(ms.toFixed(1), ((m1.rss - m0.rss) / 1048576).toFixed(1), ((m1.heapUsed - m0.heapUsed) / 1048576).toFixed(2));`;

const results = files.map((f) => {
  const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', probe, path.join(dir, f)], { cwd: ROOT, encoding: 'utf8' });
  const [ms, mb, heap] = r.stdout.trim().split(' ').map(Number);
  return { name: f.replace(/-[0-9a-f]{16}\.mjs$/, ''), ms, mb, heap };
});
// Heap kept after a full GC is the steady figure; RSS moves in whole pages and with the young generation's size.
results.sort((a, b) => b.heap - a.heap);
const total = results.reduce((s, r) => s + (r.mb || 0), 0);
const heapTotal = results.reduce((s, r) => s + (r.heap || 0), 0);
printTable(
  'built-in plugins: import cost at start (each alone, after the modules the host loads anyway)',
  [
    ...results.map((r) => [r.name, `heap ${r.heap.toFixed(2)} MB, RSS ${r.mb.toFixed(1)} MB`, `${r.ms.toFixed(0)} ms`] as [string, string, string]),
    ['all plugins, sum', `heap ${heapTotal.toFixed(1)} MB, RSS ${total.toFixed(0)} MB`, ''],
  ],
);
recordFigure({ key: 'footprint.plugins.heapSum', what: 'built-in plugins, heap kept after import (sum)', value: heapTotal, unit: 'MB', better: 'lower' });
recordFigure({ key: 'footprint.plugins.rssSum', what: 'built-in plugins, RSS added at import (sum)', value: total, unit: 'MB', better: 'lower' });
