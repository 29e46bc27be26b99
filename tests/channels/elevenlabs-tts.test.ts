/**
 * ElevenLabs text-to-speech (plugin `elevenlabs`) against a local stand-in of ElevenLabs' API, reached by the official
 * SDK: /api/tts, owner-only /api/audio with Range, path tricks, no key, the speak tool, spoken replies, cleanup.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readSse, startServer, type TestServer } from '../helpers/server.ts';
import { startFakeElevenLabs, type FakeElevenLabs } from '../fakes/elevenlabs-tts.ts';

let s: TestServer;
let el: FakeElevenLabs;
let admin: { token: string };
let alice: { token: string };
let bob: { token: string };
let url = '';

async function get(path: string, token: string | undefined, headers: Record<string, string> = {}) {
  const res = await fetch(s.url + path, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

describe('elevenlabs text-to-speech', () => {
  before(async () => {
    el = await startFakeElevenLabs();
    s = await startServer({ env: el.env });
    admin = await s.signup();
    alice = await s.signup();
    bob = await s.signup();
  });
  after(async () => {
    await s?.dispose();
    await el?.close();
  });

  it('POST /api/tts converts through the SDK and answers an audio URL', async () => {
    const r = await s.api('POST', '/api/tts', { token: alice.token, body: { text: 'Hallo Welt' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.ok, true);
    assert.equal(r.body.format, 'mp3');
    assert.match(r.body.url, /^\/api\/audio\/[A-Za-z0-9_-]+\.mp3\?exp=\d+&uid=[^&]+&sig=[A-Za-z0-9_-]+$/);
    url = r.body.url;
    const req = el.lastRequest!;
    assert.match(req.path, /^\/v1\/text-to-speech\/21m00Tcm4TlvDq8ikWAM\?output_format=mp3_44100_128$/);
    assert.equal(req.headers['xi-api-key'], el.apiKey);
    assert.equal(req.body.text, 'Hallo Welt');
    assert.equal(req.body.model_id, 'eleven_multilingual_v2');
  });

  it('a chosen voice goes into the path', async () => {
    const r = await s.api('POST', '/api/tts', { token: alice.token, body: { text: 'Hi', voice: 'pNInz6obpgDQGcFmaJgB' } });
    assert.equal(r.status, 200);
    assert.match(el.lastRequest!.path, /^\/v1\/text-to-speech\/pNInz6obpgDQGcFmaJgB\?/);
    const bad = await s.api('POST', '/api/tts', { token: alice.token, body: { text: 'Hi', voice: '../x' } });
    assert.equal(bad.status, 400);
    assert.equal((await s.api('POST', '/api/tts', { token: alice.token, body: { text: '   ' } })).status, 400);
    assert.equal((await s.api('POST', '/api/tts', { body: { text: 'x' } })).status, 401);
  });

  it('the owner gets the whole file, audio/mpeg', async () => {
    const r = await get(url, alice.token);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'audio/mpeg');
    assert.equal(r.headers.get('accept-ranges'), 'bytes');
    assert.deepEqual(r.bytes, el.audioFor('Hallo Welt'));
  });

  it('Range → 206 with Content-Range; suffix ranges; past the end → 416', async () => {
    const whole = el.audioFor('Hallo Welt');
    const r = await get(url, alice.token, { range: 'bytes=100-199' });
    assert.equal(r.status, 206);
    assert.equal(r.headers.get('content-range'), `bytes 100-199/${whole.length}`);
    assert.equal(r.headers.get('content-length'), '100');
    assert.deepEqual(r.bytes, whole.subarray(100, 200));
    const tail = await get(url, alice.token, { range: 'bytes=-16' });
    assert.equal(tail.status, 206);
    assert.deepEqual(tail.bytes, whole.subarray(whole.length - 16));
    const open = await get(url, alice.token, { range: 'bytes=6000-' });
    assert.equal(open.status, 206);
    assert.equal(open.headers.get('content-range'), `bytes 6000-${whole.length - 1}/${whole.length}`);
    const past = await get(url, alice.token, { range: `bytes=${whole.length}-` });
    assert.equal(past.status, 416);
    assert.equal(past.headers.get('content-range'), `bytes */${whole.length}`);
  });

  it("another user's file is 404; no token is 401", async () => {
    assert.equal((await get(url, bob.token)).status, 404);
    assert.equal((await get(url, bob.token, { range: 'bytes=0-1' })).status, 404);
    assert.equal((await get(url.split('?')[0], undefined)).status, 401);
  });

  it('names with /, \\, .. or an unknown extension → 400; unknown names → 404', async () => {
    for (const name of ['..%2F..%2Fstore%2Fusers.mp3', '..%5C..%5Cx.mp3', 'a%5Cb.mp3', '..mp3', 'x..mp3', 'abc.txt', 'abc.json', 'abc', '.mp3']) {
      const r = await s.api('GET', `/api/audio/${name}`, { token: alice.token });
      assert.equal(r.status, 400, `${name}: ${r.status}`);
      assert.equal(r.body.error, 'invalid filename');
    }
    const missing = await s.api('GET', '/api/audio/doesnotexist.mp3', { token: alice.token });
    assert.equal(missing.status, 404);
  });

  it('the speak tool speaks through the agent loop', async () => {
    const r = await readSse(`${s.url}/api/chat`, { token: alice.token, body: { message: '/tool speak {"text":"Guten Morgen"}' } });
    const result = r.events.find((e) => e.event === 'tool_result');
    assert.ok(result, JSON.stringify(r.events.map((e) => e.event)));
    assert.equal(result.data.ok, true, JSON.stringify(result.data));
    assert.match(result.data.result.url, /^\/api\/audio\/.+\.mp3\?exp=/);
    assert.deepEqual((await get(result.data.result.url, alice.token)).bytes, el.audioFor('Guten Morgen'));
  });

  it("with tts_engine = elevenlabs, AION's replies come with audio", async () => {
    const set = await s.api('POST', '/api/config/settings', { token: admin.token, body: { tts_engine: 'elevenlabs' } });
    assert.equal(set.status, 200, set.text);
    const r = await readSse(`${s.url}/api/chat`, { token: alice.token, body: { message: 'Read this **aloud**' } });
    const done = r.events.find((e) => e.event === 'done')!;
    assert.ok(done.data.audio, JSON.stringify(done.data));
    assert.ok(done.data.response_blocks.some((b: any) => b.type === 'audio' && b.url === done.data.audio.url));
    assert.equal(el.lastRequest!.body.text, 'Read this aloud');
    assert.equal((await get(done.data.audio.url, alice.token)).status, 200);
    await s.api('POST', '/api/config/settings', { token: admin.token, body: { tts_engine: 'none' } });
  });

  it('a wrong key → 502 TTS_AUTH_FAILED without the key; no key → 400 TTS_NOT_CONFIGURED', async () => {
    await s.api('POST', '/api/keys', { token: admin.token, body: { ELEVENLABS_API_KEY: 'sk_wrong_key_987654321' } });
    const wrong = await s.api('POST', '/api/tts', { token: alice.token, body: { text: 'x' } });
    assert.equal(wrong.status, 502);
    assert.equal(wrong.body.code, 'TTS_AUTH_FAILED');
    assert.ok(!wrong.text.includes('sk_wrong_key'));
    await s.api('POST', '/api/keys', { token: admin.token, body: { ELEVENLABS_API_KEY: '' } });
    const none = await s.api('POST', '/api/tts', { token: alice.token, body: { text: 'x' } });
    assert.equal(none.status, 400);
    assert.equal(none.body.code, 'TTS_NOT_CONFIGURED');
    await s.api('POST', '/api/keys', { token: admin.token, body: { ELEVENLABS_API_KEY: el.apiKey } });
  });

  it('old files are deleted by age', async () => {
    const r = await s.api('POST', '/api/tts', { token: alice.token, body: { text: 'kurz' } });
    assert.equal((await get(r.body.url, alice.token)).status, 200);
    const set = await s.api('POST', '/api/config/settings', { token: admin.token, body: { elevenlabs: { max_age_hours: 0.0003, cleanup_interval_minutes: 0.01 } } });
    assert.equal(set.status, 200, set.text);
    let status = 200;
    for (let i = 0; i < 30 && status === 200; i++) {
      await new Promise((res) => setTimeout(res, 200));
      status = (await get(r.body.url, alice.token)).status;
    }
    assert.equal(status, 404);
  });
});
