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
import { runParseBench, TOKENS } from './parse-harness.ts';

function body(): Uint8Array {
  const base = { id: 'chatcmpl-b', object: 'chat.completion.chunk', created: 1, model: 'gpt-4.1', system_fingerprint: 'fp' };
  let out = '';
  for (let i = 0; i < TOKENS; i++) {
    out += `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: `tok${i % 97} ` }, logprobs: null, finish_reason: null }] })}\n\n`;
  }
  out += `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`;
  return new TextEncoder().encode(out);
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

await runParseBench({
  title: 'OpenAI stream reader',
  body: body(),
  clientFor: (fetch) => new OpenAI({ apiKey: 'sk-bench', baseURL: 'http://stub.invalid/v1', fetch, maxRetries: 0 }),
  baseline: { label: 'SDK reader', read: sdkReader },
  ours: { label: 'readChunks', read: ourReader },
});
