/**
 * The OpenAI stream reader in isolation (issue #16's profile: the SDK's reader was half the server's CPU under burst
 * streams). The same 500-token Chat Completions stream — as one burst, and in 64-byte network pieces — is read (a) by
 * the SDK's own `Stream` iterator (the baseline) and (b) by the provider's `readChunks` over `.asResponse()`; both go
 * through one SDK client with an in-memory `fetch`, so request building is the same. Prints time per stream and ratio.
 *
 * Run: `node --import tsx scripts/bench/openai-parse.ts`.
 */
import OpenAI from 'openai';
import { readChunks } from '../../plugins/provider-openai/read-chunks.ts';
import { percentile, printTable } from './stats.ts';

const TOKENS = 500;
const ROUNDS = 300;

function body(): Uint8Array {
  const base = { id: 'chatcmpl-b', object: 'chat.completion.chunk', created: 1, model: 'gpt-4.1', system_fingerprint: 'fp' };
  let out = '';
  for (let i = 0; i < TOKENS; i++) {
    out += `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: `tok${i % 97} ` }, logprobs: null, finish_reason: null }] })}\n\n`;
  }
  out += `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`;
  return new TextEncoder().encode(out);
}

function clientFor(bytes: Uint8Array, pieceSize: number): OpenAI {
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
  return new OpenAI({ apiKey: 'sk-bench', baseURL: 'http://stub.invalid/v1', fetch: fetchStub as typeof fetch, maxRetries: 0 });
}

const params = { model: 'gpt-4.1', stream: true as const, messages: [{ role: 'user' as const, content: 'hi' }] };

async function sdkReader(client: OpenAI): Promise<number> {
  let chars = 0;
  for await (const chunk of await client.chat.completions.create(params)) chars += chunk.choices[0]?.delta.content?.length ?? 0;
  return chars;
}

async function ourReader(client: OpenAI): Promise<number> {
  let chars = 0;
  for await (const chunk of readChunks(await client.chat.completions.create(params).asResponse())) chars += chunk.choices[0]?.delta.content?.length ?? 0;
  return chars;
}

async function time(read: (c: OpenAI) => Promise<number>, client: OpenAI): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    await read(client);
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
  rows.push([`${label}: SDK reader p50`, `${sdk.toFixed(2)} ms`, 'baseline']);
  rows.push([`${label}: readChunks p50`, `${ours.toFixed(2)} ms`, `${(sdk / ours).toFixed(2)}× faster`]);
}
printTable(`OpenAI stream reader, ${TOKENS} tokens, ${ROUNDS} rounds`, rows);
