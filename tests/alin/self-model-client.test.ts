/**
 * The self-model routes the original client calls beyond the documented ones: decisions, thinking traces and model
 * success rates (a bare array, read by its model router), with its bodies and the fields it reads; per user.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { TestServer } from '../helpers/server.ts';
import { assertError, bootWithAdmin, type Account } from './helpers.ts';

let s: TestServer;
let a: Account;
let b: Account;
before(async () => {
  ({ s, admin: a } = await bootWithAdmin());
  b = await s.signup();
});
after(() => s.dispose());
const as = (who: Account) => (method: string, path: string, body?: unknown) => s.api(method, path, { token: who.token, body });

it('decisions: the client body is stored and listed newest first, by TBWO, with a limit; per user', async () => {
  const base = Date.now();
  for (let i = 0; i < 5; i++) {
    const r = await as(a)('POST', '/api/self-model/decisions', {
      tbwoId: i < 3 ? 'tb-1' : 'tb-2', decisionType: 'model_selection', optionsConsidered: [{ option: 'opus' }, { option: 'haiku' }],
      chosenOption: 'haiku', reasoning: `because ${i}`, outcome: 'ok', confidence: 0.75, timestamp: base + i,
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(typeof r.body.id, 'string');
  }
  const all = (await as(a)('GET', '/api/self-model/decisions?limit=50')).body.decisions;
  assert.deepEqual(all.map((d: any) => d.reasoning), ['because 4', 'because 3', 'because 2', 'because 1', 'because 0']);
  assert.deepEqual(Object.keys(all[0]).sort(), ['chosenOption', 'confidence', 'decisionType', 'id', 'optionsConsidered', 'outcome', 'reasoning', 'tbwoId', 'timestamp']);
  assert.deepEqual(all[0].optionsConsidered, [{ option: 'opus' }, { option: 'haiku' }]);
  assert.deepEqual((await as(a)('GET', '/api/self-model/decisions?tbwoId=tb-1&limit=2')).body.decisions.map((d: any) => d.reasoning), ['because 2', 'because 1']);
  assert.deepEqual((await as(b)('GET', '/api/self-model/decisions')).body.decisions, []);
  assertError(await as(a)('POST', '/api/self-model/decisions', { confidence: 'high' }), 400);
  assertError(await as(a)('GET', '/api/self-model/decisions?limit=0'), 400);
});

it('thinking traces: search (?q, newest first), by conversation and TBWO (in order); per user', async () => {
  const t0 = Date.now();
  const post = (who: Account, body: unknown) => as(who)('POST', '/api/self-model/thinking-traces', body);
  assert.equal((await post(a, { conversationId: 'c1', messageId: 'm1', thinkingContent: 'Consider the Database schema', timestamp: t0 })).status, 200);
  await post(a, { conversationId: 'c1', messageId: 'm2', tbwoId: 'tb-1', thinkingContent: 'then the API', timestamp: t0 + 1 });
  await post(a, { conversationId: 'c2', messageId: 'm3', tbwoId: 'tb-1', thinkingContent: 'database indexes too', timestamp: t0 + 2 });
  await post(b, { conversationId: 'c1', messageId: 'x', thinkingContent: 'database of user b', timestamp: t0 + 3 });
  const q = (await as(a)('GET', '/api/self-model/thinking-traces?q=database&limit=10')).body.traces;
  assert.deepEqual(q.map((t: any) => t.messageId), ['m3', 'm1']);
  assert.deepEqual(Object.keys(q[0]).sort(), ['conversationId', 'id', 'messageId', 'tbwoId', 'thinkingContent', 'timestamp']);
  assert.deepEqual((await as(a)('GET', '/api/self-model/thinking-traces?conversationId=c1')).body.traces.map((t: any) => t.messageId), ['m1', 'm2']);
  assert.deepEqual((await as(a)('GET', '/api/self-model/thinking-traces?tbwoId=tb-1')).body.traces.map((t: any) => t.messageId), ['m2', 'm3']);
  assert.deepEqual((await as(a)('GET', '/api/self-model/thinking-traces?limit=1')).body.traces.map((t: any) => t.messageId), ['m3']);
  assert.deepEqual((await as(b)('GET', '/api/self-model/thinking-traces?q=database')).body.traces.map((t: any) => t.messageId), ['x']);
  // A conversation id that is not a safe name is stored and found, never used as a path.
  assert.equal((await post(a, { conversationId: '../../etc', thinkingContent: 'odd id' })).status, 200);
  assert.deepEqual((await as(a)('GET', '/api/self-model/thinking-traces?conversationId=../../etc')).body.traces.map((t: any) => t.thinkingContent), ['odd id']);
});

it('model success rates: a bare array from tool-reliability posts with a model; unknown models skipped; per user', async () => {
  assert.deepEqual((await as(a)('GET', '/api/self-model/model-success-rates')).body, []);
  for (const [success, duration] of [[true, 100], [true, 300], [false, 200]] as const) {
    await as(a)('POST', '/api/self-model/tool-reliability', { toolName: 'file_write', success, duration, model: 'claude-sonnet-4-5-20250929', errorReason: success ? undefined : 'boom' });
  }
  await as(a)('POST', '/api/self-model/tool-reliability', { toolName: 'file_write', success: true, duration: 5, model: 'unknown' });
  await as(a)('POST', '/api/self-model/tool-reliability', { toolName: 'file_read', success: false, duration: 5, model: 'gpt-4o' });
  const r = await as(a)('GET', '/api/self-model/model-success-rates');
  assert.equal(r.status, 200);
  assert.ok(Array.isArray(r.body), r.text);
  assert.deepEqual(r.body, [
    { model: 'claude-sonnet-4-5-20250929', successCount: 2, failureCount: 1, totalCalls: 3, avgDuration: 200 },
    { model: 'gpt-4o', successCount: 0, failureCount: 1, totalCalls: 1, avgDuration: 5 },
  ]);
  assert.deepEqual((await as(b)('GET', '/api/self-model/model-success-rates')).body, []);
});

it('every new route answers 401 without a token', async () => {
  for (const [m, p] of [['GET', '/api/self-model/decisions'], ['POST', '/api/self-model/decisions'], ['GET', '/api/self-model/thinking-traces'], ['POST', '/api/self-model/thinking-traces'], ['GET', '/api/self-model/model-success-rates']]) {
    assertError(await s.api(m, p, { body: m === 'POST' ? {} : undefined }), 401);
  }
});
