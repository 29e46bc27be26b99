/** The store's open log handles: bounded, every append lands in the file, a released log is reopened fresh. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { LogHandles, MAX_OPEN_LOGS } from '../../core/store/log-handles.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'aion-log-handles-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (n: number) => path.join(dir, `p${n}.jsonl`);

test('no more handles stay open than the bound, and every append of every log is in its file', async () => {
  const handles = new LogHandles(3);
  for (let n = 0; n < 10; n++) writeFileSync(file(n), '');
  // 10 logs at once with room for 3: appends in flight are never closed under them.
  await Promise.all(Array.from({ length: 10 }, (_, n) => handles.append(file(n), `a${n}\n`)));
  assert.ok(handles.size <= 3, `${handles.size} open`);
  for (let round = 0; round < 3; round++) for (let n = 0; n < 10; n++) await handles.append(file(n), `r${round}\n`);
  assert.ok(handles.size <= 3, `${handles.size} open`);
  for (let n = 0; n < 10; n++) assert.equal(readFileSync(file(n), 'utf8'), `a${n}\nr0\nr1\nr2\n`);
  await handles.closeAll();
  assert.equal(handles.size, 0);
});

test('after release, an append goes to the file now at that path, not the one the old handle held', async () => {
  const handles = new LogHandles();
  const f = path.join(dir, 'replaced.jsonl');
  writeFileSync(f, '');
  await handles.append(f, 'old\n');
  // What a rewrite does: a new file renamed over the log.
  writeFileSync(`${f}.tmp`, 'new\n');
  renameSync(`${f}.tmp`, f);
  await handles.release(f);
  await handles.append(f, 'next\n');
  assert.equal(readFileSync(f, 'utf8'), 'new\nnext\n');
  await handles.closeAll();
});

test('a failed append (the log is gone) rejects and leaves no handle behind; the next one opens afresh', async () => {
  const handles = new LogHandles();
  const f = path.join(dir, 'missing.jsonl');
  await assert.rejects(handles.append(f, 'x\n'), { code: 'ENOENT' });
  assert.equal(handles.size, 0);
  writeFileSync(f, '');
  await handles.append(f, 'y\n');
  assert.equal(readFileSync(f, 'utf8'), 'y\n');
  await handles.closeAll();
});

test('the default bound is a quarter of the open-file limit (64 to 8192): room for the logs a busy server writes in turn', () => {
  const soft = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1];
  const expected = soft ? Math.max(64, Math.min(8192, Math.floor(Number(soft) / 4))) : 1024;
  assert.equal(MAX_OPEN_LOGS, expected);
  assert.ok(MAX_OPEN_LOGS <= Math.max(64, Number(soft ?? 4096) / 4), 'never more than a quarter of the descriptors');
});
