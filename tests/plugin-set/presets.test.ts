/** DeepSeek and Grok presets: their models go through the OpenAI-compatible client to their base URL with their key. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startFakeOpenAI } from '../fakes/index.ts';
import { readSse, startServer } from '../helpers/server.ts';

test('deepseek-chat and grok-4 reach their own base URLs with their own keys', async () => {
  const deepseek = await startFakeOpenAI({ blocks: [{ type: 'text', text: 'hello from deepseek' }] });
  const grok = await startFakeOpenAI({ blocks: [{ type: 'text', text: 'hello from grok' }] });
  const s = await startServer({ env: {
    DEEPSEEK_API_KEY: 'ds-key', DEEPSEEK_BASE_URL: `${deepseek.url}/v1`, XAI_API_KEY: 'xai-key', XAI_BASE_URL: `${grok.url}/v1`,
  } });
  try {
    const admin = await s.signup();
    for (const [model, fake, key, text] of [['deepseek-chat', deepseek, 'ds-key', 'hello from deepseek'], ['grok-4', grok, 'xai-key', 'hello from grok']] as const) {
      const r = await readSse(`${s.url}/api/chat`, { token: admin.token, body: { message: 'hi', model } });
      const done = r.events.find((e) => e.event === 'done');
      assert.equal(done?.data.full_response, text, JSON.stringify(r.events.at(-1)));
      assert.equal(fake.lastRequest!.body.model, model);
      assert.equal(fake.lastRequest!.headers.authorization, `Bearer ${key}`);
    }
    const withoutKey = await startServer();
    try {
      const u = await withoutKey.signup();
      const r = await readSse(`${withoutKey.url}/api/chat`, { token: u.token, body: { message: 'hi', model: 'deepseek-chat' } });
      assert.ok(r.status >= 400 || r.events.some((e) => e.event === 'error'), 'an unconfigured preset answered');
    } finally {
      await withoutKey.dispose();
    }
  } finally {
    await s.dispose();
    await deepseek.close();
    await grok.close();
  }
});
