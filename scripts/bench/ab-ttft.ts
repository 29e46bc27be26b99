/**
 * A/B of the added time to first token, one stream at a time, interleaved: the stand-in directly, then each server
 * (same code, different environment, e.g. a switch under test). `AB="old=FLAG=1,OTHER=2;new="  N=150`.
 */
import { createParser } from 'eventsource-parser';
import { startFakeOpenAI } from '../../tests/fakes/index.ts';
import { startServer } from '../../tests/helpers/server.ts';
import { cpuMs } from './proc-cpu.ts';
import { percentile } from './stats.ts';
const TEXT = Array.from({ length: 500 }, (_, i) => `tok${i % 97} `).join('');
async function ttft(url: string, body: unknown, headers: Record<string, string>, textOf: (d: any) => string | undefined) {
  const t0 = performance.now();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  let t = 0;
  const p = createParser({ onEvent: (e) => { if (e.data !== '[DONE]' && !t && textOf(JSON.parse(e.data))) t = performance.now() - t0; } });
  const dec = new TextDecoder();
  for await (const c of res.body as any) p.feed(dec.decode(c, { stream: true }));
  return t;
}
const fake = await startFakeOpenAI({ blocks: [{ type: 'text', text: TEXT.slice(0, 400) }], chunkSize: 4, usage: { input: 20, output: 100 }, delayMs: 2 });
const envs = (process.env.AB ?? 'A=;B=X=1').split(';').map((s) => {
  const [label] = s.split('=');
  const [name, root] = label.split('@');
  const kv = s.slice(label.length + 1);
  // Several variables: `KEY=v,OTHER=w` (a value holds no comma).
  const pairs = kv ? kv.split(',').map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]) : [];
  return { name, root: root || undefined, env: Object.fromEntries(pairs) as Record<string, string> };
});
const servers = await Promise.all(envs.map(async (e) => { const s = await startServer({ env: { ...fake.env, ...e.env }, root: e.root }); return { ...e, s, token: (await s.signup()).token, t: [] as number[], cpu: 0 }; }));
const direct: number[] = [];
const d = () => ttft(`${fake.url}/v1/chat/completions`, { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] }, { authorization: 'Bearer sk-fake' }, (x) => x.choices?.[0]?.delta?.content);
const p = (x: any) => ttft(`${x.s.url}/api/chat/stream`, { provider: 'openai', model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }, { authorization: `Bearer ${x.token}` }, (y) => (y.type === 'text_delta' ? y.text : undefined));
const N = Number(process.env.N ?? 150);
/** `CONC=100`: each step is that many concurrent streams instead of one. */
const CONC = Number(process.env.CONC ?? 1);
const many = (f: () => Promise<number>) => Promise.all(Array.from({ length: CONC }, f));
for (let i = 0; i < N + 10; i++) {
  const dv = await many(d);
  const pv: number[][] = [];
  // ABBA: odd rounds run the servers in reverse order, so each side runs first as often as second.
  const order = i % 2 ? [...servers.keys()].reverse() : [...servers.keys()];
  const cpu: number[] = [];
  for (const j of order) {
    const c0 = cpuMs(servers[j].s.child.pid!);
    pv[j] = await many(() => p(servers[j]));
    cpu[j] = cpuMs(servers[j].s.child.pid!) - c0;
  }
  if (i >= Math.min(10, N / 2)) { direct.push(...dv); servers.forEach((x, j) => { x.t.push(...pv[j]); x.cpu += cpu[j]; }); }
}
const m = (a: number[]) => percentile(a, 50);
if (CONC > 1) for (const x of servers) console.log(`${x.name} p99 added ${(percentile(x.t, 99) - percentile(direct, 99)).toFixed(1)} ms`);
console.log(`direct p50 ${m(direct).toFixed(2)} ms`);
for (const x of servers) console.log(`${x.name}${x.root ? `@${x.root}` : ''} ${JSON.stringify(x.env)} n=${x.t.length} added p50 ${(m(x.t) - m(direct)).toFixed(2)} ms, p25 ${(percentile(x.t, 25) - percentile(direct, 25)).toFixed(2)}, server CPU ${(x.cpu / x.t.length).toFixed(2)} ms/stream`);
// The rounds' own differences (each round's B minus its A, same moment, same load), the figure least moved by drift.
for (const x of servers.slice(1)) {
  const diff = x.t.map((v, k) => v - servers[0].t[k]);
  console.log(`${x.name} − ${servers[0].name} paired median ${percentile(diff, 50).toFixed(2)} ms over ${diff.length} rounds`);
}
for (const x of servers) await x.s.dispose();
await fake.close();
