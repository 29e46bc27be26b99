/**
 * Fake LLM providers for tests: small `node:http` servers on 127.0.0.1 (port 0) that replay each provider's documented
 * streaming wire format, so the real provider plugins (and their SDKs) run unchanged against them.
 *
 * ```ts
 * import { startFakeOpenAI } from '../fakes/index.ts';
 * const fake = await startFakeOpenAI([
 *   { blocks: [{ type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } }] },   // 1st call
 *   { blocks: [{ type: 'text', text: 'Sunny.' }], usage: { input: 30, output: 4 } },     // 2nd call and later
 * ]);
 * Object.assign(process.env, fake.env);          // OPENAI_BASE_URL=<fake>/v1, OPENAI_API_KEY=sk-fake
 * // … run the provider / POST /api/chat/stream …
 * fake.lastRequest?.body.tools;                  // what the provider sent (body is parsed JSON; headers lower-cased)
 * await fake.close();
 * ```
 *
 * - `startFakeAnthropic` / `startFakeOpenAI` / `startFakeGemini` / `startFakeOllama` (script) → `FakeProvider`
 *   `{ url, env, requests, lastRequest, openResponses(), closed(index?), close() }`. `closed()` resolves when that
 *   response has ended or the client dropped it — use it to prove an abort cut the upstream request.
 * - A script (`FakeScript`) is one `FakeTurn` for every call, a list (one per call, the last repeats), or
 *   `(request, index) => FakeTurn`. A turn: `blocks` (`text`, `thinking` with optional `signature`, `tool_use`),
 *   `usage` (`input`, `output`, `cacheRead`, `reasoning`), `stop` (default from the blocks), `chunkSize` (delta size,
 *   default 8 chars), `delayMs` between frames, `hang` (never finish: for abort tests), `error: { status, message }`
 *   (answer with the provider's error body instead).
 * - `env` holds the variable the plugin reads for its base URL plus a dummy key (Ollama needs none).
 */
export { startFakeAnthropic } from './anthropic.ts';
export { startFakeGemini } from './gemini.ts';
export { startFakeOllama } from './ollama.ts';
export { startFakeOpenAI } from './openai.ts';
export type { FakeBlock, FakeScript, FakeTurn } from './script.ts';
export type { FakeProvider, FakeServer, RecordedRequest } from './server.ts';
