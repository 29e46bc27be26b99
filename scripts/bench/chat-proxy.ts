/**
 * Chat proxy overhead (issue: agent loop and chat dialects). A local stand-in OpenAI server streams a ~500-token answer;
 * the same client reads it (a) directly from the stand-in and (b) through `POST /api/chat/stream` (real SDK inside).
 * Prints time to first token and total time, p50/p99 at 100 concurrent streams, the added latency and the throughput
 * ratio; then holds 1,000 concurrent open streams and reports errors and server RSS, of the bundled server as users
 * run it and of the sources through tsx (the bundle step leaves `dist/`, as `npm run build` does).
 *
 * Run: `node --import tsx scripts/bench/chat-proxy.ts`.
 */
import { readFileSync } from 'node:fs';
import { createParser } from 'eventsource-parser';
import { startFakeOpenAI } from '../../tests/fakes/index.ts';
import { startServer, type TestServer } from '../../tests/helpers/server.ts';
import { buildServer, START_FLAGS, startBundledServer } from './bundled-server.ts';
import { percentile, printTable, recordFigure } from './stats.ts';

/**
 * `BENCH_PROFILE_DIR=dir` writes a CPU profile of each server started here into `dir` (open in Chrome DevTools);
 * `BENCH_MODES=burst` runs some modes only; `BENCH_SERVER_IMPORT=file.mjs` preloads a module into each server (e.g.
 * `scripts/bench/ttft-trace.mjs`, wall-clock marks of one stream at a time, written to `TRACE_FILE.<pid>`).
 */
const PROFILE: Record<string, string> = process.env.BENCH_PROFILE_DIR
  ? { NODE_OPTIONS: `--import ${new URL('./cpu-profile.mjs', import.meta.url).pathname}`, CPU_PROFILE_DIR: process.env.BENCH_PROFILE_DIR }
  : process.env.BENCH_SERVER_IMPORT ? { NODE_OPTIONS: `--import ${process.env.BENCH_SERVER_IMPORT}`, TRACE_FILE: process.env.TRACE_FILE ?? '' } : {};
const MODES = (process.env.BENCH_MODES ?? 'paced,burst,open').split(',');

const TEXT = Array.from({ length: 500 }, (_, i) => `tok${i % 97} `).join('');

interface Timing {
  ttft: number;
  total: number;
  chars: number;
}

/** POST and read an SSE stream; time to the first text delta and to the end. */
async function timeStream(url: string, body: unknown, headers: Record<string, string>, textOf: (data: any) => string | undefined): Promise<Timing> {
  const started = performance.now();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
  let ttft = 0;
  let chars = 0;
  const parser = createParser({
    onEvent: (e) => {
      if (e.data === '[DONE]') return;
      const t = textOf(JSON.parse(e.data));
      if (t) {
        if (!ttft) ttft = performance.now() - started;
        chars += t.length;
      }
    },
  });
  const decoder = new TextDecoder();
  for await (const chunk of res.body as any as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }));
  return { ttft, total: performance.now() - started, chars };
}

async function round(n: number, run: () => Promise<Timing>): Promise<Timing[]> {
  return Promise.all(Array.from({ length: n }, run));
}

/** CPU time (user + system) a process has used, ms — steadier than wall time on a shared machine. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (100/s)
}

function rss(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

/**
 * Two stand-in speeds: `paced` sends a frame every 2 ms (≈ 500 tokens/s, faster than any hosted model), `burst` sends
 * all 500 frames at once — the second measures the provider SDK's own stream parsing more than our proxy.
 */
