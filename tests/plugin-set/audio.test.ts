/**
 * The audio transcriber: without a key it says clearly that no transcriber is configured; with OpenAI or ElevenLabs
 * keys it sends the audio through their SDKs to local stand-ins speaking their multipart wire formats; workspace
 * paths stay inside the caller's workspace.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
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
