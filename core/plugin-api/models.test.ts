/** The one model-acceptance check (`models.ts`). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProviderDefinition } from './providers.ts';
import { acceptedModel, acceptsModel, providerForModel } from './models.ts';

const provider = (id: string, prefixes: string[], models: string[], acceptsAnyModel = false): ProviderDefinition => ({
  id, label: id, prefixes, models, envKeys: [], acceptsAnyModel, isConfigured: () => true, stream: async function* () {},
});
const openai = provider('openai', ['gpt', 'o3'], ['gpt-4o']);
const ollama = provider('ollama', ['ollama/'], ['ollama/llama3'], true);
const echo = provider('echo', ['echo'], ['echo-1']);
const all = [openai, ollama, echo];

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (error: any) {
    return `${error.status} ${error.code}`;
  }
  return 'accepted';
};

test('a model is accepted by its own list, a prefix (case-insensitive), or a provider that takes any name', () => {
  assert.equal(acceptsModel(openai, 'gpt-4o'), true);
  assert.equal(acceptsModel(openai, 'GPT-5-mini'), true);
  assert.equal(acceptsModel(openai, 'claude-3'), false);
  assert.equal(acceptsModel(ollama, 'mistral:7b'), true);
  assert.equal(providerForModel(all, 'o3-mini'), openai);
  assert.equal(providerForModel(all, 'nobody-knows'), undefined);
});

test('an explicit choice: unknown provider, a model the provider does not take, and a model nobody takes are refused', () => {
  assert.equal(code(() => acceptedModel(all, { provider: 'nope', model: 'gpt-4o' })), '400 UNKNOWN_PROVIDER');
  assert.equal(code(() => acceptedModel(all, { provider: 'echo', model: 'gpt-4o' })), '400 UNKNOWN_MODEL');
  assert.equal(code(() => acceptedModel(all, { model: 'mystery-9' })), '400 UNKNOWN_MODEL');
  assert.match(String((() => { try { acceptedModel(all, { provider: 'echo', model: 'gpt-4o' }); } catch (e: any) { return e.message; } })()), /Unknown model for echo: gpt-4o/);
});

test('accepted choices: by prefix, with the provider id in front, and the default model', () => {
  assert.deepEqual(acceptedModel(all, { model: 'gpt-4o-mini' }), { provider: openai, model: 'gpt-4o-mini' });
  assert.deepEqual(acceptedModel(all, { provider: 'openai', model: 'openai/gpt-4o' }), { provider: openai, model: 'gpt-4o' });
  assert.deepEqual(acceptedModel(all, { provider: 'ollama', model: 'ollama/qwen3' }), { provider: ollama, model: 'ollama/qwen3' });
  assert.deepEqual(acceptedModel(all, { provider: 'echo' }), { provider: echo, model: 'echo-1' });
});
