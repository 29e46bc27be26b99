/**
 * Fake Anthropic Messages API: `POST /v1/messages` answered with the documented SSE stream — `message_start`, `ping`,
 * per block `content_block_start` / `content_block_delta` (`thinking_delta`, `signature_delta`, `text_delta`,
 * `input_json_delta`) / `content_block_stop`, then `message_delta` (stop reason, usage) and `message_stop`.
 * Point the provider at it with `ANTHROPIC_BASE_URL = fake.url`.
 */
import type { ServerResponse } from 'node:http';
import { chunks, stopOf, turnFor, usageOf, type FakeScript, type FakeTurn } from './script.ts';
import { sendJson, startFakeServer, withEnv, writeStream, type FakeProvider, type RecordedRequest } from './server.ts';

const STOP = { end_turn: 'end_turn', tool_use: 'tool_use', max_tokens: 'max_tokens' } as const;

/** Start a fake Anthropic server playing `script`. */
export async function startFakeAnthropic(script: FakeScript): Promise<FakeProvider> {
  const server = await startFakeServer((req, res, index) => {
    if (req.method !== 'POST' || !req.path.startsWith('/v1/messages')) {
      return sendJson(res, 404, { type: 'error', error: { type: 'not_found_error', message: `No route ${req.path}` } });
    }
    return play(turnFor(script, req, index), req, res, index);
  });
  return withEnv(server, { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'sk-ant-fake' });
}

function sse(event: string, data: object): string {
  return `event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`;
}

function play(turn: FakeTurn, req: RecordedRequest, res: ServerResponse, index: number): Promise<void> | void {
  if (turn.error) {
    const type = turn.error.status === 401 ? 'authentication_error' : turn.error.status === 429 ? 'rate_limit_error' : 'invalid_request_error';
    return sendJson(res, turn.error.status, { type: 'error', error: { type, message: turn.error.message } });
  }
  const usage = usageOf(turn);
  const size = turn.chunkSize;
  const frames = [
    sse('message_start', {
      message: {
        id: `msg_fake_${index + 1}`,
        type: 'message',
        role: 'assistant',
        model: req.body?.model ?? 'claude-fake',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: usage.input,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: usage.cacheRead ?? 0,
          output_tokens: 1,
        },
      },
    }),
    sse('ping', {}),
  ];
  let tools = 0;
  (turn.blocks ?? []).forEach((block, i) => {
    const delta = (d: object) => frames.push(sse('content_block_delta', { index: i, delta: d }));
    if (block.type === 'thinking') {
      frames.push(sse('content_block_start', { index: i, content_block: { type: 'thinking', thinking: '', signature: '' } }));
      for (const c of chunks(block.text, size)) delta({ type: 'thinking_delta', thinking: c });
      if (block.signature) delta({ type: 'signature_delta', signature: block.signature });
    } else if (block.type === 'text') {
      frames.push(sse('content_block_start', { index: i, content_block: { type: 'text', text: '' } }));
      for (const c of chunks(block.text, size)) delta({ type: 'text_delta', text: c });
    } else {
      const id = block.id ?? `toolu_fake_${++tools}`;
      frames.push(sse('content_block_start', { index: i, content_block: { type: 'tool_use', id, name: block.name, input: {} } }));
      for (const c of chunks(block.rawInput ?? JSON.stringify(block.input), size)) delta({ type: 'input_json_delta', partial_json: c });
    }
    frames.push(sse('content_block_stop', { index: i }));
  });
  const terminal = [
    sse('message_delta', {
      delta: { stop_reason: STOP[stopOf(turn)], stop_sequence: null },
      usage: {
        output_tokens: usage.output,
        ...(usage.reasoning ? { output_tokens_details: { thinking_tokens: usage.reasoning } } : {}),
      },
    }),
    sse('message_stop', {}),
  ];
  return writeStream(res, 'text/event-stream; charset=utf-8', frames, terminal, turn);
}
