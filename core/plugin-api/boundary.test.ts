/**
 * The plugin API owns its contracts: it depends on no core module except two leaves (the coded errors and the agent
 * event types), and no import cycle runs through it.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
// @ts-expect-error madge ships no type declarations
import madgeUntyped from 'madge';

const madge = madgeUntyped as (entry: string, config: object) => Promise<{ obj(): Record<string, string[]>; circular(): string[][] }>;

const root = path.resolve(import.meta.dirname, '../..');
const config = { fileExtensions: ['ts'], tsConfig: path.join(root, 'tsconfig.json'), baseDir: root };

test('core/plugin-api reaches only itself, core/errors.ts and core/agent/events.ts', async () => {
  const graph = (await madge(path.join(root, 'core/plugin-api/index.ts'), config)).obj();
  const outside = Object.keys(graph).filter((f) => !f.startsWith('core/plugin-api/') && !['core/errors.ts', 'core/agent/events.ts'].includes(f));
  assert.deepEqual(outside, []);
  for (const leaf of ['core/errors.ts', 'core/agent/events.ts']) assert.deepEqual(graph[leaf] ?? [], [], `${leaf} imports nothing`);
});

test('no import cycle in core goes through the plugin API', async () => {
  const cycles = (await madge(path.join(root, 'core'), { ...config, excludeRegExp: [/\.test\.ts$/] })).circular();
  assert.deepEqual(cycles.filter((c) => c.some((f) => f.startsWith('core/plugin-api/'))), []);
});
