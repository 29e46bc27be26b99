/**
 * Memory search through HTTP: 20,000 memories (`--entries N`) of ~40 words for one user (seeded through `POST /api/memories`), then
 * `GET /api/memory?search=…` under 1 and 10 connections (autocannon), next to the same server's `GET /api/health` as the
 * baseline of the HTTP stack itself.
 *
 * Run: `node --import tsx scripts/bench/memory-http.ts [--entries 20000]`; `AION_MEMORY_SEARCH_WORKERS=0` searches on the
 * main thread (the baseline of the worker pool).
 */
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { startServer } from '../../tests/helpers/server.ts';
import { corpus } from './memory-corpus.ts';
import { printTable } from './stats.ts';

const N = Number(parseArgs({ options: { entries: { type: 'string', default: '20000' } } }).values.entries);

function cannon(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => autocannon(opts, (err, res) => (err ? reject(err) : resolve(res))));
}

const s = await startServer();
try {
  const { token } = await s.signup();
  const text = corpus(7);
  const started = performance.now();
  for (let i = 0; i < N; i += 50) {
    await Promise.all(Array.from({ length: 50 }, () => s.api('POST', '/api/memories', { token, body: { content: text.sentence() } })));
  }
  const seeded = (N / ((performance.now() - started) / 1000)).toFixed(0);
  // Wait for the user's full-text index.
  await s.api('GET', `/api/memory?search=${text.word()}`, { token });
  const headers = { authorization: `Bearer ${token}` };
  const requests = Array.from({ length: 200 }, () => ({ method: 'GET' as const, path: `/api/memory?limit=10&search=${encodeURIComponent(`${text.word()} ${text.word()}`)}` }));
  await cannon({ url: s.url, connections: 10, duration: 3, headers, requests });
  const single = await cannon({ url: s.url, connections: 1, duration: 8, headers, requests });
  const search = await cannon({ url: s.url, connections: 10, duration: 8, headers, requests });
  const health = await cannon({ url: `${s.url}/api/health`, connections: 10, duration: 5 });
  printTable(`memory search over HTTP (${N} memories, one user, search workers ${process.env.AION_MEMORY_SEARCH_WORKERS ?? 'default'})`, [
    ['seeding through POST /api/memories', `${seeded}/s`, ''],
    ['GET /api/health (baseline)', `${health.requests.average.toFixed(0)} req/s, p99 ${health.latency.p99} ms`, ''],
    ['GET /api/memory?search=two words, 1 connection', `${single.requests.average.toFixed(0)} req/s, p50 ${single.latency.p50} ms, p99 ${single.latency.p99} ms`, 'target p99 < 10 ms'],
    ['GET /api/memory?search=two words, 10 connections', `${search.requests.average.toFixed(0)} req/s, p50 ${search.latency.p50} ms, p99 ${search.latency.p99} ms`, 'target p99 < 25 ms'],
    ['errors', `${search.errors + search.non2xx + single.errors + single.non2xx}`, '0'],
  ]);
} finally {
  await s.dispose();
}
