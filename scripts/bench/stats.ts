/** Small helpers shared by the benchmarks: percentiles, a plain table, and figures for `npm run bench -- --json`. */
import { appendFileSync, readFileSync } from 'node:fs';
import autocannon from 'autocannon';

/**
 * CPU time process `pid` has used so far (user + system, ms, from /proc; 0 where there is none). Its difference over a
 * load phase divided by the requests is the server's CPU per request: steadier than latency or req/s on a loaded
 * machine, where other processes move p99 but not the work each request costs.
 */
export function processCpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

/** The p-th percentile (0–100) of `values` (nearest rank). */
export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/**
 * Where run-all.ts collects rows (one JSON object a line); unset when a bench runs on its own. Every printed table row
 * lands there, so a bench that only prints still shows up in the JSON file.
 */
const SINK = process.env.BENCH_ROWS_FILE;

/** Print rows of [what, figure, target] under a title. */
export function printTable(title: string, rows: Array<[string, string, string]>): void {
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  console.log(`\n== ${title} ==`);
  for (const [a, b, c] of rows) console.log(`${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`);
  if (SINK) for (const [what, figure, note] of rows) appendFileSync(SINK, `${JSON.stringify({ kind: 'row', table: title, what, figure, note })}\n`);
}

/** One figure of the table (or a bench's headline): today's value next to its baseline from the same run. */
export interface Figure {
  /** Stable id for comparing commits, e.g. `chat.burst.throughput`. */
  key: string;
  what: string;
  value: number;
  unit: string;
  /** The same-run baseline (direct stand-in, bare Koa, exact scan, SDK reader…), when there is one. */
  baseline?: number;
  /** The baseline's unit when it differs (a ratio in % next to the direct figure in ms). */
  baselineUnit?: string;
  /** What the issue asks for, as text (`< 0.5 ms`, `≥ 80 %`). */
  target?: string;
  better?: 'lower' | 'higher';
}

/** Record a figure for run-all's summary and JSON file; a no-op when the bench runs on its own. */
export function recordFigure(figure: Figure): void {
  if (SINK) appendFileSync(SINK, `${JSON.stringify({ kind: 'figure', ...figure })}\n`);
}

/** One user's conversation, as the HTTP load loops aim at it. */
export interface ConversationTarget {
  token: string;
  conversationId: string;
}

/** What an HTTP load phase does per request. */
export type ConversationLoad = 'write' | 'read' | 'list';

/** autocannon as a promise. */
export function cannon(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => autocannon(opts, (err, res) => (err ? reject(err) : resolve(res))));
}

/**
 * `connections` clients for `seconds`, each request aimed at the next target (round robin): `write` POSTs a message
 * (`body` makes its JSON from the request number and target), `read` GETs the conversation, `list` the user's list.
 * `acceptEncoding` sends that header (autocannon counts the bytes it reads and decodes nothing).
 */
export function conversationLoad(
  url: string,
  targets: ConversationTarget[],
  kind: ConversationLoad,
  opts: { connections: number; seconds: number; body: (n: number, t: ConversationTarget) => Record<string, unknown>; acceptEncoding?: string },
): Promise<autocannon.Result> {
  let n = 0;
  const setupRequest = (req: any) => {
    const t = targets[n++ % targets.length]!;
    const headers: Record<string, string> = { authorization: `Bearer ${t.token}` };
    if (opts.acceptEncoding) headers['accept-encoding'] = opts.acceptEncoding;
    if (kind === 'read') return { ...req, method: 'GET', path: `/api/conversations/${t.conversationId}`, headers };
    if (kind === 'list') return { ...req, method: 'GET', path: '/api/conversations', headers };
    const body = JSON.stringify({ conversationId: t.conversationId, ...opts.body(n, t) });
    return { ...req, method: 'POST', path: '/api/messages', headers: { ...headers, 'content-type': 'application/json' }, body };
  };
  return cannon({ url, connections: opts.connections, duration: opts.seconds, requests: [{ setupRequest }] } as autocannon.Options);
}
