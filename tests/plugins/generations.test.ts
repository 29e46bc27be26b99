/**
 * #12 items 2 and 3: calls in flight finish on the generation that started them, which is unloaded only after them;
 * a failed reload leaves the serving generation exactly as it was — its settings listener still fires.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readSse, startServer, type TestServer } from '../helpers/server.ts';
import { pluginsDir, writePlugin } from '../helpers/plugins.ts';

const dir = pluginsDir();
let s: TestServer;
let admin: string;

/** A plugin with a tool that waits for a gate any generation's route can open, and a log of what happened. */
const slowpoke = (gen: number) => `
globalThis.__log ??= [];
export default { name: 'slowpoke', version: '${gen}', setup(ctx) {
  ctx.tools.register({ name: 'slow_job', description: 'Waits for the gate', risk: 'read', input: { type: 'object', properties: {} },
    run: async () => {
      globalThis.__log.push('start:${gen}');
      await new Promise((resolve) => { globalThis.__open = resolve; });
      globalThis.__log.push('end:${gen}');
      return { finishedOn: ${gen} };
    } });
  ctx.routes.get('/slowpoke/log', { access: 'public' }, () => ({ log: globalThis.__log, serving: ${gen} }));
  ctx.routes.post('/slowpoke/open', { access: 'public' }, () => { globalThis.__open?.(); return { ok: true }; });
  ctx.onUnload(() => globalThis.__log.push('unload:${gen}'));
} };`;

const tuned = (gen: number, fail: boolean) => `
import { z } from 'zod';
globalThis.__heard ??= [];
export default { name: 'tuned', version: '${gen}',
  settings: z.object({ level: z.number().default(1)${fail ? ', other: z.string()' : ''} }),
  setup(ctx) {
    ctx.settings.onChange((s) => globalThis.__heard.push('v${gen}:' + s.level));
    ctx.host.addStat('tuned_v${gen}', () => ${gen});
    ctx.routes.get('/tuned', { access: 'public' }, () => ({ heard: globalThis.__heard, serving: ${gen}, level: ctx.settings.get().level }));
    ${fail ? "throw new Error('v2 setup failed');" : ''}
  } };`;

async function eventually(what: string, probe: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`not seen: ${what}`);
}

before(async () => {
  writePlugin(dir, 'slowpoke', slowpoke(1));
  writePlugin(dir, 'tuned', tuned(1, false));
  s = await startServer({ env: { PLUGINS_DIRS: dir } });
  admin = (await s.signup()).token;
});
after(() => s.dispose());

test('a slow tool in flight during a reload finishes on the old generation, whose onUnload runs after it', async () => {
  const chat = readSse(`${s.url}/api/chat`, { token: admin, body: { message: '/tool slow_job {}', provider: 'echo', model: 'echo-1' } });
  const log = async () => (await s.api('GET', '/api/slowpoke/log')).body;
  await eventually('the tool started', async () => (await log()).log.includes('start:1'));
  writePlugin(dir, 'slowpoke', slowpoke(2));
  const reload = await s.api('POST', '/api/plugins/reload', { token: admin, body: { name: 'slowpoke' } });
  assert.equal(reload.body.plugins[0].status, 'loaded');
  const during = await log();
  assert.equal(during.serving, 2, 'new requests see the new generation');
  assert.deepEqual(during.log, ['start:1'], 'the old generation is not unloaded while its tool runs');
  await s.api('POST', '/api/slowpoke/open');
  const result = (await chat).events.find((e) => e.event === 'tool_result');
  assert.equal(result?.data.ok, true, JSON.stringify(result?.data));
  const value = typeof result!.data.result === 'string' ? JSON.parse(result!.data.result) : result!.data.result;
  assert.equal(value.finishedOn, 1, 'the call finished on the generation that started it');
  await eventually('the old generation unloaded', async () => (await log()).log.includes('unload:1'));
  assert.deepEqual((await log()).log, ['start:1', 'end:1', 'unload:1']);
});

test('a failed reload leaves the serving generation as it was: its settings listener, schema and stats still work', async () => {
  writePlugin(dir, 'tuned', tuned(2, true));
  const r = await s.api('POST', '/api/plugins/reload', { token: admin, body: { name: 'tuned' } });
  assert.equal(r.body.plugins[0].status, 'error');
  assert.match(r.body.plugins[0].error, /v2 setup failed/);
  const set = await s.api('POST', '/api/config/settings', { token: admin, body: { tuned: { level: 5 } } });
  assert.equal(set.status, 200, set.text);
  const now = (await s.api('GET', '/api/tuned')).body;
  assert.deepEqual(now, { heard: ['v1:5'], serving: 1, level: 5 }, 'v1 heard the change; v2 never registered anything');
  const stats = (await s.api('GET', '/api/config', { token: admin })).body.stats;
  assert.equal(stats.tuned_v1, 1);
  assert.equal(stats.tuned_v2, undefined);
});
