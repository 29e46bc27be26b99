/**
 * Fake OpenAI Chat Completions: `POST /v1/chat/completions` answered with `chat.completion.chunk` data lines — a role
 * chunk, `content` deltas, `tool_calls` deltas (id/name first, then `arguments` pieces, by `index`), a chunk carrying
 * `finish_reason`, then (with `stream_options.include_usage`) a usage chunk with empty `choices`, then `data: [DONE]`.
 * Thinking blocks are sent as `delta.reasoning_content`, the extension OpenAI-compatible servers (DeepSeek, vLLM) use.
 * Point the provider at it with `OPENAI_BASE_URL = fake.url + '/v1'`.
 */
import type { ServerResponse } from 'node:http';
import { chunks, stopOf, turnFor, usageOf, type FakeScript, type FakeTurn } from './script.ts';
import { sendJson, startFakeServer, withEnv, writeStream, type FakeProvider, type RecordedRequest } from './server.ts';

const FINISH = { end_turn: 'stop', tool_use: 'tool_calls', max_tokens: 'length' } as const;

/** Start a fake OpenAI server playing `script`. */
export async function startFakeOpenAI(script: FakeScript): Promise<FakeProvider> {
  const server = await startFakeServer((req, res, index) => {
    if (req.method === 'POST' && req.path === '/v1/embeddings') return embeddings(req, res);
    if (req.method !== 'POST' || req.path !== '/v1/chat/completions') {
      return sendJson(res, 404, { error: { message: `Unknown route ${req.path}`, type: 'invalid_request_error', param: null, code: null } });
    }
    return play(turnFor(script, req, index), req, res, index);
  });
  return withEnv(server, { OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: 'sk-fake' });
}

function play(turn: FakeTurn, req: RecordedRequest, res: ServerResponse, index: number): Promise<void> | void {
  if (turn.error) {
    return sendJson(res, turn.error.status, { error: { message: turn.error.message, type: 'invalid_request_error', param: null, code: null } });
  }
  const withUsage = req.body?.stream_options?.include_usage === true;
  const base = {
    id: `chatcmpl-fake-${index + 1}`,
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model: req.body?.model ?? 'gpt-fake',
    system_fingerprint: 'fp_fake',
  };
  const data = (obj: object) => `data: ${JSON.stringify(obj)}\n\n`;
  const chunk = (delta: object, finish: string | null = null) =>
    data({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(withUsage ? { usage: null } : {}) });

  const frames = [chunk({ role: 'assistant', content: '', refusal: null })];
  let tools = 0;
  for (const block of turn.blocks ?? []) {
    if (block.type === 'thinking') {
      for (const c of chunks(block.text, turn.chunkSize)) frames.push(chunk({ reasoning_content: c }));
    } else if (block.type === 'text') {
      for (const c of chunks(block.text, turn.chunkSize)) frames.push(chunk({ content: c }));
    } else {
      const i = tools++;
      const id = block.id ?? `call_fake_${i + 1}`;
      frames.push(chunk({ tool_calls: [{ index: i, id, type: 'function', function: { name: block.name, arguments: '' } }] }));
      for (const c of chunks(block.rawInput ?? JSON.stringify(block.input), turn.chunkSize)) {
        frames.push(chunk({ tool_calls: [{ index: i, function: { arguments: c } }] }));
      }
    }
  }
  const usage = usageOf(turn);
  const terminal = turn.streamError
    ? [data({ error: { message: turn.streamError.message, type: 'server_error', param: null, code: null } })]
    : [chunk({}, FINISH[stopOf(turn)])];
  if (withUsage && !turn.streamError) {
    terminal.push(
      data({
        ...base,
        choices: [],
        usage: {
          prompt_tokens: usage.input,
          completion_tokens: usage.output,
          total_tokens: usage.input + usage.output,
          prompt_tokens_details: { cached_tokens: usage.cacheRead ?? 0, audio_tokens: 0 },
          completion_tokens_details: {
            reasoning_tokens: usage.reasoning ?? 0,
            audio_tokens: 0,
            accepted_prediction_tokens: 0,
            rejected_prediction_tokens: 0,
          },
        },
      }),
    );
  }
  terminal.push('data: [DONE]\n\n');
  return writeStream(res, 'text/event-stream; charset=utf-8', frames, terminal, turn);
}

/**
 * `POST /v1/embeddings`: deterministic bag-of-words vectors (1536 dims, words hashed into slots), so texts that share
 * words are close. Honours `encoding_format: 'base64'` (the SDK's default) with little-endian float32 bytes.
 */
function embeddings(req: RecordedRequest, res: ServerResponse): void {
  const inputs: string[] = Array.isArray(req.body?.input) ? req.body.input : [String(req.body?.input ?? '')];
  const data = inputs.map((text, index) => {
    const v = new Float32Array(1536);
    for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
      let h = 2166136261;
      for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 16777619);
      v[(h >>> 0) % 1536] += 1;
    }
    const embedding = req.body?.encoding_format === 'base64' ? Buffer.from(v.buffer).toString('base64') : Array.from(v);
    return { object: 'embedding', index, embedding };
  });
  sendJson(res, 200, { object: 'list', data, model: req.body?.model, usage: { prompt_tokens: inputs.length, total_tokens: inputs.length } });
}
