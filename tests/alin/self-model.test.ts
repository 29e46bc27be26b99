/** Self-model: outcomes, tool reliability (also from agent tool calls), corrections, layer memory with TTLs and prune. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestServer } from '../helpers/server.ts';
import { assertError, bootWithAdmin, type Account } from './helpers.ts';

let s: TestServer;
let admin: Account;
let u: Account;
const api = (method: string, path: string, body?: unknown, who: Account = u) => s.api(method, path, { token: who.token, body });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const HOUR = 3_600_000;

before(async () => {
  ({ s, admin } = await bootWithAdmin());
  u = await s.signup();
});
after(() => s.dispose());

describe('outcomes', () => {
  it('POST → 201 with defaults (numbers 0, strings "")', async () => {
    const r = await api('POST', '/api/self-model/outcomes', { type: 'website_sprint' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.success, true);
    const o = r.body.outcome;
    assert.equal(o.id, r.body.id);
    assert.deepEqual(
      [o.tbwoId, o.type, o.objective, o.success, o.timeBudget, o.planConfidence, o.phasesCompleted, o.phasesFailed, o.artifactsCount, o.userEditsAfter, o.qualityScore, o.durationMs, o.details],
      [null, 'website_sprint', '', null, 0, 0, 0, 0, 0, 0, 0, 0, {}],
    );
    assert.equal(typeof o.timestamp, 'number');
  });

  it('keeps every documented field; GET newest first, ?type filters, limit (50, ≤200)', async () => {
    const full = { tbwoId: 't1', type: 'research_report', objective: 'o', success: true, timeBudget: 30, planConfidence: 0.8, phasesCompleted: 3, phasesFailed: 1, artifactsCount: 4, userEditsAfter: 2, qualityScore: 7.5, durationMs: 1234, details: { a: [1] } };
    const r = await api('POST', '/api/self-model/outcomes', full);
    for (const [k, v] of Object.entries(full)) assert.deepEqual(r.body.outcome[k], v, k);
    for (let i = 0; i < 55; i++) await api('POST', '/api/self-model/outcomes', { type: 'bulk', objective: String(i) });
    const all = await api('GET', '/api/self-model/outcomes');
    assert.equal(all.status, 200);
    assert.deepEqual(Object.keys(all.body).sort(), ['outcomes', 'success']);
    assert.equal(all.body.outcomes.length, 50);
    assert.equal(all.body.outcomes[0].objective, '54', 'newest first');
    assert.equal((await api('GET', '/api/self-model/outcomes?limit=500')).body.outcomes.length, 57);
    const typed = (await api('GET', '/api/self-model/outcomes?type=research_report')).body.outcomes;
    assert.deepEqual(typed.map((o: any) => o.tbwoId), ['t1']);
    assert.equal((await api('GET', '/api/self-model/outcomes?limit=3')).body.outcomes.length, 3);
  });

  it('400 on a missing type or wrong types; 401 without a token', async () => {
    for (const body of [{}, { type: 5 }, { type: 'x', success: 'yes' }, { type: 'x', phasesCompleted: -1 }, { type: 'x', details: 'no' }]) {
      assertError(await api('POST', '/api/self-model/outcomes', body), 400, 'VALIDATION_ERROR');
    }
    assertError(await api('GET', '/api/self-model/outcomes?limit=zero'), 400);
    assertError(await s.api('GET', '/api/self-model/outcomes'), 401);
    assertError(await s.api('POST', '/api/self-model/outcomes', { body: { type: 'x' } }), 401);
  });
});

describe('tool reliability', () => {
  it('counts, running average (duration or durationMs), last 10 errors ≤ 200 chars, last failure ≤ 500; sorted by calls', async () => {
    await api('POST', '/api/self-model/tool-reliability', { toolName: 'read_file', success: true, duration: 10 });
    await api('POST', '/api/self-model/tool-reliability', { toolName: 'read_file', success: true, durationMs: 30 });
    for (let i = 0; i < 12; i++) await api('POST', '/api/self-model/tool-reliability', { toolName: 'web', success: false, duration: 100, errorReason: `err ${i} ${'x'.repeat(600)}`, model: 'm' });
    const r = await api('POST', '/api/self-model/tool-reliability', { toolName: 'web', success: true, duration: 100 });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.success, true);
    const g = await api('GET', '/api/self-model/tool-reliability');
    assert.deepEqual(Object.keys(g.body).sort(), ['success', 'tools']);
    const [web, read] = g.body.tools;
    assert.deepEqual(Object.keys(web).sort(), ['avgDuration', 'commonErrors', 'failureCount', 'lastFailureReason', 'successCount', 'successRate', 'toolName']);
    assert.deepEqual([web.toolName, web.successCount, web.failureCount, web.avgDuration], ['web', 1, 12, 100]);
    assert.equal(web.successRate, Math.round((1 / 13) * 10_000) / 10_000);
    assert.equal(web.commonErrors.length, 10);
    assert.ok(web.commonErrors[0].startsWith('err 2 '));
    assert.ok(web.commonErrors.every((e: string) => e.length <= 200));
    assert.ok(web.lastFailureReason.startsWith('err 11 ') && web.lastFailureReason.length === 500);
    assert.deepEqual([read.toolName, read.successCount, read.failureCount, read.avgDuration, read.successRate, read.commonErrors, read.lastFailureReason], ['read_file', 2, 0, 20, 1, [], null]);
  });

  it('concurrent first records of one tool all count', async () => {
    const rs = await Promise.all(Array.from({ length: 20 }, () => api('POST', '/api/self-model/tool-reliability', { toolName: 'burst', success: true })));
    assert.ok(rs.every((r) => r.status === 200));
    const t = (await api('GET', '/api/self-model/tool-reliability')).body.tools.find((x: any) => x.toolName === 'burst');
    assert.equal(t.successCount, 20);
  });

  it('every agent tool call is recorded for its user (hook)', async () => {
    const chat = await s.api('POST', '/api/chat', { token: admin.token, body: { message: '/tool no_such_tool {"a":1}' } });
    assert.equal(chat.status, 200, chat.text);
    let tool: any;
    for (let i = 0; i < 50 && !tool; i++) {
      tool = (await api('GET', '/api/self-model/tool-reliability', undefined, admin)).body.tools.find((x: any) => x.toolName === 'no_such_tool');
      if (!tool) await sleep(50);
    }
    assert.ok(tool, 'the tool call was recorded');
    assert.equal(tool.failureCount, 1);
    assert.match(tool.lastFailureReason, /Unknown tool/);
    // Per user: the other user does not see it.
    assert.ok(!(await api('GET', '/api/self-model/tool-reliability')).body.tools.some((x: any) => x.toolName === 'no_such_tool'));
  });

  it('400 on bad bodies; 401 without a token', async () => {
    for (const body of [{}, { toolName: 'x' }, { success: true }, { toolName: '', success: true }, { toolName: 'x', success: 'yes' }, { toolName: 'x', success: true, duration: -1 }]) {
      assertError(await api('POST', '/api/self-model/tool-reliability', body), 400, 'VALIDATION_ERROR');
    }
    assertError(await s.api('GET', '/api/self-model/tool-reliability'), 401);
    assertError(await s.api('POST', '/api/self-model/tool-reliability', { body: { toolName: 'x', success: true } }), 401);
  });
});

describe('corrections', () => {
  it('new → 201 count 1; the same (category, correctedValue) increments; aliases original/corrected', async () => {
    const a = await api('POST', '/api/self-model/corrections', { originalValue: 'colour', correctedValue: 'color' });
    assert.equal(a.status, 201, a.text);
    assert.deepEqual(Object.keys(a.body).sort(), ['correctionCount', 'id', 'success']);
    assert.equal(a.body.correctionCount, 1);
    const b = await api('POST', '/api/self-model/corrections', { original: 'colr', corrected: 'color' });
    assert.equal(b.body.id, a.body.id);
    assert.equal(b.body.correctionCount, 2);
    const c = await api('POST', '/api/self-model/corrections', { original: 'colour', corrected: 'color', category: 'spelling' });
    assert.notEqual(c.body.id, a.body.id);
    assert.equal(c.body.correctionCount, 1);
    await Promise.all(Array.from({ length: 10 }, () => api('POST', '/api/self-model/corrections', { original: 'x', corrected: 'y', category: 'burst' })));
    const g = await api('GET', '/api/self-model/corrections');
    assert.deepEqual(Object.keys(g.body).sort(), ['corrections', 'success']);
    assert.deepEqual(g.body.corrections.map((x: any) => [x.category, x.correctedValue, x.correctionCount]), [['burst', 'y', 10], ['general', 'color', 2], ['spelling', 'color', 1]]);
    const general = g.body.corrections[1];
    assert.equal(general.originalValue, 'colr', 'the latest original');
    assert.equal(typeof general.lastCorrected, 'number');
    assert.deepEqual((await api('GET', '/api/self-model/corrections?minCount=2')).body.corrections.map((x: any) => x.category), ['burst', 'general']);
    assert.deepEqual((await api('GET', '/api/self-model/corrections?minCount=11')).body.corrections, []);
  });

  it('400 on missing values or wrong types; 401 without a token', async () => {
    for (const body of [{}, { originalValue: 'a' }, { correctedValue: 'b' }, { originalValue: 1, correctedValue: 'b' }, { original: 'a', corrected: 'b', category: '' }]) {
      assertError(await api('POST', '/api/self-model/corrections', body), 400, 'VALIDATION_ERROR');
    }
    assertError(await api('GET', '/api/self-model/corrections?minCount=0'), 400);
    assertError(await s.api('GET', '/api/self-model/corrections'), 401);
  });
});

describe('layer memory', () => {
  it('TTL by layer when expiresAt is absent: short_term 24 h, working 7 d, others never; given values kept', async () => {
    const t0 = Date.now();
    const st = await api('POST', '/api/self-model/layer-memory', { content: 'short' });
    assert.equal(st.status, 201, st.text);
    assert.equal(st.body.success, true);
    const m = st.body.memory;
    assert.deepEqual(Object.keys(m).sort(), ['category', 'content', 'createdAt', 'expiresAt', 'id', 'layer', 'metadata', 'salience', 'updatedAt']);
    assert.deepEqual([m.layer, m.salience, m.category], ['short_term', 0.5, 'general']);
    assert.ok(Math.abs(m.expiresAt - (t0 + 24 * HOUR)) < 60_000);
    const wk = (await api('POST', '/api/self-model/layer-memory', { layer: 'working', content: 'w' })).body.memory;
    assert.ok(Math.abs(wk.expiresAt - (t0 + 7 * 24 * HOUR)) < 60_000);
    for (const layer of ['immediate', 'episodic', 'semantic', 'relational', 'notes', 'self_model']) {
      const r = await api('POST', '/api/self-model/layer-memory', { layer, content: layer, salience: 0, metadata: { l: layer } });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.body.memory.expiresAt, null, layer);
      assert.equal(r.body.memory.salience, 0, 'salience 0 is kept');
      assert.deepEqual(r.body.memory.metadata, { l: layer });
    }
    assert.equal((await api('POST', '/api/self-model/layer-memory', { layer: 'short_term', content: 'forever', expiresAt: null })).body.memory.expiresAt, null);
    const at = t0 + 5 * HOUR;
    assert.equal((await api('POST', '/api/self-model/layer-memory', { layer: 'semantic', content: 'until', expiresAt: at })).body.memory.expiresAt, at);
  });

  it('GET: one layer (default short_term), unexpired only, by salience, limit; prune deletes the expired', async () => {
    for (const [content, salience] of [['low', 0.1], ['high', 0.9], ['mid', 0.6]] as const) {
      await api('POST', '/api/self-model/layer-memory', { layer: 'episodic', content, salience });
    }
    await api('POST', '/api/self-model/layer-memory', { layer: 'episodic', content: 'soon gone', salience: 1, expiresAt: Date.now() + 1000 });
    const list = (await api('GET', '/api/self-model/layer-memory?layer=episodic')).body.memories.map((x: any) => x.content);
    assert.deepEqual(list, ['soon gone', 'high', 'mid', 'low', 'episodic']);
    assert.deepEqual((await api('GET', '/api/self-model/layer-memory?layer=episodic&limit=2')).body.memories.map((x: any) => x.content), ['soon gone', 'high']);
    const def = await api('GET', '/api/self-model/layer-memory');
    assert.deepEqual(Object.keys(def.body).sort(), ['memories', 'success']);
    assert.ok(def.body.memories.every((x: any) => x.layer === 'short_term'));
    assert.deepEqual(def.body.memories.map((x: any) => x.content).sort(), ['forever', 'short']);
    await sleep(1200);
    assert.ok(!(await api('GET', '/api/self-model/layer-memory?layer=episodic')).body.memories.some((x: any) => x.content === 'soon gone'));
    const pruned = await api('POST', '/api/self-model/layer-memory/prune');
    assert.equal(pruned.status, 200, pruned.text);
    assert.deepEqual(pruned.body, { success: true, pruned: 1 });
    assert.deepEqual((await api('POST', '/api/self-model/layer-memory/prune')).body, { success: true, pruned: 0 });
  });

  it('per user: another user sees none and prunes none of them', async () => {
    const other = await s.signup();
    await api('POST', '/api/self-model/layer-memory', { layer: 'notes', content: 'expired', expiresAt: Date.now() - 1 });
    assert.deepEqual((await api('GET', '/api/self-model/layer-memory?layer=notes', undefined, other)).body.memories, []);
    assert.deepEqual((await api('POST', '/api/self-model/layer-memory/prune', undefined, other)).body, { success: true, pruned: 0 });
    assert.deepEqual((await api('POST', '/api/self-model/layer-memory/prune')).body, { success: true, pruned: 1 });
  });

  it('400 on bad layer, content, salience, expiresAt; 401 without a token', async () => {
    for (const body of [{ content: '' }, {}, { content: 'x', layer: 'long_term' }, { content: 'x', layer: 3 }, { content: 'x', salience: 1.5 }, { content: 'x', expiresAt: 'tomorrow' }, { content: 'x', metadata: [] }]) {
      assertError(await api('POST', '/api/self-model/layer-memory', body), 400, 'VALIDATION_ERROR');
    }
    assertError(await api('GET', '/api/self-model/layer-memory?layer=bogus'), 400);
    assertError(await s.api('GET', '/api/self-model/layer-memory'), 401);
    assertError(await s.api('POST', '/api/self-model/layer-memory/prune'), 401);
  });
});
