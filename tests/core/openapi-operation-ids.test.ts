/**
 * Client generators name their methods by `operationId`: every operation of `/api/openapi.json` has one, no two are the
 * same, and each operation is tagged with the plugin that registered it (tags listed at the top level).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';

let s: TestServer;
before(async () => (s = await startServer()));
after(() => s.dispose());

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

test('every operation has an operationId, all unique, and a plugin tag listed at the top', async () => {
  const doc = (await s.api('GET', '/api/openapi.json')).body;
  const ops: Array<{ where: string; op: any }> = [];
  for (const [p, item] of Object.entries<any>(doc.paths)) {
    for (const m of METHODS) if (item[m]) ops.push({ where: `${m.toUpperCase()} ${p}`, op: item[m] });
  }
  assert.ok(ops.length > 50, `the document covers the loaded routes (${ops.length})`);
  const missing = ops.filter((o) => typeof o.op.operationId !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(o.op.operationId));
  assert.deepEqual(missing.map((o) => o.where), [], 'operations without a usable operationId');
  const seen = new Map<string, string>();
  const dupes: string[] = [];
  for (const o of ops) {
    if (seen.has(o.op.operationId)) dupes.push(`${o.op.operationId}: ${seen.get(o.op.operationId)} and ${o.where}`);
    seen.set(o.op.operationId, o.where);
  }
  assert.deepEqual(dupes, [], 'duplicate operation ids');
  assert.equal(doc.paths['/api/conversations/{id}'].get.operationId, 'getConversationsById');
  const tagNames = new Set((doc.tags ?? []).map((t: any) => t.name));
  for (const o of ops) {
    assert.equal(o.op.tags?.length, 1, `${o.where} has one plugin tag`);
    assert.ok(tagNames.has(o.op.tags[0]), `${o.where}: tag ${o.op.tags[0]} is listed`);
  }
  assert.ok(tagNames.has('alin-auth') && tagNames.has('aion-control'));
});
