import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deepFreeze } from './freeze.ts';

test('deepFreeze freezes every object and array under a document, and returns it', () => {
  const doc = { id: 'm1', content: [{ type: 'text', text: 'hi', parts: [{ n: 1 }] }], tokens: { input: 1 }, metadata: {}, empty: null, n: 3 };
  assert.equal(deepFreeze(doc), doc);
  for (const o of [doc, doc.content, doc.content[0], doc.content[0].parts, doc.content[0].parts[0], doc.tokens, doc.metadata]) assert.ok(Object.isFrozen(o));
});

test('deepFreeze walks null-prototype objects and the values of other objects, not what they inherit', () => {
  const bare = Object.assign(Object.create(null), { inner: { a: 1 } });
  const shared = { notMine: true };
  const child = Object.assign(Object.create({ inherited: shared }), { own: { b: 2 } });
  const when = new Date(0);
  deepFreeze({ bare, child, when, list: [[{ deep: {} }]] });
  assert.ok(Object.isFrozen(bare.inner));
  assert.ok(Object.isFrozen(child.own));
  assert.ok(!Object.isFrozen(shared), 'an inherited object is not the document’s to freeze');
  assert.ok(Object.isFrozen(when));
});

test('deepFreeze handles nesting deeper than the call stack and leaves primitives alone', () => {
  let deep: any = {};
  const top = deep;
  for (let i = 0; i < 200_000; i++) deep = deep.next = {};
  deepFreeze(top);
  assert.ok(Object.isFrozen(deep));
  assert.equal(deepFreeze('text'), 'text');
  assert.equal(deepFreeze(null), null);
});
