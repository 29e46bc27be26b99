import assert from 'node:assert/strict';
import { test } from 'node:test';
import { claudeVersion, effortFor, usesAdaptiveThinking } from '../../plugins/provider-anthropic/thinking.ts';

test('reads Claude versions from both id styles and ignores dates', () => {
  assert.deepEqual(claudeVersion('claude-sonnet-4-6'), [4, 6]);
  assert.deepEqual(claudeVersion('claude-haiku-4-5-20251001'), [4, 5]);
  assert.deepEqual(claudeVersion('claude-3-7-sonnet-20250219'), [3, 7]);
  assert.deepEqual(claudeVersion('claude-opus-5'), [5, 0]);
  assert.equal(claudeVersion('claude-next'), undefined);
});

test('picks the thinking form by version', () => {
  for (const m of ['claude-sonnet-4-6', 'claude-opus-4-7', 'claude-sonnet-5', 'claude-fable-5-1', 'claude-mythos-preview']) {
    assert.equal(usesAdaptiveThinking(m), true, m);
  }
  for (const m of ['claude-haiku-4-5', 'claude-opus-4-5-20251101', 'claude-3-7-sonnet-20250219', 'claude-next']) {
    assert.equal(usesAdaptiveThinking(m), false, m);
  }
  assert.equal(effortFor(2048), 'low');
  assert.equal(effortFor(10000), 'medium');
  assert.equal(effortFor(32000), 'high');
});
