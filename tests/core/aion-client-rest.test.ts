/**
 * Issue 13, item 6: the rest of the original client's calls — permissions (enforced by the approval flow), key
 * deletion and custom keys, custom OpenAI-compatible providers (against tests/fakes/openai.ts), activity, file
 * processing, wake-up ack and mood.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startFakeOpenAI } from '../fakes/openai.ts';
import type { FakeProvider } from '../fakes/server.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { clientChat, eventually } from './aion-client-stream.ts';

let s: TestServer;
let fake: FakeProvider;
let admin: string;
let user: string;

before(async () => {
  fake = await startFakeOpenAI(() => ({ blocks: [{ type: 'text', text: 'hello from the custom server' }] }));
  s = await startServer(); // no OPENAI_* here: the custom provider must stand on its own
  admin = (await s.signup()).token;
  user = (await s.signup()).token;
});
after(async () => {
  await s.dispose();
  await fake.close();
});

const chat = (message: string, token = admin) => clientChat(s.url, token, { message });

test('permissions: GET has permissions/preset/labels/defaults; deny refuses, ask parks, per user', async () => {
  const g = (await s.api('GET', '/api/permissions', { token: user })).body;
  assert.equal(g.permissions.shell_exec, 'ask');
  assert.equal(g.preset, 'balanced');
  assert.ok(g.labels.shell_exec && g.defaults.file_write);
  // The client's preset call: every category and the preset name.
  const conservative = { shell_exec: 'ask', install_package: 'ask', file_write: 'ask', file_delete: 'ask', self_modify: 'ask', create_plugin: 'ask', restart: 'ask', web_search: 'allow', web_fetch: 'allow', telegram_auto: 'ask', memory_write: 'allow', schedule: 'ask' };
  const p = await s.api('POST', '/api/permissions', { token: user, body: { ...conservative, preset: 'conservative' } });
  assert.equal(p.body.ok, true);
  assert.equal((await s.api('GET', '/api/permissions', { token: user })).body.preset, 'conservative');
  const asked = await chat('/tool file_write {"path":"p.txt","content":"x"}', user);
  assert.equal(asked.frames.find((f) => f.type === 'approval')?.name, 'file_write', 'file_write: ask parks the call');
  assert.equal(asked.frames.at(-1)!.approval_pending, true);
  assert.equal((await chat('nein', user)).frames.find((f) => f.type === 'tool_result')?.ok, false);
  await s.api('POST', '/api/permissions', { token: user, body: { file_write: 'deny' } });
  const denied = await chat('/tool file_write {"path":"p.txt","content":"x"}', user);
  const r = denied.frames.find((f) => f.type === 'tool_result')!;
  assert.equal(r.ok, false);
  assert.match(r.result.error, /not allowed by your permissions/);
  assert.equal((await s.api('POST', '/api/files/read', { token: user, body: { path: 'p.txt' } })).status, 404, 'never written');
  // A tool by name: file_read asks now.
  await s.api('POST', '/api/permissions', { token: user, body: { file_read: 'ask' } });
  assert.ok((await chat('/tool file_read {"path":"x"}', user)).frames.some((f) => f.type === 'approval'));
  await chat('no', user);
  // Another user is not affected; allow never lifts the approval of an exec tool.
  assert.equal((await chat('/tool file_write {"path":"q.txt","content":"y"}')).frames.find((f) => f.type === 'tool_result')?.ok, true);
  await s.api('POST', '/api/permissions', { token: admin, body: { shell_exec: 'allow' } });
  assert.ok((await chat('/tool run_command {"command":"true"}')).frames.some((f) => f.type === 'approval'));
  await chat('nein');
  assert.equal((await s.api('POST', '/api/permissions', { token: user, body: { shell_exec: 'sometimes' } })).status, 400);
  assert.equal((await s.api('POST', '/api/permissions', { token: user, body: { launch_rockets: 'allow' } })).status, 400);
});

test('keys: custom keys are listed in other_keys, DELETE /api/keys/{ENV} removes one; GOOGLE_CLIENT_ID is offered', async () => {
  assert.equal((await s.api('POST', '/api/keys', { token: admin, body: { MYSERVICE_API_KEY: 'abcdefghijklmnop' } })).status, 200);
  let keys = (await s.api('GET', '/api/keys', { token: admin })).body;
  const mine = keys.other_keys.find((k: any) => k.key === 'MYSERVICE_API_KEY');
  assert.deepEqual(mine, { key: 'MYSERVICE_API_KEY', set: true, masked: 'abcd…mnop' });
  assert.ok(keys.other_keys.some((k: any) => k.key === 'GOOGLE_CLIENT_ID'), 'the client shows Google sign-in when it finds GOOGLE_CLIENT_ID');
  const d = await s.api('DELETE', '/api/keys/MYSERVICE_API_KEY', { token: admin });
  assert.deepEqual(d.body, { ok: true, deleted: 'MYSERVICE_API_KEY' });
  keys = (await s.api('GET', '/api/keys', { token: admin })).body;
  assert.ok(!keys.other_keys.some((k: any) => k.key === 'MYSERVICE_API_KEY' && k.set));
  assert.equal((await s.api('DELETE', '/api/keys/MYSERVICE_API_KEY', { token: admin })).status, 404);
  assert.equal((await s.api('DELETE', '/api/keys/PATH', { token: admin })).status, 400);
  assert.equal((await s.api('DELETE', '/api/keys/JWT_SECRET', { token: admin })).status, 400);
  assert.equal((await s.api('DELETE', '/api/keys/GOOGLE_CLIENT_ID', { token: user })).status, 403);
});

test('custom providers: added at run time with its models, chosen, chatted with through the OpenAI SDK, removed', async () => {
  const add = await s.api('POST', '/api/custom-providers', { token: admin, body: { name: 'LocalLab', base_url: `${fake.url}/v1`, api_key_env: 'LOCALLAB_API_KEY', models: 'lab-small, lab-large' } });
  assert.equal(add.status, 200, add.text);
  assert.equal(add.body.ok, true);
  const list = (await s.api('GET', '/api/custom-providers', { token: admin })).body.providers;
  assert.deepEqual(list.map((p: any) => [p.name, p.base_url, p.models]), [['LocalLab', `${fake.url}/v1`, ['lab-small', 'lab-large']]]);
  const pv = await eventually(async () => (await s.api('GET', '/api/providers', { token: admin })).body.providers.find((p: any) => p.label === 'LocalLab'));
  assert.deepEqual(pv.models, ['lab-small', 'lab-large']);
  assert.equal(pv.configured, false, 'its key is not set yet');
  assert.equal((await s.api('POST', '/api/model', { token: admin, body: { model: 'lab-large' } })).body.code, 'PROVIDER_NOT_CONFIGURED');
  await s.api('POST', '/api/keys', { token: admin, body: { LOCALLAB_API_KEY: 'lab-secret-key-123' } });
  assert.equal((await s.api('POST', '/api/model', { token: admin, body: { model: 'lab-large' } })).body.ok, true);
  try {
    const r = await chat('hi there');
    assert.equal(r.frames.at(-1)!.full_response, 'hello from the custom server');
    assert.equal(fake.lastRequest!.body.model, 'lab-large');
    assert.equal(fake.lastRequest!.headers.authorization, 'Bearer lab-secret-key-123');
  } finally {
    await s.api('POST', '/api/model', { token: admin, body: { model: 'echo-1' } });
  }
  assert.equal((await s.api('POST', '/api/custom-providers', { token: admin, body: { name: 'x', base_url: 'file:///etc/passwd', models: 'm' } })).status, 400);
  assert.equal((await s.api('POST', '/api/custom-providers', { token: admin, body: { name: 'x', base_url: `${fake.url}/v1`, models: '' } })).status, 400);
  assert.equal((await s.api('POST', '/api/custom-providers', { token: admin, body: { name: 'x', base_url: `${fake.url}/v1`, models: 'm', api_key_env: 'PATH' } })).status, 400);
  assert.equal((await s.api('POST', '/api/custom-providers', { token: user, body: { name: 'x', base_url: `${fake.url}/v1`, models: 'm' } })).status, 403);
  assert.deepEqual((await s.api('DELETE', '/api/custom-providers/LocalLab', { token: admin })).body, { ok: true, deleted: 'LocalLab' });
  await eventually(async () => !(await s.api('GET', '/api/providers', { token: admin })).body.providers.some((p: any) => p.label === 'LocalLab'));
  assert.equal((await s.api('DELETE', '/api/custom-providers/LocalLab', { token: admin })).status, 404);
});

test('activity: tool calls and results of the caller, as the client’s table reads them', async () => {
  const u = (await s.signup()).token;
  await chat('/tool file_list {"path":"."}', u);
  const events = (await s.api('GET', '/api/activity?limit=60', { token: u })).body.events;
  const call = events.find((e: any) => e.type === 'tool_call');
  const result = events.find((e: any) => e.type === 'tool_result');
  assert.equal(call.tool, 'file_list');
  assert.equal(result.tool, 'file_list');
  assert.equal(result.ok, true);
  assert.equal(typeof result.duration, 'number');
  assert.ok(!Number.isNaN(Date.parse(call.ts)));
  assert.deepEqual((await s.api('GET', '/api/activity', { token: (await s.signup()).token })).body.events, [], 'per user');
});

/** A one-page PDF whose page shows "Hello PDF" (pdf.js rebuilds the cross-reference table it lacks). */
function tinyPdf(): Buffer {
  const stream = 'BT /F1 24 Tf 72 720 Td (Hello PDF) Tj ET';
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objs.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offsets.map((n) => `${String(n).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

test('process_file: text, Markdown, PDF (unpdf) and images → { ok, text }; other types 415, too large 413, no file 400', async () => {
  const upload = async (name: string, data: Buffer | string, type = 'application/octet-stream', token = user) => {
    const fd = new FormData();
    fd.append('file', new Blob([typeof data === 'string' ? data : new Uint8Array(data)], { type }), name);
    const res = await fetch(`${s.url}/api/process_file`, { method: 'POST', body: fd, headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: await res.json() };
  };
  const md = await upload('notes.md', '# Title\nsome *notes*');
  assert.deepEqual([md.status, md.body.ok, md.body.text], [200, true, '# Title\nsome *notes*']);
  const pdf = await upload('doc.pdf', tinyPdf(), 'application/pdf');
  assert.equal(pdf.status, 200, JSON.stringify(pdf.body));
  assert.match(pdf.body.text, /Hello PDF/);
  assert.equal(pdf.body.pages, 1);
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
  const img = await upload('pic.png', png, 'image/png');
  assert.equal(img.body.ok, true);
  assert.match(img.body.image, /^data:image\/png;base64,/);
  assert.equal(typeof img.body.text, 'string');
  const zip = await upload('a.zip', Buffer.from('PK\u0003\u0004'));
  assert.equal(zip.status, 415);
  assert.match(zip.body.error, /supported/);
  assert.equal((await upload('x.pdf', Buffer.from('not a pdf'), 'application/pdf')).status, 422);
  const big = await upload('big.txt', Buffer.alloc(11 * 1024 * 1024, 'a'));
  assert.equal(big.status, 413);
  const none = await fetch(`${s.url}/api/process_file`, { method: 'POST', body: new FormData(), headers: { authorization: `Bearer ${user}` } });
  assert.equal(none.status, 400);
  assert.equal((await fetch(`${s.url}/api/process_file`, { method: 'POST', body: new FormData() })).status, 401);
});

test('wake-up ack and mood: answers the client understands', async () => {
  assert.deepEqual((await s.api('POST', '/api/wakeup-ack', { token: user })).body, { ok: true });
  const st = (await s.api('GET', '/api/status', { token: user })).body;
  // The mood-engine plugin's current mood for the caller (tests/plugin-set cover how it moves); a word the badge shows.
  assert.ok(['curious', 'focused', 'playful', 'calm', 'reflective'].includes(st.mood), String(st.mood));
  assert.equal(st.pending_wakeup, '');
});
