/**
 * `GET /api/system/metrics`: the documented shape, CPU usage from deltas, and the GPU from `nvidia-smi` (a local fake
 * on PATH printing its real CSV format), with the 2 s timeout (a hanging one is killed, a slow one waited for) and
 * `null` when it is absent.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import type { TestServer } from '../helpers/server.ts';
import { assertError, bootWithAdmin, type Account } from './helpers.ts';

let s: TestServer;
let u: Account;
const bin = mkdtempSync(path.join(os.tmpdir(), 'alin-gpu-'));
const fake = path.join(bin, 'nvidia-smi');
const mode = path.join(bin, 'mode');

before(async () => {
  // Only the fake's folder on PATH, so a real nvidia-smi on the machine can never answer instead.
  writeFileSync(fake, `#!/bin/sh
case "$(/bin/cat ${mode})" in
  slow) echo $$ > ${bin}/slow.pid; /bin/sleep 6; echo finished > ${bin}/slow.done ;;
  late) /bin/sleep 1; echo "Tesla T4, 5, 1, 15360, 40" ;;
  fail) echo "NVIDIA-SMI has failed" >&2; exit 9 ;;
  *) [ "$1" = "--query-gpu=name,utilization.gpu,memory.used,memory.total,temperature.gpu" ] && [ "$2" = "--format=csv,noheader,nounits" ] || exit 2
     echo "NVIDIA GeForce RTX 4090, 37, 2048, 24564, 61"
     echo "Tesla T4, 0, 0, 15360, [N/A]" ;;
esac
`);
  chmodSync(fake, 0o755);
  writeFileSync(mode, 'ok');
  ({ s } = await bootWithAdmin({ PATH: bin }));
  u = await s.signup();
});
after(async () => {
  await s.dispose();
  rmSync(bin, { recursive: true, force: true });
});

const metrics = () => s.api('GET', '/api/system/metrics', { token: u.token });

it('answers the documented shape', async () => {
  const r = await metrics();
  assert.equal(r.status, 200, r.text);
  const m = r.body;
  assert.deepEqual(Object.keys(m).sort(), ['cpu', 'gpu', 'memory', 'platform', 'timestamp', 'uptime']);
  assert.deepEqual(Object.keys(m.cpu).sort(), ['cores', 'frequency', 'loadAvg', 'usage']);
  assert.deepEqual(Object.keys(m.memory).sort(), ['free', 'processRss', 'total', 'usagePercent', 'used']);
  assert.ok(m.cpu.usage >= 0 && m.cpu.usage <= 100);
  assert.equal(m.cpu.cores, os.cpus().length);
  assert.equal(typeof m.cpu.frequency, 'number');
  assert.equal(m.cpu.loadAvg.length, 3);
  assert.equal(m.memory.total, os.totalmem());
  assert.equal(m.memory.used + m.memory.free, m.memory.total);
  assert.ok(m.memory.usagePercent > 0 && m.memory.usagePercent <= 100);
  assert.ok(m.memory.processRss > 10e6, 'the server process RSS, in bytes');
  assert.equal(m.platform, process.platform);
  assert.ok(m.uptime > 0);
  assert.ok(Math.abs(m.timestamp - Date.now()) < 10_000);
});

it('reads every GPU from nvidia-smi: usage %, memory in bytes, temperature; [N/A] → null', async () => {
  const { gpu } = (await metrics()).body;
  assert.deepEqual(gpu, [
    { name: 'NVIDIA GeForce RTX 4090', usage: 37, memoryUsed: 2048 * 1024 ** 2, memoryTotal: 24564 * 1024 ** 2, temperature: 61 },
    { name: 'Tesla T4', usage: 0, memoryUsed: 0, memoryTotal: 15360 * 1024 ** 2, temperature: null },
  ]);
});

it('a hanging nvidia-smi is cut off (gpu null, the process killed before it finished); a slow one is waited for; a failing one gives null', async () => {
  writeFileSync(mode, 'late'); // answers after 1 s: within the 2 s limit
  assert.deepEqual((await metrics()).body.gpu, [{ name: 'Tesla T4', usage: 5, memoryUsed: 1024 ** 2, memoryTotal: 15360 * 1024 ** 2, temperature: 40 }]);
  writeFileSync(mode, 'slow'); // would answer after 6 s
  const r = await metrics();
  assert.equal(r.status, 200);
  assert.equal(r.body.gpu, null);
  assert.ok(!existsSync(path.join(bin, 'slow.done')), 'the answer came before the hanging nvidia-smi finished');
  const pid = Number(readFileSync(path.join(bin, 'slow.pid'), 'utf8'));
  assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, 'and it was killed, not left running');
  writeFileSync(mode, 'fail');
  assert.equal((await metrics()).body.gpu, null);
});

it('no nvidia-smi → gpu null', async () => {
  rmSync(fake);
  assert.equal((await metrics()).body.gpu, null);
});

it('needs a token → 401', async () => {
  assertError(await s.api('GET', '/api/system/metrics'), 401);
  assertError(await s.api('GET', '/api/system/metrics', { token: 'forged.token.here' }), 401);
});
