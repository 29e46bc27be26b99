/**
 * Fake Ollama: `POST /api/chat` answered with NDJSON — one `{ model, created_at, message, done: false }` line per delta
 * (`message.thinking`, `message.content`, or `message.tool_calls` with whole calls), then a `done: true` line with
 * `done_reason`, `prompt_eval_count` and `eval_count`. Point the provider at it with `OLLAMA_HOST = fake.url`.
 */
import type { ServerResponse } from 'node:http';
import { chunks, stopOf, turnFor, usageOf, type FakeScript, type FakeTurn } from './script.ts';
import { sendJson, startFakeServer, withEnv, writeStream, type FakeProvider, type RecordedRequest } from './server.ts';

/** Start a fake Ollama server playing `script`. */
export async function startFakeOllama(script: FakeScript): Promise<FakeProvider> {
  const server = await startFakeServer((req, res, index) => {
    if (req.method !== 'POST' || req.path !== '/api/chat') return sendJson(res, 404, { error: `unknown route ${req.path}` });
    return play(turnFor(script, req, index), req, res);
  });
  return withEnv(server, { OLLAMA_HOST: server.url });
}

function play(turn: FakeTurn, req: RecordedRequest, res: ServerResponse): Promise<void> | void {
  if (turn.error) return sendJson(res, turn.error.status, { error: turn.error.message });
  const model = req.body?.model ?? 'llama-fake';
  const line = (message: object, extra: object = { done: false }) =>
    JSON.stringify({ model, created_at: new Date().toISOString(), message: { role: 'assistant', content: '', ...message }, ...extra }) + '\n';

  const frames: string[] = [];
  for (const block of turn.blocks ?? []) {
    if (block.type === 'thinking') {
      for (const c of chunks(block.text, turn.chunkSize)) frames.push(line({ thinking: c }));
    } else if (block.type === 'text') {
      for (const c of chunks(block.text, turn.chunkSize)) frames.push(line({ content: c }));
    } else {
      const call = { ...(block.id ? { id: block.id } : {}), function: { name: block.name, arguments: block.input } };
      frames.push(line({ tool_calls: [call] }));
    }
  }
  const usage = usageOf(turn);
  const terminal = [
    line(
      {},
      {
        done: true,
        // Ollama says `stop` after tool calls too; only a cut-off answer differs.
        done_reason: stopOf(turn) === 'max_tokens' ? 'length' : 'stop',
        total_duration: 1_000_000,
        load_duration: 100_000,
        prompt_eval_count: usage.input,
        prompt_eval_duration: 200_000,
        eval_count: usage.output,
        eval_duration: 700_000,
      },
    ),
  ];
  return writeStream(res, 'application/x-ndjson', frames, terminal, turn);
}
