/**
 * A/B of the peak RSS of 1,000 concurrent open streams (issue #16's row), alternating: each round starts a fresh
 * server of each side (ABBA order), opens 1,000 streams against a slow stand-in at once and samples the server's RSS
 * every 50 ms. Sides as in ab-ttft.ts: `AB="base@/tmp/aion-base=;new="`, `ROUNDS=4`, `STREAMS=1000`. From the sources
 * through tsx by default; `BUNDLE=1` builds each side's bundle (`dist/` in its tree) and starts it as the container
 * does (npm start's V8 flags, MALLOC_ARENA_MAX=2) — the chat bench's figure. Prints each side's median and, per
 * other side, the median of the paired differences (each round's other − first: same moment, same load) and their range.
 */
import { readFileSync } from 'node:fs';
import { startFakeOpenAI } from '../../tests/fakes/index.ts';
import { startServer, ROOT } from '../../tests/helpers/server.ts';
import { buildServer, startBundledServer } from './bundled-server.ts';
import { percentile } from './stats.ts';

const rss = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const sides = (process.env.AB ?? 'A=;B=X=1').split(';').map((s) => {
  const [label] = s.split('=');
  const [name, root] = label.split('@');
  const kv = s.slice(label.length + 1);
  return { name, root: root || undefined, env: Object.fromEntries((kv ? [kv.split('=')] : []) as any) as Record<string, string>, peaks: [] as number[] };
});
const ROUNDS = Number(process.env.ROUNDS ?? 4);
const STREAMS = Number(process.env.STREAMS ?? 1000);
const BUNDLE = process.env.BUNDLE === '1';
/** `SERVER_ENV='{"NODE_OPTIONS":"--import ./scripts/bench/mem-trace.mjs","MEM_TRACE_FILE":"/tmp/m"}'`: for every server. */
const SERVER_ENV: Record<string, string> = JSON.parse(process.env.SERVER_ENV ?? '{}');
if (BUNDLE) for (const side of sides) buildServer(side.root ?? ROOT);

const fake = await startFakeOpenAI({ blocks: [{ type: 'text', text: 'slow '.repeat(20) }], chunkSize: 5, delayMs: 250 });

/** One side's round: a fresh server, STREAMS streams opened at once, read to their end; the server's peak RSS. */
async function hold(side: (typeof sides)[number]): Promise<number> {
  const env = { ...fake.env, ...SERVER_ENV, ...side.env };
  const s = BUNDLE ? await startBundledServer({ ...env, MALLOC_ARENA_MAX: '2' }, side.root ?? ROOT) : await startServer({ env, root: side.root });
  const { token } = await s.signup();
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rss(s.child.pid!))), 50);
  const results = await Promise.allSettled(
    Array.from({ length: STREAMS }, async () => {
      const res = await fetch(`${s.url}/api/chat/stream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ provider: 'openai', model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
      });
      const text = await res.text();
      if (res.status !== 200 || !text.includes('"done"')) throw new Error(`HTTP ${res.status}`);
    }),
  );
  clearInterval(sampler);
  await s.dispose();
  const failed = results.filter((r) => r.status === 'rejected').length;
  if (failed) console.log(`${side.name}: ${failed} streams failed`);
  return peak;
}

for (let i = 0; i < ROUNDS; i++) {
  const order = i % 2 ? [...sides].reverse() : sides;
  for (const side of order) side.peaks.push(await hold(side));
}
for (const side of sides) {
  console.log(`${side.name}${side.root ? `@${side.root}` : ''} peak RSS median ${percentile(side.peaks, 50).toFixed(0)} MB (${side.peaks.map((p) => p.toFixed(0)).join(', ')}) over ${ROUNDS} rounds${BUNDLE ? ', bundle' : ', tsx'}`);
}
for (const side of sides.slice(1)) {
  const d = side.peaks.map((p, i) => p - sides[0].peaks[i]);
  // The median proper (mean of the two middle ones for an even count; `percentile` takes the lower one).
  const sorted = [...d].sort((a, b) => a - b);
  const median = (sorted[(sorted.length - 1) >> 1] + sorted[sorted.length >> 1]) / 2;
  console.log(`${side.name} − ${sides[0].name}: paired median ${median.toFixed(1)} MB, range ${Math.min(...d).toFixed(1)} … ${Math.max(...d).toFixed(1)} MB (${d.map((x) => x.toFixed(0)).join(', ')})`);
}
await fake.close();
