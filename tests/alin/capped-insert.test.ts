/**
 * The cap of the self-model's append-only logs (decisions, thinking traces), on a real file store: past the cap the
 * oldest entries by `timestamp` go — not the latest written — and below it nothing is dropped.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import pino from 'pino';
import { FileStore } from '../../core/store/store.ts';
import { insertCapped } from '../../plugins/alin-self-model/capped-insert.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'aion-capped-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const store = new FileStore(dir, pino({ level: 'silent' }));

test('past the cap the oldest entries by timestamp are dropped; below it none', async () => {
  const col = store.forUser('u1').collection<{ id: string; timestamp: number }>('capped');
  // Written out of time order: the entry written last is the oldest.
  for (const [id, timestamp] of [['b', 20], ['c', 30], ['a', 10]] as const) await insertCapped(col, { id, timestamp }, 3);
  assert.deepEqual((await col.all()).map((d) => d.id).sort(), ['a', 'b', 'c']);
  await insertCapped(col, { id: 'd', timestamp: 40 }, 3);
  await insertCapped(col, { id: 'e', timestamp: 5 }, 3);
  assert.deepEqual((await col.all()).map((d) => d.id).sort(), ['b', 'c', 'd']);
});
