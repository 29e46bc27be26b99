import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

test('waiting for a promise that never settles ends in the timeout, not in exit code 13', () => {
  const module = fileURLToPath(new URL('./with-timeout.ts', import.meta.url));
  const script = `import { withTimeout } from ${JSON.stringify(module)};
    try { await withTimeout(new Promise(() => {}), 100, 'setup did not finish'); } catch (e) { console.log('caught:', e.message); }`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /caught: setup did not finish/);
});
