/**
 * The harness the provider stream-reader benches share (openai-parse.ts, anthropic-parse.ts): an in-memory `fetch`
 * that answers one SSE body cut into network pieces of a given size, and a timing loop that reads the same stream
 * through the SDK's own reader (the baseline) and through ours — as one burst and in 64-byte pieces — checks that both
 * read the same text, and prints p50 per stream and the ratio.
 */
import { percentile, printTable, recordFigure } from './stats.ts';

/** Tokens in each stand-in stream. */
export const TOKENS = 500;
/** Streams read per reader and piece size (after as many for warm-up). */
export const ROUNDS = 300;

/** A `fetch` stand-in answering every request with `bytes` as an event stream, enqueued `pieceSize` bytes at a time. */
export function streamingFetch(bytes: Uint8Array, pieceSize: number): typeof fetch {
  const answer = async () =>
    new Response(
      new ReadableStream({
        start(controller) {
          for (let at = 0; at < bytes.length; at += pieceSize) controller.enqueue(bytes.subarray(at, at + pieceSize));
          controller.close();
        },
      }),
      { status: 200, headers: { 'content-type': 'text/event-stream' } },
    );
  return answer as typeof fetch;
}

/** One way of reading a whole stream through `client`; resolves to the number of text characters it read. */
export type StreamReader<Client> = (client: Client) => Promise<number>;

export interface ParseBench<Client> {
  /** The table's title, e.g. `OpenAI stream reader`. */
  title: string;
  /** The stand-in stream, as the provider's server would send it. */
  body: Uint8Array;
  /** An SDK client whose requests go to `fetch`. */
  clientFor(fetcher: typeof globalThis.fetch): Client;
  baseline: { label: string; read: StreamReader<Client> };
  ours: { label: string; read: StreamReader<Client> };
  /** Record figures for run-all under `<figureKey>.burst` / `<figureKey>.pieces`; none when unset. */
  figureKey?: string;
  /** Name in the figure's `what` (default: the title). */
  figureName?: string;
}

async function timeRounds<Client>(read: StreamReader<Client>, client: Client): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    await read(client);
    times.push(performance.now() - t);
  }
  return times;
}

/** Run the bench: both piece sizes, warm-up, p50 of each reader, the table, and the figures when asked for. */
export async function runParseBench<Client>(bench: ParseBench<Client>): Promise<void> {
  const { baseline, ours } = bench;
  const rows: Array<[string, string, string]> = [];
  for (const [label, piece] of [['burst (one network chunk)', bench.body.length], ['64-byte pieces', 64]] as const) {
    const client = bench.clientFor(streamingFetch(bench.body, piece));
    if ((await baseline.read(client)) !== (await ours.read(client))) throw new Error('the readers disagree');
    await timeRounds(baseline.read, client); // warm-up
    await timeRounds(ours.read, client);
    const base = percentile(await timeRounds(baseline.read, client), 50);
    const mine = percentile(await timeRounds(ours.read, client), 50);
    rows.push([`${label}: ${baseline.label} p50`, `${base.toFixed(2)} ms`, 'baseline']);
    rows.push([`${label}: ${ours.label} p50`, `${mine.toFixed(2)} ms`, `${(base / mine).toFixed(2)}× faster`]);
    if (bench.figureKey) {
      const what = `${bench.figureName ?? bench.title}, ${TOKENS} tokens, ${label}`;
      recordFigure({ key: `${bench.figureKey}.${piece === 64 ? 'pieces' : 'burst'}`, what, value: mine, baseline: base, unit: 'ms', better: 'lower' });
    }
  }
  printTable(`${bench.title}, ${TOKENS} tokens, ${ROUNDS} rounds`, rows);
}
