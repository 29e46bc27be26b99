/**
 * What each built-in plugin costs at start: its prebuilt bundle (`npm run build`) imported alone in a fresh process,
 * after the modules every plugin shares (zod, the plugin API's npm packages) are loaded — so the figure is that
 * plugin's own weight (its npm dependencies, mostly). Heavy dependencies a plugin loads lazily do not show here, which
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
  await import('zod'); await import('pino');
  global.gc?.(); const r0 = process.memoryUsage().rss; const t = performance.now();
  try { await import(process.argv[1]); } catch {}
  const ms = performance.now() - t; global.gc?.();
  console.log(ms.toFixed(1), ((process.memoryUsage().rss - r0) / 1048576).toFixed(1));`;

const results = files.map((f) => {
  const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', probe, path.join(dir, f)], { cwd: ROOT, encoding: 'utf8' });
  const [ms, mb] = r.stdout.trim().split(' ').map(Number);
  return { name: f.replace(/-[0-9a-f]{16}\.mjs$/, ''), ms, mb };
});
results.sort((a, b) => b.mb - a.mb);
const total = results.reduce((s, r) => s + (r.mb || 0), 0);
printTable(
  'built-in plugins: import cost at start (each alone, after zod + pino)',
  [...results.map((r) => [r.name, `${r.mb.toFixed(1)} MB`, `${r.ms.toFixed(0)} ms`] as [string, string, string]), ['all plugins, sum', `${total.toFixed(0)} MB`, '']],
);
recordFigure({ key: 'footprint.plugins.rssSum', what: 'built-in plugins, RSS added at import (sum)', value: total, unit: 'MB', better: 'lower' });