async function measure(mode: 'paced' | 'burst', rows: Array<[string, string, string]>) {
  const fake = await startFakeOpenAI({ blocks: [{ type: 'text', text: TEXT }], chunkSize: 4, usage: { input: 20, output: 500 }, delayMs: mode === 'paced' ? 2 : 0 });
  const s = await startServer({ env: { ...fake.env, ...PROFILE } });
  const { token } = await s.signup(); // the admin: no plan limits
  const direct = () =>
    timeStream(`${fake.url}/v1/chat/completions`, { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] }, { authorization: 'Bearer sk-fake' }, (d) => d.choices?.[0]?.delta?.content);
  const proxied = () =>
    timeStream(`${s.url}/api/chat/stream`, { provider: 'openai', model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }, { authorization: `Bearer ${token}` }, (d) => (d.type === 'text_delta' ? d.text : undefined));

  // Warm up both paths (JIT, connection pools, SDK import).
  await round(10, direct);
  await round(10, proxied);
  // One stream at a time: the latency the proxy itself adds, without queueing behind other streams.
  const d1: Timing[] = [];
  const p1: Timing[] = [];
  for (let i = 0; i < 30; i++) {
    d1.push(await direct());
    p1.push(await proxied());
  }
  const med = (x: Timing[], f: (t: Timing) => number) => percentile(x.map(f), 50);
  if (mode === 'paced') {
    recordFigure({ key: 'chat.paced.one.addedTtft', what: 'added TTFT, one stream at a time (paced 2 ms/chunk)', value: med(p1, (t) => t.ttft) - med(d1, (t) => t.ttft), unit: 'ms', baseline: med(d1, (t) => t.ttft), target: '< 0.5 ms', better: 'lower' });
  }
  rows.push([`[${mode}] one stream at a time: added TTFT p50`, `${(med(p1, (t) => t.ttft) - med(d1, (t) => t.ttft)).toFixed(1)} ms (direct ${med(d1, (t) => t.ttft).toFixed(1)} ms)`, 'target < 0.5 ms']);
  rows.push([`[${mode}] one stream at a time: throughput proxy / direct`, `${((med(d1, (t) => t.total) / med(p1, (t) => t.total)) * 100).toFixed(0)} %`, '']);
  const d: Timing[] = [];
  const p: Timing[] = [];
  let serverCpu = 0;
  for (let i = 0; i < 3; i++) {
    d.push(...(await round(100, direct)));
    const cpu0 = cpuMs(s.child.pid!);
    p.push(...(await round(100, proxied)));
    serverCpu += cpuMs(s.child.pid!) - cpu0;
  }
  if (p.some((t) => t.chars !== TEXT.length) || d.some((t) => t.chars !== TEXT.length)) throw new Error('a stream lost text');
  const ttft = (x: Timing[], q: number) => percentile(x.map((t) => t.ttft), q);
  const total = (x: Timing[], q: number) => percentile(x.map((t) => t.total), q);
  rows.push([`[${mode}] direct (stand-in) TTFT p50 / p99`, `${ttft(d, 50).toFixed(1)} / ${ttft(d, 99).toFixed(1)} ms`, 'baseline, 100 concurrent']);
  rows.push([`[${mode}] through /api/chat/stream TTFT p50 / p99`, `${ttft(p, 50).toFixed(1)} / ${ttft(p, 99).toFixed(1)} ms`, '']);
  rows.push([`[${mode}]   added TTFT p50 / p99`, `${(ttft(p, 50) - ttft(d, 50)).toFixed(1)} / ${(ttft(p, 99) - ttft(d, 99)).toFixed(1)} ms`, 'target < 10 ms p50']);
  rows.push([`[${mode}] direct total p50`, `${total(d, 50).toFixed(1)} ms`, '']);
  rows.push([`[${mode}] through the proxy total p50`, `${total(p, 50).toFixed(1)} ms`, '']);
  if (mode === 'paced') {
    recordFigure({ key: 'chat.paced.100.addedTtftP50', what: 'added TTFT p50, 100 concurrent streams (paced)', value: ttft(p, 50) - ttft(d, 50), unit: 'ms', baseline: ttft(d, 50), target: '< 10 ms', better: 'lower' });
  } else {
    recordFigure({ key: 'chat.burst.100.throughput', what: 'throughput vs direct, burst, 100 streams', value: (total(d, 50) / total(p, 50)) * 100, unit: '%', baseline: total(d, 50), baselineUnit: 'ms direct total p50', target: '≥ 80 %', better: 'higher' });
  }
  recordFigure({ key: `chat.${mode}.serverCpuPerStream`, what: `server CPU per proxied 500-token stream (${mode})`, value: serverCpu / p.length, unit: 'ms', better: 'lower' });
  rows.push([`[${mode}] server CPU per proxied 500-token stream`, `${(serverCpu / p.length).toFixed(2)} ms`, 'load-independent']);
  rows.push([`[${mode}]   throughput proxy / direct`, `${((total(d, 50) / total(p, 50)) * 100).toFixed(0)} %`, 'target ≥ 80 % (burst)']);
  await s.dispose();
  await fake.close();
}

