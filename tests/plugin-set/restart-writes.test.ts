/**
 * A restart that changes no plugin's state writes no plugin state (issue #16: every start used to rewrite the plugin
 * states durably — two fsynced writes before it listened); a change of state is still saved and survives a restart.
 * The file store only: the file's inode shows whether it was replaced (durable writes go through a rename).
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { startServer } from '../helpers/server.ts';

test('an unchanged restart leaves the plugin states untouched; a disable is written and kept', async () => {
  let s = await startServer();
  const file = path.join(s.dataDir, 'store', 'plugins.json');
  try {
    const admin = await s.signup();
    const first = statSync(file);
    s = await s.restart();
    assert.equal((await s.api('GET', '/api/health')).status, 200);
    assert.equal(statSync(file).ino, first.ino, 'the restart rewrote unchanged plugin states');

    const login = await s.api('POST', '/api/auth/login', { body: { email: admin.email, password: admin.password } });
    assert.equal((await s.api('POST', '/api/plugins/disable', { token: login.body.token, body: { name: 'updater' } })).status, 200);
    assert.notEqual(statSync(file).ino, first.ino, 'the disable was written');
    s = await s.restart();
    const again = await s.api('POST', '/api/auth/login', { body: { email: admin.email, password: admin.password } });
    const plugins = await s.api('GET', '/api/plugins', { token: again.body.token });
    const updater = (plugins.body.plugins ?? plugins.body).find((p: { name: string }) => p.name === 'updater');
    assert.equal(updater?.enabled, false, JSON.stringify(updater));
  } finally {
    await s.dispose();
  }
});
