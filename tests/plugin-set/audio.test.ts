/**
 * The audio transcriber: without a key it says clearly that no transcriber is configured; with OpenAI or ElevenLabs
 * keys it sends the audio through their SDKs to local stand-ins speaking their multipart wire formats; with Gemini the
 * audio goes inline into a generateContent request (the @google/genai SDK, through provider-gemini) to a stand-in
 * speaking that format; workspace paths stay inside the caller's workspace.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { startFakeGeminiAudio } from '../fakes/gemini-audio.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { tool } from './helpers.ts';

const AUDIO = Buffer.from('RIFF....WAVEfmt fake audio bytes');
let stand: http.Server;
let standUrl = '';
const seen: Array<{ path: string; fields: Record<string, string>; fileName?: string; fileBytes?: number; auth?: string }> = [];

before(async () => {
  stand = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const form = await new Request('http://x', { method: 'POST', headers: { 'content-type': String(req.headers['content-type']) }, body: new Uint8Array(Buffer.concat(chunks)) }).formData();
    const fields: Record<string, string> = {};
    let file: File | undefined;
    for (const [k, v] of form) typeof v === 'string' ? (fields[k] = v) : (file = v as File);
    seen.push({ path: req.url ?? '', fields, fileName: file?.name, fileBytes: file?.size, auth: String(req.headers.authorization ?? req.headers['xi-api-key'] ?? '') });
    res.setHeader('content-type', 'application/json');
    if (req.url === '/v1/audio/transcriptions') return void res.end(JSON.stringify({ text: `openai heard ${file?.size} bytes`, usage: { type: 'duration', seconds: 1 } }));
    if (req.url?.startsWith('/v1/speech-to-text')) {
      return void res.end(JSON.stringify({ language_code: 'deu', language_probability: 0.98, text: 'elevenlabs heard you', words: [] }));
    }
    res.statusCode = 404;
    res.end('{}');
  });
  // Idle sockets stay open longer than a slow test step: a POST on a socket the stand-in just closed fails in undici.
  stand.keepAliveTimeout = 120_000;
  await new Promise<void>((r) => stand.listen(0, '127.0.0.1', r));
  standUrl = `http://127.0.0.1:${(stand.address() as AddressInfo).port}`;
});
after(() => {
  stand.closeAllConnections();
  stand.close();
});

async function upload(s: TestServer, token: string, body: Buffer, type = 'audio/wav') {
  const r = await fetch(`${s.url}/api/audio/transcribe?language=de`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body: new Uint8Array(body) });
  return { status: r.status, body: await r.json() };
}

test('without a provider key the transcriber says that none is configured', async () => {
  const s = await startServer();
  try {
    const admin = await s.signup();
    const r = await upload(s, admin.token, AUDIO);
    assert.equal(r.status, 503);
    assert.equal(r.body.code, 'TRANSCRIBER_NOT_CONFIGURED');
    assert.match(r.body.error, /No transcriber is configured: set OPENAI_API_KEY/);
    await s.api('POST', '/api/files/write', { token: admin.token, body: { filePath: 'memo.wav', content: 'abc' } });
    const t = await tool(s, admin.token, 'transcribe_audio', { path: 'memo.wav' }, false);
    assert.match(t.result.error, /No transcriber is configured/);
  } finally {
    await s.dispose();
  }
});

test('OpenAI transcription through the openai SDK; ElevenLabs when chosen; paths confined', async () => {
  const s = await startServer({ env: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${standUrl}/v1`, ELEVENLABS_API_KEY: 'el-test', ELEVENLABS_BASE_URL: standUrl } });
  try {
    const admin = await s.signup();
    const r = await upload(s, admin.token, AUDIO);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body, { text: `openai heard ${AUDIO.length} bytes`, engine: 'openai', model: 'gpt-4o-mini-transcribe', language: 'de' });
    const call = seen.at(-1)!;
    assert.equal(call.fields.model, 'gpt-4o-mini-transcribe');
    assert.equal(call.fields.language, 'de');
    assert.equal(call.fileBytes, AUDIO.length);
    assert.equal(call.auth, 'Bearer sk-test');

    await s.api('POST', '/api/files/write', { token: admin.token, body: { filePath: 'notes/memo.ogg', content: 'ogg bytes here' } });
    const t = await tool(s, admin.token, 'transcribe_audio', { path: 'notes/memo.ogg' });
    assert.equal(t.text, 'openai heard 14 bytes');
    assert.equal(seen.at(-1)!.fileName, 'memo.ogg');
    for (const p of ['../../jwt-secret.wav', '/etc/passwd.wav']) {
      const bad = await tool(s, admin.token, 'transcribe_audio', { path: p }, false);
      assert.equal(bad.ok, false, p);
    }
    assert.match((await tool(s, admin.token, 'transcribe_audio', { path: 'notes/x.txt' }, false)).result.error, /Not an audio file/);
    assert.equal((await upload(s, admin.token, AUDIO, 'text/plain')).status, 415);
    assert.equal((await upload(s, admin.token, Buffer.alloc(0))).status, 400);

    await s.api('POST', '/api/config/settings', { token: admin.token, body: { 'audio-transcriber': { engine: 'elevenlabs' } } });
    const el = await upload(s, admin.token, AUDIO, 'audio/mpeg');
    assert.equal(el.status, 200, JSON.stringify(el.body));
    assert.equal(el.body.text, 'elevenlabs heard you');
    assert.equal(el.body.engine, 'elevenlabs');
    assert.equal(seen.at(-1)!.fields.model_id, 'scribe_v1');
    assert.equal(seen.at(-1)!.auth, 'el-test');
    assert.equal((await fetch(`${s.url}/api/audio/transcribe`, { method: 'POST', headers: { 'content-type': 'audio/wav' }, body: new Uint8Array(AUDIO) })).status, 401);
  } finally {
    await s.dispose();
  }
});

test('Gemini audio input: inline audio in generateContent through provider-gemini; chosen by setting or as the only one configured', async () => {
  const gemini = await startFakeGeminiAudio((audio, prompt) => `gemini heard ${audio.bytes.length} bytes of ${audio.mimeType}${/"de"/.test(prompt) ? ' in de' : ''}`);
  const s = await startServer({ env: { ...gemini.env } });
  try {
    const admin = await s.signup();
    const r = await upload(s, admin.token, AUDIO);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body, { text: `gemini heard ${AUDIO.length} bytes of audio/wav in de`, engine: 'gemini', model: 'gemini-2.5-flash', language: 'de' });
    const call = gemini.lastRequest!;
    assert.match(call.path, /^\/v1beta\/models\/gemini-2\.5-flash:generateContent/);
    assert.equal(call.headers['x-goog-api-key'], gemini.env.GEMINI_API_KEY);
    const parts = call.body.contents[0].parts;
    assert.equal(parts[0].inlineData.mimeType, 'audio/wav');
    assert.equal(Buffer.from(parts[0].inlineData.data, 'base64').equals(AUDIO), true, 'the exact bytes, inline');
    assert.match(parts[1].text, /Transcribe this audio verbatim/);

    await s.api('POST', '/api/files/write', { token: admin.token, body: { filePath: 'memo.ogg', content: 'ogg bytes' } });
    assert.equal((await tool(s, admin.token, 'transcribe_audio', { path: 'memo.ogg' })).text, 'gemini heard 9 bytes of audio/ogg');

    await s.api('POST', '/api/config/settings', { token: admin.token, body: { 'audio-transcriber': { engine: 'gemini', gemini_model: 'gemini-2.5-pro' } } });
    assert.equal((await upload(s, admin.token, AUDIO)).body.model, 'gemini-2.5-pro');
    assert.match(gemini.lastRequest!.path, /gemini-2\.5-pro:generateContent/);
    const bad = await s.api('POST', '/api/config/settings', { token: admin.token, body: { 'audio-transcriber': { gemini_model: '../../x' } } });
    assert.equal(bad.status, 400, 'a model name cannot walk the API path');
    // Chosen but without a key: says which engine lacks what.
    await s.api('POST', '/api/config/settings', { token: admin.token, body: { 'audio-transcriber': { engine: 'openai' } } });
    const none = await upload(s, admin.token, AUDIO);
    assert.equal(none.status, 503);
    assert.match(none.body.error, /engine "openai" is chosen but OPENAI_API_KEY is not set/);
  } finally {
    await s.dispose();
    await gemini.close();
  }
});

test('a Gemini key the API refuses is a 502 PROVIDER_AUTH_FAILED, not a crash', async () => {
  const gemini = await startFakeGeminiAudio(() => 'never', 'the-right-key');
  const s = await startServer({ env: { GEMINI_BASE_URL: gemini.url, GEMINI_API_KEY: 'a-wrong-key' } });
  try {
    const admin = await s.signup();
    const r = await upload(s, admin.token, AUDIO);
    assert.equal(r.status, 502, JSON.stringify(r.body));
    assert.equal(r.body.code, 'PROVIDER_AUTH_FAILED');
    assert.doesNotMatch(JSON.stringify(r.body), /a-wrong-key/);
  } finally {
    await s.dispose();
    await gemini.close();
  }
});
