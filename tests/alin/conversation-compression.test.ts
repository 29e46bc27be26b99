/**
 * `GET /api/conversations/:id` compressed for clients that accept it: the copy is made once per version of the
 * conversation, off the request (the first request of a version is answered uncompressed), and is byte for byte the
 * uncompressed body once decoded — never a stale version after a new message or a changed title.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { TestServer } from '../helpers/server.ts';
import { bootWithAdmin, type Account } from './helpers.ts';

let s: TestServer;
let u: Account;
const api = (method: string, path: string, body?: unknown) => s.api(method, path, { token: u.token, body });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A GET as the raw bytes on the wire (`fetch` would decode them). */
function rawGet(path: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${s.url}${path}`, { headers: { authorization: `Bearer ${u.token}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const decode = (encoding: string | undefined, body: Buffer) =>
  encoding === 'gzip' ? zlib.gunzipSync(body) : encoding === 'br' ? zlib.brotliDecompressSync(body) : body;

/** GET until the answer comes in `encoding` (the copy is made in the background after the first request). */
async function compressed(path: string, acceptEncoding: string, encoding: string) {
  for (let i = 0; i < 200; i++) {
    const r = await rawGet(path, { 'accept-encoding': acceptEncoding });
    assert.equal(r.status, 200);
    if (r.headers['content-encoding'] === encoding) return r;
    assert.equal(r.headers['content-encoding'], undefined, 'only the encoding asked for, or none');
    await sleep(5);
  }
  throw new Error(`never answered in ${encoding}`);
}

let id: string;
before(async () => {
  ({ s } = await bootWithAdmin());
  u = await s.signup();
  id = (await api('POST', '/api/conversations', { title: 'Compressed' })).body.id;
  for (let i = 0; i < 30; i++) {
    const r = await api('POST', '/api/messages', { conversationId: id, role: i % 2 ? 'assistant' : 'user', content: `message ${i}: ${'lorem ipsum dolor sit amet '.repeat(4)}` });
    assert.equal(r.status, 201, r.text);
  }
});
after(() => s.dispose());

describe('GET /api/conversations/:id with Accept-Encoding', () => {
  it('without Accept-Encoding: never compressed, and says it varies by it', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await rawGet(`/api/conversations/${id}`, {});
      assert.equal(r.headers['content-encoding'], undefined);
      assert.match(String(r.headers.vary), /accept-encoding/i);
      assert.equal(JSON.parse(r.body.toString()).messages.length, 30);
    }
  });

  it('gzip (what a browser lists first): the same bytes once decoded, with a length that matches', async () => {
    const plain = await rawGet(`/api/conversations/${id}`, {});
    const r = await compressed(`/api/conversations/${id}`, 'gzip, deflate, br, zstd', 'gzip');
    assert.ok(r.body.length < plain.body.length / 3, `${r.body.length} of ${plain.body.length} bytes`);
    assert.equal(Number(r.headers['content-length']), r.body.length);
    assert.match(String(r.headers.vary), /accept-encoding/i);
    assert.deepEqual(decode('gzip', r.body), plain.body);
  });

  it('brotli when the client prefers it; identity;q=0 alone is not a reason to fail', async () => {
    const plain = await rawGet(`/api/conversations/${id}`, {});
    const r = await compressed(`/api/conversations/${id}`, 'br;q=1, gzip;q=0.5', 'br');
    assert.deepEqual(decode('br', r.body), plain.body);
    const g = await compressed(`/api/conversations/${id}`, 'gzip, identity;q=0', 'gzip');
    assert.deepEqual(decode('gzip', g.body), plain.body);
  });

  it('an encoding it does not make (deflate, zstd) → the body as it is', async () => {
    for (const accept of ['deflate', 'zstd', 'compress', '*;q=0, identity']) {
      const r = await rawGet(`/api/conversations/${id}`, { 'accept-encoding': accept });
      assert.equal(r.status, 200);
      assert.equal(r.headers['content-encoding'], undefined, accept);
      assert.equal(JSON.parse(r.body.toString()).messages.length, 30);
    }
  });

  it('a new message or a new title: the next answer is never the old compressed copy', async () => {
    await compressed(`/api/conversations/${id}`, 'gzip', 'gzip');
    assert.equal((await api('POST', '/api/messages', { conversationId: id, role: 'user', content: 'the newest one' })).status, 201);
    const afterMessage = await rawGet(`/api/conversations/${id}`, { 'accept-encoding': 'gzip' });
    const m = JSON.parse(decode(afterMessage.headers['content-encoding'], afterMessage.body).toString());
    assert.equal(m.messages.length, 31);
    assert.equal(m.messages.at(-1).content, 'the newest one');
    await compressed(`/api/conversations/${id}`, 'gzip', 'gzip');
    assert.equal((await api('PATCH', `/api/conversations/${id}`, { title: 'Renamed' })).status, 200);
    const afterTitle = await rawGet(`/api/conversations/${id}`, { 'accept-encoding': 'gzip' });
    assert.equal(JSON.parse(decode(afterTitle.headers['content-encoding'], afterTitle.body).toString()).conversation.title, 'Renamed');
    const again = await compressed(`/api/conversations/${id}`, 'gzip', 'gzip');
    const doc = JSON.parse(decode('gzip', again.body).toString());
    assert.deepEqual([doc.conversation.title, doc.messages.length], ['Renamed', 31]);
  });

  it('a small conversation goes uncompressed (the copy would save less than its headers)', async () => {
    const small = (await api('POST', '/api/conversations', { title: 'small' })).body.id;
    for (let i = 0; i < 5; i++) {
      const r = await rawGet(`/api/conversations/${small}`, { 'accept-encoding': 'gzip' });
      assert.equal(r.headers['content-encoding'], undefined);
      await sleep(5);
    }
  });

  it("another user's conversation is a 404 whatever the encoding", async () => {
    const other = await s.signup();
    const r = await new Promise<number>((resolve, reject) => {
      http.request(`${s.url}/api/conversations/${id}`, { headers: { authorization: `Bearer ${other.token}`, 'accept-encoding': 'gzip' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      }).on('error', reject).end();
    });
    assert.equal(r, 404);
  });
});
