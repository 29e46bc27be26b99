/**
 * Preload for a server the chat bench starts (`BENCH_SERVER_IMPORT=scripts/bench/ttft-trace.mjs TRACE_FILE=/tmp/tr`):
 * wall-clock marks, in ms after the request reached the server, of `POST /api/chat/stream` streams that ran alone —
 * body read, upstream request created / ended / on its socket / its head / its first body bytes, the first SSE write
 * and the first `text_delta` write. Medians of the measured rounds go to `TRACE_FILE.<pid>` at exit. Code under test
 * may add its own marks with `globalThis.__mark?.('name')` while investigating. `TRACE_GAPS=1` adds the longest stretch
 * the event loop did not turn while the upstream head was awaited (`gap`, starting at `gapAt`); `TRACE_ROWS=file` writes
 * every stream's marks with its start on the monotonic clock (`absMs`, as `process.hrtime`), to line them up with marks
 * taken in another process (the stand-in's, in the bench). Profile: `TRACE_PROFILE=1` below.
 */
import http from 'node:http';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
const out = process.env.TRACE_FILE;
let cur = null; let active = 0; const markKeys = new Set();
globalThis.__mark = (k) => { if (cur && cur[k] === undefined) { cur[k] = performance.now() - cur.t0; markKeys.add(k); } };
const rows = [];
const origEmit = http.Server.prototype.emit;
http.Server.prototype.emit = function (ev, req, res) {
  if (ev === 'request' && req.url === '/api/chat/stream') {
    active++; cur = { t0: performance.now(), abs: Number(process.hrtime.bigint() / 1000n), solo: active === 1 };
    const c = cur;
    const w = res.write;
    res.write = function (...a) { const t = performance.now() - c.t0; if (!c.firstWrite) c.firstWrite = t; if (!c.textWrite && String(a[0]).includes('text_delta')) c.textWrite = t; return w.apply(this, a); };
    res.once('finish', () => { active--; if (c.solo && active === 0 && cur === c) rows.push(c); });
    req.once('end', () => { c.bodyEnd = performance.now() - c.t0; });
  }
  return origEmit.apply(this, arguments);
};
const origReq = http.request;
http.request = function (...args) {
  const r = origReq.apply(this, args);
  const c = cur;
  if (c && !c.upReq) {
    c.upReq = performance.now() - c.t0;
    const end = r.end;
    r.end = function (...a) {
      c.upEnd = performance.now() - c.t0;
      if (process.env.TRACE_GAPS) {
        // The longest stretch the event loop did not turn between the request's end and its head (synchronous work).
        let last = performance.now(); c.gap = 0;
        const tick = () => { const now = performance.now(); if (now - last > c.gap) { c.gap = now - last; c.gapAt = last - c.t0; } last = now; if (c.upHead === undefined) setImmediate(tick); };
        setImmediate(tick);
      }
      return end.apply(this, a);
    };
    r.once('socket', (s) => { c.sock = performance.now() - c.t0; c.reused = r.reusedSocket ? 1 : 0; s.once('connect', () => { c.connect = performance.now() - c.t0; }); s.once('data', () => { c.upData = c.upData ?? performance.now() - c.t0; }); });
    // The first body bytes as the socket hands them to the response (a 'data' listener would switch the response
    // into flowing mode and take its first chunk from the provider, which reads the stream itself).
    r.once('response', (res) => {
      c.upHead = performance.now() - c.t0;
      const push = res.push;
      res.push = function (chunk, ...rest) { if (chunk && c.upFirst === undefined) c.upFirst = performance.now() - c.t0; return push.call(this, chunk, ...rest); };
    });
  }
  return r;
};
/**
 * `TRACE_PROFILE=1`: a CPU profile sampled every 25 µs, cut at exit into the measured streams' stretches — before the
 * upstream request ended, waiting for its head, and from the head to the first text write — as self time a stream by
 * function (with its two callers), written to `TRACE_FILE.<pid>.profile`. Profile time stamps and `hrtime` share
 * the monotonic clock.
 */
const session = process.env.TRACE_PROFILE ? new Session() : undefined;
if (session) {
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 25 });
  session.post('Profiler.start');
}
function profileReport(profile, measured) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (id) => { const f = byId.get(id).callFrame; return `${f.functionName || '(anon)'} ${f.url.replace(/.*\//, '')}:${f.lineNumber + 1}`; };
  const label = (id) => [id, parent.get(id), parent.get(parent.get(id))].filter((x) => x !== undefined && byId.get(x).callFrame.functionName !== '(root)').map(name).join(' ← ');
  const segs = [['before upstream end', 'upEnd', null], ['waiting for upstream head', 'upHead', 'upEnd'], ['head to first text write', 'textWrite', 'upHead']];
  const sums = segs.map(() => new Map());
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i];
    const dt = profile.timeDeltas[i + 1] ?? 0;
    for (const r of measured) {
      const rel = (t - r.abs) / 1000;
      segs.forEach(([, endK, startK], k) => { if (rel >= (startK ? r[startK] : 0) && rel < r[endK]) sums[k].set(label(id), (sums[k].get(label(id)) ?? 0) + dt); });
    }
  });
  return segs.map(([title], k) => {
    const all = [...sums[k]].sort((a, b) => b[1] - a[1]);
    const total = all.reduce((a, [, v]) => a + v, 0) / measured.length / 1000;
    return `## ${title}: ${total.toFixed(3)} ms sampled a stream\n` + all.slice(0, 25).map(([f, v]) => `${(v / measured.length / 1000).toFixed(3)}  ${f}`).join('\n');
  }).join('\n\n');
}
process.on('exit', () => {
  if (!out) return;
  if (session && rows.length > 40) session.post('Profiler.stop', (err, res) => { if (!err) writeFileSync(`${out}.${process.pid}.profile`, profileReport(res.profile, rows.slice(10, 40))); });
  const last = rows.slice(10, 40);
  function med(k) { const v = last.map((r) => r[k]).filter((x) => x !== undefined).sort((a, b) => a - b); return v[v.length >> 1]; }
  const keys = ['reused', 'connect', 'gap', 'gapAt', 'bodyEnd', 'upReq', 'sock', 'upEnd', 'upHead', 'upData', 'upFirst', 'firstWrite', 'textWrite', ...markKeys].sort((a, b) => (med(a) ?? 0) - (med(b) ?? 0));
  if (!rows.length) return;
  if (process.env.TRACE_ROWS) writeFileSync(process.env.TRACE_ROWS, JSON.stringify(rows.map((r) => ({ ...r, absMs: r.abs / 1000 }))));
  writeFileSync(out + '.' + process.pid, keys.map((k) => `${k}: ${med(k)?.toFixed(3)}`).join('\n') + `\n(n=${last.length})\n`);
});
