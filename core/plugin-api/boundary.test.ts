/**
 * The plugin API owns its contracts: it depends on no core module except three leaves (the coded errors, the agent
 * event types, and the secret scrubber that every coded error's message passes through), and no import cycle runs
 * through it.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
// @ts-expect-error madge ships no type declarations
import madgeUntyped from 'madge';

const madge = madgeUntyped as (entry: string, config: object) => Promise<{ obj(): Record<string, string[]>; circular(): string[][] }>;

const root = path.resolve(import.meta.dirname, '../..');
const config = { fileExtensions: ['ts'], tsConfig: path.join(root, 'tsconfig.json'), baseDir: root };

const LEAVES = ['core/errors.ts', 'core/agent/events.ts', 'core/secret-scrubber.ts'];

test('core/plugin-api reaches only itself and three leaves: errors, agent events, the secret scrubber', async () => {
  const graph = (await madge(path.join(root, 'core/plugin-api/index.ts'), config)).obj();
  const outside = Object.keys(graph).filter((f) => !f.startsWith('core/plugin-api/') && !LEAVES.includes(f));
  assert.deepEqual(outside, []);
  const inCore = (f: string) => f.startsWith('core/');
  for (const leaf of LEAVES) {
    assert.deepEqual((graph[leaf] ?? []).filter((f) => inCore(f) && !LEAVES.includes(f)), [], `${leaf} imports no other core module`);
  }
});

test('no import cycle in core goes through the plugin API', async () => {
  const cycles = (await madge(path.join(root, 'core'), { ...config, excludeRegExp: [/\.test\.ts$/] })).circular();
  assert.deepEqual(cycles.filter((c) => c.some((f) => f.startsWith('core/plugin-api/'))), []);
});
