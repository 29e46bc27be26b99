import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuthApi, HostApi, SecretsApi } from '../plugin-api/types.ts';
import { scopedAuth, scopedHost, scopedSecrets, scopedWorkspace, toolRiskAllowed } from './capabilities.ts';
import { Capabilities } from './manifest.ts';

const env: Record<string, string> = { OPENAI_API_KEY: 'sk-live', TELEGRAM_BOT_TOKEN: 't0k' };
const secrets: SecretsApi = {
  get: (n) => env[n], has: (n) => n in env, set: async (v) => void Object.assign(env, v), mask: () => '●●●●',
};
const refused = (fn: () => unknown, capability: RegExp) =>
  assert.throws(fn, (e: any) => e.code === 'PLUGIN_CAPABILITY_MISSING' && e.status === 403 && capability.test(e.message));

test('secrets: only declared names can be read, checked or saved; "*" is every key', async () => {
  const s = scopedSecrets('p', Capabilities.parse({ secrets: ['TELEGRAM_BOT_TOKEN'] }), secrets);
  assert.equal(s.get('TELEGRAM_BOT_TOKEN'), 't0k');
  refused(() => s.get('OPENAI_API_KEY'), /"secrets": \["OPENAI_API_KEY"\]/);
  refused(() => s.has('OPENAI_API_KEY'), /OPENAI_API_KEY/);
  await assert.rejects(s.set({ OPENAI_API_KEY: 'mine' }), { code: 'PLUGIN_CAPABILITY_MISSING' });
  assert.equal(env.OPENAI_API_KEY, 'sk-live', 'nothing was written');
  const all = scopedSecrets('ctl', Capabilities.parse({ secrets: ['*'] }), secrets);
  assert.equal(all.get('OPENAI_API_KEY'), 'sk-live');
  refused(() => scopedSecrets('none', Capabilities.parse({}), secrets).get('TELEGRAM_BOT_TOKEN'), /TELEGRAM_BOT_TOKEN/);
});

test('host powers: read-only views for all, reload/notify/settings/prompts only when declared', async () => {
  const calls: string[] = [];
  const host = {
    version: '1', reload: async () => (calls.push('reload'), []), enable: async () => ({}), disable: async () => ({}),
    notify: async () => (calls.push('notify'), []), settings: { get: () => ({ a: 1 }), set: async () => ({}) },
    prompts: { names: [], read: async () => ({}), write: async () => 0, revert: async () => {} }, plugins: () => [],
  } as unknown as HostApi;
  const plain = scopedHost('p', Capabilities.parse({}), host, () => {});
  assert.deepEqual(plain.settings.get(), { a: 1 });
  assert.deepEqual(plain.plugins(), []);
  refused(() => plain.reload(), /"host": \["plugins"\]/);
  refused(() => plain.disable('alin-auth'), /plugins/);
  refused(() => plain.notify({} as any, 'hi'), /"host": \["notify"\]/);
  refused(() => plain.settings.set({ model: 'x' }), /"host": \["settings"\]/);
  refused(() => plain.prompts.write('rules', 'pwned'), /"host": \["prompts"\]/);
  const ctl = scopedHost('ctl', Capabilities.parse({ host: ['plugins', 'notify'] }), host, () => {});
  await ctl.reload();
  await ctl.notify({} as any, 'x');
  assert.deepEqual(calls, ['reload', 'notify']);
});

test('accounts: verify and plan limits for all, account management only with "host": ["accounts"]', () => {
  const auth = {
    verify: async () => undefined,
    accounts: { adminUpdate: async () => ({ role: 'admin' }), list: async () => [], signup: async () => ({}), login: async () => ({}),
      apiKeys: { create: async () => ({}), list: async () => [], revoke: async () => true }, rotateTokens: async () => ({}),
      updateProfile: async () => ({}), changePassword: async () => {}, usage: async () => ({}), limits: () => ({ tbwo: true }) },
  } as unknown as AuthApi;
  const plain = scopedAuth('p', Capabilities.parse({}), auth);
  refused(() => plain.accounts.adminUpdate('u1', { role: 'admin' }), /"host": \["accounts"\]/);
  refused(() => plain.accounts.list(), /accounts/);
  assert.deepEqual(plain.accounts.limits({} as any), { tbwo: true });
  const admin = scopedAuth('alin-auth', Capabilities.parse({ host: ['accounts'] }), auth);
  assert.ok(admin.accounts.adminUpdate('u1', { role: 'admin' }) instanceof Promise);
});

test('exec: running code needs "exec": true; tool risks are matched to capabilities', () => {
  const ws = { execute: () => 'ran', read: function (this: any) { return this === ws ? 'bound' : 'unbound'; } } as any;
  const plain: any = scopedWorkspace('p', Capabilities.parse({}), ws);
  refused(() => plain.execute('u', {} as any), /"exec": true/);
  assert.equal(plain.read(), 'bound');
  assert.equal((scopedWorkspace('c', Capabilities.parse({ exec: true }), ws) as any).execute(), 'ran');
  assert.equal(toolRiskAllowed(Capabilities.parse({}), 'exec'), '"exec": true');
  assert.equal(toolRiskAllowed(Capabilities.parse({}), 'network'), '"network": true');
  assert.equal(toolRiskAllowed(Capabilities.parse({}), 'read'), undefined);
  assert.equal(toolRiskAllowed(Capabilities.parse({ network: true }), 'network'), undefined);
});
