/**
 * path-pattern.ts must match exactly what @koa/router matched (route-dispatch.ts stopped using it at issue #16's start
 * work): the same regular expression and keys for every path a built-in plugin registers and for the path forms the
 * route syntax allows, and the same captures and decoded parameters.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { capturesOf, paramsOf, pathPattern } from './path-pattern.ts';

interface Layer { path: string; regexp: RegExp; paramNames: Array<{ type: string; name: string }>; captures(p: string): string[]; params(p: string, c: string[], e: object): Record<string, string> }
const Router = (createRequire(import.meta.url)('@koa/router') as { default: new (o?: object) => { register(p: string, m: string[], f: () => void): Layer } }).default;
const api = new Router({ prefix: '/api' });
const root = new Router();

/** Every literal path a built-in plugin passes to `ctx.routes.*` (read from the sources). */
function builtinPaths(): string[] {
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (name === 'node_modules') continue;
      if (statSync(file).isDirectory()) walk(file);
      else if (/\.(ts|js|mjs)$/.test(name)) for (const m of readFileSync(file, 'utf8').matchAll(/routes\.(?:public\.)?(?:get|post|put|patch|delete)\(\s*'([^']+)'/g)) found.add(m[1]!);
    }
  };
  walk(path.resolve(import.meta.dirname, '../../plugins'));
  return [...found];
}

const FORMS = ['/', '/a', '/a/', '/a/:id', '/a/:id/b/:name', '/a{/:opt}', '/files/*rest', '/a/:id.json', '/A-b_c/:x{-:y}', '/v1/chat/completions'];

test('the same expression and keys as @koa/router for every built-in route path and each path form', () => {
  const paths = builtinPaths();
  assert.ok(paths.length > 50, `found the built-in plugins' routes (${paths.length})`);
  for (const p of [...paths, ...FORMS]) {
    const layer = api.register(p, ['GET'], () => {});
    const mine = pathPattern(p === '/' ? '/api' : `/api${p}`);
    assert.equal(layer.path, p === '/' ? '/api' : `/api${p}`);
    assert.equal(mine.regexp.source, layer.regexp.source, p);
    assert.equal(mine.regexp.flags, layer.regexp.flags, p);
    assert.deepEqual(mine.keys, layer.paramNames.map((k) => ({ type: k.type, name: k.name })), p);
    const rootLayer = root.register(p, ['GET'], () => {});
    assert.equal(pathPattern(p).regexp.source, rootLayer.regexp.source, `root ${p}`);
  }
});

test('captures and decoded parameters as @koa/router gave them (empty and absent parts left out, bad escapes kept)', () => {
  const cases: Array<[string, string]> = [
    ['/a/:id/b/:name', '/api/a/x%20y/b/z%2Fw'],
    ['/a/:id/b/:name', '/api/A/1/B/2/'],
    ['/a{/:opt}', '/api/a'],
    ['/a{/:opt}', '/api/a/o'],
    ['/files/*rest', '/api/files/x/y%zz'],
    ['/a/:id', '/api/a/%E0%A4%A'],
  ];
  for (const [p, url] of cases) {
    const layer = api.register(p, ['GET'], () => {});
    const mine = pathPattern(`/api${p}`);
    assert.equal(mine.regexp.test(url), layer.regexp.test(url), url);
    const captures = capturesOf(mine, url);
    assert.deepEqual(captures, layer.captures(url), url);
    assert.deepEqual(paramsOf(mine, captures), layer.params(url, captures, {}), url);
  }
});

test('one compiled pattern per distinct path, shared by every route and rebuild that uses it', () => {
  assert.equal(pathPattern('/api/shared/:id'), pathPattern('/api/shared/:id'));
  assert.throws(() => pathPattern('/api/bad/:'), TypeError);
});
