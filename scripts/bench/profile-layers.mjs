/**
 * Per-request CPU by layer of the server's request path, from a `.cpuprofile`: every sample goes to the innermost
 * frame of a `core/` file on its stack (so Node's setHeader called from the outer layer counts as the outer layer's),
 * `none` when no core frame is on it (Koa's responder, the socket writes, the HTTP parser, a bare Koa app's work).
 * With a raw client's `pipelined` frame in the profile (auth-get-inprocess.ts), samples before its first one (start-up)
 * are left out. Then the leaf functions of the biggest layers.
 * Run: `node scripts/bench/profile-layers.mjs file.cpuprofile <requests the profile covers>`.
 */
import { readFileSync } from 'node:fs';
const [file, reqs] = process.argv.slice(2);
const p = JSON.parse(readFileSync(file, 'utf8'));
const by = new Map(p.nodes.map((n) => [n.id, n]));
const par = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) par.set(c, n.id);
const cat = (n) => {
  const u = n.callFrame.url;
  const m = /\/(core\/[^?]*|\.plugin-cache[^?]*)$/.exec(u.replace(/^file:\/\//, ''));
  if (!m) return undefined;
  const f = m[1];
  if (f.startsWith('.plugin-cache')) return 'plugin bundle';
  return f.replace(/^core\//, '') + (f.endsWith('route-table.ts') || f.endsWith('outer-layer.ts') || f.endsWith('accounts.ts') ? ' ' + (n.callFrame.functionName || '(anon)') : '');
};
const memo = new Map();
const innermost = (id) => {
  if (memo.has(id)) return memo.get(id);
  const n = by.get(id);
  const c = cat(n) ?? (par.has(id) ? innermost(par.get(id)) : 'none');
  memo.set(id, c);
  return c;
};
const t = new Map();
// Only the load rounds: from the first sample under the raw client's `pipelined` (start-up and esbuild excluded).
const under = (id, name) => { for (let x = id; x !== undefined; x = par.get(x)) if (by.get(x).callFrame.functionName === name) return true; return false; };
const first = p.samples.findIndex((id) => under(id, 'pipelined'));
p.samples.forEach((id, i) => { if (i < first) return; const c = innermost(id); if (c === 'none' && /^\((idle|program|garbage collector)\)$/.test(by.get(id).callFrame.functionName)) { const k = by.get(id).callFrame.functionName; t.set(k, (t.get(k) ?? 0) + (p.timeDeltas[i] ?? 0)); return; } t.set(c, (t.get(c) ?? 0) + (p.timeDeltas[i] ?? 0)); });
const total = [...t.values()].reduce((a, b) => a + b, 0);
for (const [c, v] of [...t].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(((v / Number(reqs))).toFixed(2).padStart(7), 'µs/req', (v / 1000).toFixed(0).padStart(6), 'ms', c);
console.log('total', (total / 1000).toFixed(0), 'ms');
const leaf = new Map();
p.samples.forEach((id, i) => {
  if (i < first) return;
  const c = innermost(id);
  if (!['http/outer-layer.ts (anon)', 'json-bodies.ts', 'http/body-parser.ts', 'auth/accounts.ts verify', 'http/route-table.ts (anon)'].includes(c)) return;
  const f = by.get(id).callFrame;
  const k = `${c} | ${f.functionName || '(anon)'} ${f.url.split('/').slice(-1)[0]}:${f.lineNumber + 1}`;
  leaf.set(k, (leaf.get(k) ?? 0) + (p.timeDeltas[i] ?? 0));
});
for (const [k, v] of [...leaf].sort((a, b) => b[1] - a[1]).slice(0, 45)) console.log((v / Number(reqs)).toFixed(2).padStart(6), k);
