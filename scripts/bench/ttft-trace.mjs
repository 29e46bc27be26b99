/**
 * Preload for a server the chat bench starts (`BENCH_SERVER_IMPORT=scripts/bench/ttft-trace.mjs TRACE_FILE=/tmp/tr`):
 * wall-clock marks, in ms after the request reached the server, of `POST /api/chat/stream` streams that ran alone —
 * body read, upstream request created / ended / on its socket / its head / its first body bytes, the first SSE write
 * and the first `text_delta` write. Medians of the measured rounds go to `TRACE_FILE.<pid>` at exit. Code under test
 * may add its own marks with `globalThis.__mark?.('name')` while investigating.
 */
import http from 'node:http';
import { writeFileSync, appendFileSync } from 'node:fs';
const out = process.env.TRACE_FILE;
let cur = null; let active = 0; const markKeys = new Set();
globalThis.__mark = (k) => { if (cur && cur[k] === undefined) { cur[k] = performance.now() - cur.t0; markKeys.add(k); } };
const rows = [];
const origEmit = http.Server.prototype.emit;
http.Server.prototype.emit = function (ev, req, res) {
  if (ev === 'request' && req.url === '/api/chat/stream') {
    active++; cur = { t0: performance.now(), solo: active === 1 };
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
    r.end = function (...a) { c.upEnd = performance.now() - c.t0; return end.apply(this, a); };
    r.once('socket', (s) => { c.sock = performance.now() - c.t0; s.once('data', () => { c.upData = c.upData ?? performance.now() - c.t0; }); });
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
process.on('exit', () => {
  if (!out) return;
  const last = rows.slice(10, 40);
  function med(k) { const v = last.map((r) => r[k]).filter((x) => x !== undefined).sort((a, b) => a - b); return v[v.length >> 1]; }
  const keys = ['bodyEnd', 'upReq', 'sock', 'upEnd', 'upHead', 'upData', 'upFirst', 'firstWrite', 'textWrite', ...markKeys].sort((a, b) => (med(a) ?? 0) - (med(b) ?? 0));
  if (!rows.length) return;
  writeFileSync(out + '.' + process.pid, keys.map((k) => `${k}: ${med(k)?.toFixed(3)}`).join('\n') + `\n(n=${last.length})\n`);
});
