/**
 * A stand-in for ElevenLabs' text-to-speech endpoint `POST /v1/text-to-speech/{voice_id}?output_format=…` with the
 * `xi-api-key` header and a JSON body `{ text, model_id }`, answering `audio/mpeg` bytes — or ElevenLabs' error body
 * `{ detail: { status, message } }`. The real SDK reaches it through `ELEVENLABS_BASE_URL`.
 *
 * ```ts
 * const el = await startFakeElevenLabs();          // el.env: ELEVENLABS_BASE_URL, ELEVENLABS_API_KEY
 * el.audioFor('Hello');                            // the exact bytes it answers for that text
 * ```
 */
import { createHash } from 'node:crypto';
import { startFakeServer, type FakeServer } from './server.ts';

export interface FakeElevenLabs extends FakeServer {
  env: Record<string, string>;
  apiKey: string;
  /** The MP3-ish bytes answered for `text`: an ID3 header and 6 KB derived from the text. */
  audioFor(text: string): Buffer;
}

function audioFor(text: string): Buffer {
  const parts = [Buffer.from('ID3\x04\x00\x00\x00\x00\x00\x00', 'latin1')];
  let seed = createHash('sha256').update(text).digest();
  while (Buffer.concat(parts).length < 6144) {
    parts.push(seed);
    seed = createHash('sha256').update(seed).digest();
  }
  return Buffer.concat(parts).subarray(0, 6144);
}

export async function startFakeElevenLabs(apiKey = 'sk_fake_elevenlabs_0123456789'): Promise<FakeElevenLabs> {
  const server = await startFakeServer((req, res) => {
    const m = /^\/v1\/text-to-speech\/([^/?]+)(\?.*)?$/.exec(req.path);
    const fail = (status: number, detail: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ detail }));
    };
    if (req.method !== 'POST' || !m) return fail(404, 'Not Found');
    if (req.headers['xi-api-key'] !== apiKey) return fail(401, { status: 'invalid_api_key', message: 'Invalid API key' });
    if (typeof req.body?.text !== 'string' || !req.body.text) {
      return fail(422, [{ loc: ['body', 'text'], msg: 'field required', type: 'value_error.missing' }]);
    }
    const data = audioFor(req.body.text);
    res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': String(data.length) });
    res.end(data);
  });
  return Object.assign(server, {
    env: { ELEVENLABS_BASE_URL: server.url, ELEVENLABS_API_KEY: apiKey },
    apiKey,
    audioFor,
  });
}