/** 1,000 concurrent open streams held open by a slow stand-in (5 s each): failures and the server's peak RSS. */
async function holdOpen(start: (env: Record<string, string>) => Promise<TestServer>): Promise<{ failed: number; peak: number }> {
  const slowFake = await startFakeOpenAI({ blocks: [{ type: 'text', text: 'slow '.repeat(20) }], chunkSize: 5, delayMs: 250 });
  const s2 = await start(slowFake.env);
  const t2 = (await s2.signup()).token;
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rss(s2.child.pid!))), 100);
  const results = await Promise.allSettled(
    Array.from({ length: 1000 }, () =>
      timeStream(`${s2.url}/api/chat/stream`, { provider: 'openai', model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }, { authorization: `Bearer ${t2}` }, (x) => (x.type === 'text_delta' ? x.text : undefined)),
    ),
  );
  clearInterval(sampler);
  await s2.dispose();
  await slowFake.close();
  return { failed: results.filter((r) => r.status === 'rejected' || r.value.chars !== 100).length, peak };
}

async function main() {
  const rows: Array<[string, string, string]> = [];
  if (MODES.includes('paced')) await measure('paced', rows);
  if (MODES.includes('burst')) await measure('burst', rows);
  if (!MODES.includes('open')) return printTable('chat proxy', rows);

  // As the container runs it (the bundle, npm start's V8 flag, the image's MALLOC_ARENA_MAX), as `npm start` runs it
  // after `npm run build` (no MALLOC_ARENA_MAX unless the host sets it), and from the sources through tsx (which adds
  // a property store to every closure it names, and runs without the V8 flag).
  buildServer();
  const container = await holdOpen((env) => startBundledServer({ ...env, ...PROFILE, MALLOC_ARENA_MAX: '2' }));
  const bundled = await holdOpen((env) => startBundledServer(env));
  const tsx = await holdOpen((env) => startServer({ env }));
  const failed = container.failed + bundled.failed + tsx.failed;
  recordFigure({ key: 'chat.open1000.peakRss', what: `1,000 concurrent open streams, peak server RSS (container: node ${START_FLAGS.join(' ')} dist/server.mjs, MALLOC_ARENA_MAX=2; baseline: tsx start)`, value: container.peak, baseline: tsx.peak, unit: 'MB', target: '< 250 MB, 0 failed', better: 'lower' });
  recordFigure({ key: 'chat.open1000.peakRssNpmStart', what: '1,000 concurrent open streams, peak server RSS (npm start after npm run build)', value: bundled.peak, unit: 'MB', better: 'lower' });
  recordFigure({ key: 'chat.open1000.failed', what: '1,000 concurrent open streams, failed (all three starts)', value: failed, unit: 'streams', better: 'lower' });
  rows.push([`1,000 concurrent open streams, container (bundle, ${START_FLAGS.join(' ')}, MALLOC_ARENA_MAX=2)`, `${container.failed} failed, peak server RSS ${container.peak.toFixed(0)} MB`, 'target 0 failed, < 250 MB']);
  rows.push(['1,000 concurrent open streams, npm start after npm run build', `${bundled.failed} failed, peak server RSS ${bundled.peak.toFixed(0)} MB`, '']);
  rows.push(['1,000 concurrent open streams, from the sources via tsx', `${tsx.failed} failed, peak server RSS ${tsx.peak.toFixed(0)} MB`, '']);
  printTable('chat proxy', rows);
}

await main().catch((e) => {
  console.error(e);
  process.exit(1);
});
