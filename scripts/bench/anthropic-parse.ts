/**
 * The Anthropic stream reader in isolation. The same 500-token Messages API stream — as one burst, and in 64-byte
 * network pieces — is read (a) through the SDK's `MessageStream` (the reader the provider used before issue #16, kept
 * in tests/providers/anthropic-sdk-reference.ts; the baseline) and (b) through the provider's `streamMessages`
 * (eventsource-parser over `.asResponse()`); both use one SDK client with an in-memory `fetch`, so request building is
 * the same. Prints time per stream and the ratio.
 *
 * Run: `node --import tsx scripts/bench/anthropic-parse.ts`.
 */
import Anthropic from '@anthropic-ai/sdk';
import { buildRequest } from '../../plugins/provider-anthropic/build-request.ts';
import { streamMessages } from '../../plugins/provider-anthropic/stream.ts';
import { sdkStreamMessages } from '../../tests/providers/anthropic-sdk-reference.ts';
import { percentile, printTable, recordFigure } from './stats.ts';

const TOKENS = 500;
const ROUNDS = 300;

function body(): Uint8Array {
  const frame = (event: string, data: object) => `event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`;
  let out = frame('message_start', {
    message: { id: 'msg_b', type: 'message', role: 'assistant', model: 'claude-sonnet-4-6', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 20, output_tokens: 1 } },
  });
  out += frame('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
  for (let i = 0; i < TOKENS; i++) out += frame('content_block_delta', { index: 0, delta: { type: 'text_delta', text: `tok${i % 97} ` } });
  out += frame('content_block_stop', { index: 0 });
  out += frame('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: TOKENS } });
  out += frame('message_stop', {});
  return new TextEncoder().encode(out);
}

function clientFor(bytes: Uint8Array, pieceSize: number): Anthropic {
  const fetchStub = async () =>
    new Response(
      new ReadableStream({
        start(controller) {
          for (let at = 0; at < bytes.length; at += pieceSize) controller.enqueue(bytes.subarray(at, at + pieceSize));
          controller.close();
        },
      }),
      { status: 200, headers: { 'content-type': 'text/event-stream' } },
    );
  return new Anthropic({ apiKey: 'sk-ant-bench', baseURL: 'http://stub.invalid', fetch: fetchStub as typeof fetch, maxRetries: 0 });
}

const params = buildRequest({ model: 'claude-sonnet-4-6', maxTokens: 1024, messages: [{ role: 'user', content: 'hi' }] });

async function read(reader: typeof streamMessages, client: Anthropic): Promise<number> {
  let chars = 0;
  for await (const e of reader(client, params, new AbortController().signal)) if (e.type === 'text') chars += e.delta.length;
  return chars;
}
const sdkReader = (c: Anthropic) => read(sdkStreamMessages as typeof streamMessages, c);
const ourReader = (c: Anthropic) => read(streamMessages, c);

async function time(run: (c: Anthropic) => Promise<number>, client: Anthropic): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    await run(client);
    times.push(performance.now() - t);
  }
  return times;
}

const bytes = body();
const rows: Array<[string, string, string]> = [];
for (const [label, piece] of [['burst (one network chunk)', bytes.length], ['64-byte pieces', 64]] as const) {
  const client = clientFor(bytes, piece);
  if ((await sdkReader(client)) !== (await ourReader(client))) throw new Error('the readers disagree');
  await time(sdkReader, client); // warm-up
  await time(ourReader, client);
  const sdk = percentile(await time(sdkReader, client), 50);
  const ours = percentile(await time(ourReader, client), 50);
  rows.push([`${label}: SDK MessageStream p50`, `${sdk.toFixed(2)} ms`, 'baseline']);
  rows.push([`${label}: readEvents p50`, `${ours.toFixed(2)} ms`, `${(sdk / ours).toFixed(2)}× faster`]);
  recordFigure({ key: `anthropic-parse.${piece === 64 ? 'pieces' : 'burst'}`, what: `Anthropic reader, ${TOKENS} tokens, ${label}`, value: ours, baseline: sdk, unit: 'ms', better: 'lower' });
}
printTable(`Anthropic stream reader, ${TOKENS} tokens, ${ROUNDS} rounds`, rows);
