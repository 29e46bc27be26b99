/**
 * Fake Gemini API: `POST /v1beta/models/{model}:streamGenerateContent?alt=sse` answered with `data: GenerateContentResponse`
 * events — one candidate part each: `{ text, thought: true }` for thinking, `{ text }`, `{ functionCall: { name, args } }`
 * — then a chunk with `finishReason` and the full `usageMetadata`. A thinking block's `signature` rides as
 * `thoughtSignature` on the next non-thought part, as Gemini sends it. Point the provider at it with
 * `GEMINI_BASE_URL = fake.url`.
 */
import type { ServerResponse } from 'node:http';
import { chunks, stopOf, turnFor, usageOf, type FakeScript, type FakeTurn } from './script.ts';
import { sendJson, startFakeServer, withEnv, writeStream, type FakeProvider, type RecordedRequest } from './server.ts';

const ROUTE = /^\/v1beta\/models\/([^/:?]+):streamGenerateContent\?(.*&)?alt=sse(&|$)/;

/** Start a fake Gemini server playing `script`. */
export async function startFakeGemini(script: FakeScript): Promise<FakeProvider> {
  const server = await startFakeServer((req, res, index) => {
    const match = ROUTE.exec(req.path);
    if (req.method !== 'POST' || !match) {
      return sendJson(res, 404, { error: { code: 404, message: `Unknown route ${req.path}`, status: 'NOT_FOUND' } });
    }
    return play(turnFor(script, req, index), decodeURIComponent(match[1]), res, index);
  });
  return withEnv(server, { GEMINI_BASE_URL: server.url, GEMINI_API_KEY: 'gemini-fake-key' });
}

function play(turn: FakeTurn, model: string, res: ServerResponse, index: number): Promise<void> | void {
  if (turn.error) {
    const status = turn.error.status === 400 ? 'INVALID_ARGUMENT' : turn.error.status === 429 ? 'RESOURCE_EXHAUSTED' : 'UNAUTHENTICATED';
    return sendJson(res, turn.error.status, { error: { code: turn.error.status, message: turn.error.message, status } });
  }
  const usage = usageOf(turn);
  const meta = { modelVersion: model, responseId: `fake-response-${index + 1}` };
  const promptOnly = { promptTokenCount: usage.input, totalTokenCount: usage.input, promptTokensDetails: [{ modality: 'TEXT', tokenCount: usage.input }] };
  const event = (parts: object[], extra: object = {}, usageMetadata: object = promptOnly) =>
    `data: ${JSON.stringify({ candidates: [{ content: { parts, role: 'model' }, index: 0, ...extra }], usageMetadata, ...meta })}\r\n\r\n`;

  const frames: string[] = [];
  let pendingSignature: string | undefined;
  const withSignature = (part: Record<string, unknown>) => {
    if (!pendingSignature) return part;
    const signed = { ...part, thoughtSignature: pendingSignature };
    pendingSignature = undefined;
    return signed;
  };
  for (const block of turn.blocks ?? []) {
    if (block.type === 'thinking') {
      for (const c of chunks(block.text, turn.chunkSize)) frames.push(event([{ text: c, thought: true }]));
      pendingSignature = block.signature;
    } else if (block.type === 'text') {
      for (const c of chunks(block.text, turn.chunkSize)) frames.push(event([withSignature({ text: c })]));
    } else {
      const call = { name: block.name, args: block.input, ...(block.id ? { id: block.id } : {}) };
      frames.push(event([withSignature({ functionCall: call })]));
    }
  }
  const full = {
    promptTokenCount: usage.input,
    candidatesTokenCount: usage.output,
    totalTokenCount: usage.input + usage.output + (usage.reasoning ?? 0),
    ...(usage.cacheRead ? { cachedContentTokenCount: usage.cacheRead } : {}),
    ...(usage.reasoning ? { thoughtsTokenCount: usage.reasoning } : {}),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: usage.input }],
  };
  const finishReason = stopOf(turn) === 'max_tokens' ? 'MAX_TOKENS' : 'STOP';
  // Gemini ends with a part that may be empty; a signature with no part after it rides on that one.
  const terminal = [event([withSignature({ text: '' })], { finishReason }, full)];
  return writeStream(res, 'text/event-stream', frames, terminal, turn);
}
