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
import { runParseBench, TOKENS } from './parse-harness.ts';

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

const params = buildRequest({ model: 'claude-sonnet-4-6', maxTokens: 1024, messages: [{ role: 'user', content: 'hi' }] });

async function read(reader: typeof streamMessages, client: Anthropic): Promise<number> {
  let chars = 0;
  for await (const e of reader(client, params, new AbortController().signal)) if (e.type === 'text') chars += e.delta.length;
  return chars;
}

await runParseBench({
  title: 'Anthropic stream reader',
  figureName: 'Anthropic reader',
  figureKey: 'anthropic-parse',
  body: body(),
  clientFor: (fetch) => new Anthropic({ apiKey: 'sk-ant-bench', baseURL: 'http://stub.invalid', fetch, maxRetries: 0 }),
  baseline: { label: 'SDK MessageStream', read: (c) => read(sdkStreamMessages as typeof streamMessages, c) },
  ours: { label: 'readEvents', read: (c) => read(streamMessages, c) },
});
