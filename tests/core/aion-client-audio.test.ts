/**
 * Issue 13, item 8: audio for `<audio src>` — signed, short-lived URLs that work without a header, expire, are bound
 * to their user and file, and refuse any tampering. ElevenLabs is the local stand-in reached by the official SDK.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startFakeElevenLabs, type FakeElevenLabs } from '../fakes/elevenlabs-tts.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { clientChat } from './aion-client-stream.ts';

let s: TestServer;
let el: FakeElevenLabs;
let admin: string;
let alice: { token: string; user: any };
let bob: { token: string; user: any };

before(async () => {
  el = await startFakeElevenLabs();
  s = await startServer({ env: el.env });
  admin = (await s.signup()).token;
  alice = await s.signup();
  bob = await s.signup();
});
after(async () => {
  await s.dispose();
  await el.close();
});

/** What `<audio src>` does: a plain GET, no Authorization header. */
const play = (url: string, headers: Record<string, string> = {}) => fetch(s.url + url, { headers });
const tts = async (token: string, text: string) => (await s.api('POST', '/api/tts', { token, body: { text } })).body.url as string;
const withParam = (url: string, key: string, value: string) => {
  const u = new URL(url, 'http://x');
  u.searchParams.set(key, value);
  return `${u.pathname}?${u.searchParams.toString()}`;
};

test('a spoken reply’s audio URL in done.response_blocks plays without a header (whole file and Range)', async () => {
  await s.api('POST', '/api/config/settings', { token: admin, body: { tts_engine: 'elevenlabs' } });
  try {
    const r = await clientChat(s.url, alice.token, { message: 'Read this aloud' });
    const audio = r.frames.at(-1)!.response_blocks.find((b: any) => b.type === 'audio');
    assert.ok(audio, JSON.stringify(r.frames.at(-1)));
    const res = await play(audio.url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'audio/mpeg');
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), el.audioFor('Read this aloud'));
    assert.equal((await play(audio.url, { range: 'bytes=0-9' })).status, 206);
  } finally {
    await s.api('POST', '/api/config/settings', { token: admin, body: { tts_engine: 'off' } });
  }
});

test('bound to its user and file; any tampering is 403; no signature and no token is 401', async () => {
  const a = await tts(alice.token, 'alice speaks');
  const b = await tts(bob.token, 'bob speaks');
  assert.equal((await play(a)).status, 200);
  assert.equal((await play(b)).status, 200);
  const aName = a.split('?')[0];
  const bName = b.split('?')[0];
  const aQuery = a.split('?')[1];
  const attempts = [
    `${bName}?${aQuery}`, // Alice's signature on Bob's file
    withParam(a, 'uid', bob.user.id), // claim to be Bob
    withParam(a, 'exp', String(Number(new URL(a, 'http://x').searchParams.get('exp')) + 3600)), // stretch the expiry
    withParam(a, 'sig', 'A'.repeat(43)), // forged signature
    withParam(a, 'sig', new URL(a, 'http://x').searchParams.get('sig')!.slice(0, -2) + 'xx'), // one char changed
    withParam(a, 'sig', ''), // empty
    withParam(a, 'exp', 'soon'),
  ];
  let through = 0;
  for (const url of attempts) {
    const res = await play(url);
    if (res.status === 200) through++;
    assert.ok([401, 403].includes(res.status), `${url} → ${res.status}`);
    const body = await res.json();
    assert.ok(body.error && body.code, 'a JSON error');
  }
  assert.equal(through, 0, `${attempts.length} tampered URLs, none got through`);
  assert.equal((await play(aName)).status, 401, 'never an open URL');
  // With a token the owner rule still holds: Bob's token on Alice's signed URL is Bob asking → 404.
  assert.equal((await play(a, { authorization: `Bearer ${bob.token}` })).status, 404);
});

test('a signed URL expires (audio_url_ttl_seconds)', async () => {
  await s.api('POST', '/api/config/settings', { token: admin, body: { elevenlabs: { audio_url_ttl_seconds: 1 } } });
  try {
    const url = await tts(alice.token, 'short lived');
    await new Promise((r) => setTimeout(r, 2200)); // past the 1 s lifetime (expiry has 1 s resolution)
    const res = await play(url);
    assert.equal(res.status, 403);
    assert.equal((await res.json()).code, 'URL_EXPIRED');
    assert.equal((await play(url, { authorization: `Bearer ${alice.token}` })).status, 200, 'the owner with a token still plays it');
  } finally {
    await s.api('POST', '/api/config/settings', { token: admin, body: { elevenlabs: { audio_url_ttl_seconds: 600 } } });
  }
});
