import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiMismatch, parseManifest, providesMismatch } from './manifest.ts';

test('the API range is checked with semver: a plugin for another major is refused with the reason', () => {
  assert.equal(apiMismatch(undefined, '1.0.0'), undefined);
  assert.equal(apiMismatch('^1.0.0', '1.4.2'), undefined);
  assert.equal(apiMismatch('>=1 <3', '2.0.0'), undefined);
  assert.equal(apiMismatch('^99', '1.0.0'), 'plugin needs plugin API ^99, this host provides 1.0.0');
  assert.equal(apiMismatch('^1.5.0', '1.4.0'), 'plugin needs plugin API ^1.5.0, this host provides 1.4.0');
  assert.match(apiMismatch('not a range!', '1.0.0')!, /not a semver range/);
});

test('capabilities parse strictly, with defaults, and a typo is an error that names the field', () => {
  const ok = parseManifest(JSON.stringify({ capabilities: { secrets: ['OPENAI_API_KEY'], host: ['notify'] } }));
  assert.ok('manifest' in ok);
  assert.deepEqual(ok.manifest.capabilities, {
    secrets: ['OPENAI_API_KEY'], host: ['notify'], network: false, exec: false, services: { provide: [], use: [] },
  });
  const typo = parseManifest(JSON.stringify({ capabilities: { secret: ['X'] } }));
  assert.ok('error' in typo);
  assert.match(typo.error, /capabilities/);
  const badPower = parseManifest(JSON.stringify({ capabilities: { host: ['root'] } }));
  assert.ok('error' in badPower);
  assert.match(badPower.error, /capabilities\.host\.0/);
  const badJson = parseManifest('{ nope');
  assert.ok('error' in badJson);
  assert.match(badJson.error, /invalid plugin\.json/);
});

test('provides is compared with what setup registered, in both directions', () => {
  assert.deepEqual(providesMismatch(undefined, ['tool:a']), { missing: [], undeclared: [] });
  assert.deepEqual(providesMismatch(['tool:a', 'provider:p'], ['tool:a', 'provider:p']), { missing: [], undeclared: [] });
  assert.deepEqual(providesMismatch(['a', 'tool:gone'], ['tool:a', 'channel:extra']), { missing: ['tool:gone'], undeclared: ['channel:extra'] });
});

test('the shipped plugin.schema.json is the manifest schema, and every built-in plugin.json is valid against it', async () => {
  const { readFileSync, readdirSync, existsSync } = await import('node:fs');
  const path = await import('node:path');
  const { manifestJsonSchema } = await import('./manifest.ts');
  const root = path.resolve(import.meta.dirname, '../..');
  const shipped = JSON.parse(readFileSync(path.join(root, 'core/plugin-api/plugin.schema.json'), 'utf8'));
  assert.deepEqual(shipped, manifestJsonSchema(), 'regenerate core/plugin-api/plugin.schema.json from manifestJsonSchema()');
  for (const dir of readdirSync(path.join(root, 'plugins'))) {
    const file = path.join(root, 'plugins', dir, 'plugin.json');
    if (!existsSync(file)) continue;
    const parsed = parseManifest(readFileSync(file, 'utf8'));
    assert.ok('manifest' in parsed, `${dir}: ${'error' in parsed ? parsed.error : ''}`);
    assert.equal(parsed.manifest.$schema, '../../core/plugin-api/plugin.schema.json', dir);
    assert.ok(parsed.manifest.capabilities, `${dir} declares its capabilities`);
    assert.equal(apiMismatch(parsed.manifest.api), undefined, dir);
  }
});
