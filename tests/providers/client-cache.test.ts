/**
 * The SDK client caches of the OpenAI and Anthropic providers: calls that arrive together, before the SDK has loaded
 * (a burst of streams on a fresh server), share one client; a later call reuses it; another key or base URL gets its
 * own. A cache of finished clients gave each call of such a burst a client of its own (issue #16).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openAIClient } from '../../plugins/provider-openai/client-cache.ts';
import { ClientCache } from '../../plugins/provider-anthropic/client-cache.ts';

test('OpenAI: calls made before the SDK has loaded share one client, reused later; another key gets its own', async () => {
  const together = await Promise.all(Array.from({ length: 20 }, () => openAIClient('sk-burst', 'http://127.0.0.1:1/v1')));
  assert.equal(new Set(together).size, 1);
  assert.equal(await openAIClient('sk-burst', 'http://127.0.0.1:1/v1'), together[0]);
  const other = await openAIClient('sk-other', 'http://127.0.0.1:1/v1');
  assert.notEqual(other, together[0]);
  assert.equal(other.apiKey, 'sk-other');
  assert.equal((await openAIClient('sk-burst', 'http://127.0.0.1:2/v1')).baseURL, 'http://127.0.0.1:2/v1');
});

test('Anthropic: calls made before the SDK has loaded share one client; a changed key gets a new one', async () => {
  const cache = new ClientCache();
  const together = await Promise.all(Array.from({ length: 20 }, () => cache.get('sk-ant-burst', 'http://127.0.0.1:1')));
  assert.equal(new Set(together).size, 1);
  assert.equal(await cache.get('sk-ant-burst', 'http://127.0.0.1:1'), together[0]);
  const other = await cache.get('sk-ant-other', 'http://127.0.0.1:1');
  assert.notEqual(other, together[0]);
  assert.equal(other.apiKey, 'sk-ant-other');
});
