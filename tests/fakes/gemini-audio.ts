/**
 * Fake Gemini API for audio input: `POST /v1beta/models/{model}:generateContent` (API key in `x-goog-api-key`)
 * answered with a `GenerateContentResponse` — one candidate whose text part is what `transcript(audio, prompt)` says
 * the audio held — and its `usageMetadata`, as Gemini sends them (audio tokens reported per modality). Errors come in
 * Gemini's `{ error: { code, message, status } }` shape: no key 403 PERMISSION_DENIED, a request without inline audio
 * 400 INVALID_ARGUMENT. Point provider-gemini at it with `GEMINI_BASE_URL = fake.url`.
 */
import { sendJson, startFakeServer, withEnv, type FakeProvider } from './server.ts';

const ROUTE = /^\/v1beta\/models\/([^/:?]+):generateContent(\?|$)/;

export interface InlineAudio {
  mimeType: string;
  bytes: Buffer;
}

export async function startFakeGeminiAudio(transcript: (audio: InlineAudio, prompt: string) => string, key = 'gemini-audio-fake-key'): Promise<FakeProvider> {
  const server = await startFakeServer((req, res, index) => {
    const match = ROUTE.exec(req.path);
    if (req.method !== 'POST' || !match) return sendJson(res, 404, { error: { code: 404, message: `Unknown route ${req.path}`, status: 'NOT_FOUND' } });
    if (req.headers['x-goog-api-key'] !== key) {
      return sendJson(res, 403, { error: { code: 403, message: 'Method doesn\'t allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.', status: 'PERMISSION_DENIED' } });
    }
    const parts: any[] = (req.body?.contents ?? []).flatMap((c: any) => c?.parts ?? []);
    const inline = parts.find((p) => p?.inlineData?.data);
    if (!inline) return sendJson(res, 400, { error: { code: 400, message: '* GenerateContentRequest.contents: contents is not specified', status: 'INVALID_ARGUMENT' } });
    const audio = { mimeType: String(inline.inlineData.mimeType), bytes: Buffer.from(String(inline.inlineData.data), 'base64') };
    const prompt = parts.filter((p) => typeof p?.text === 'string').map((p) => p.text).join('\n');
    const text = transcript(audio, prompt);
    const audioTokens = Math.max(1, Math.ceil(audio.bytes.length / 1000));
    return sendJson(res, 200, {
      candidates: [{ content: { parts: [{ text }], role: 'model' }, finishReason: 'STOP', index: 0 }],
      usageMetadata: {
        promptTokenCount: audioTokens + 20,
        candidatesTokenCount: text.split(/\s+/).length,
        totalTokenCount: audioTokens + 20 + text.split(/\s+/).length,
        promptTokensDetails: [{ modality: 'TEXT', tokenCount: 20 }, { modality: 'AUDIO', tokenCount: audioTokens }],
      },
      modelVersion: decodeURIComponent(match[1]),
      responseId: `fake-audio-${index + 1}`,
    });
  });
  return withEnv(server, { GEMINI_BASE_URL: server.url, GEMINI_API_KEY: key });
}
