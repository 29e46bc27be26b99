/**
 * Fuzz: 2,000 random and malformed requests across every route of the server (from `GET /api/openapi.json`, AION and
 * ALIN, auth and admin included): wrong types, ~1 MB strings, deep nesting, `__proto__`/`constructor` keys, invalid
 * JSON, odd path parameters and queries. Never a 5xx; the server still answers afterwards and nothing was polluted.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { TestServer } from '../helpers/server.ts';
import { bootWithAdmin, type Account } from './helpers.ts';

/** Routes whose body limit is the chat limit (10 MB), not the default 1 MB. */
const CHAT_ROUTES = new Set(['/api/chat', '/api/chat/stream', '/api/chat/continue', '/api/coding/stream']);

const TOTAL = 2000;
const IN_FLIGHT = 8;
const PROBE = 'zzPolluted';

let s: TestServer;
let admin: Account;
let user: Account;

before(async () => {
  ({ s, admin } = await bootWithAdmin());
  user = await s.signup();
  // Something real for path parameters to hit.
  await s.api('POST', '/api/conversations', { token: admin.token, body: { id: 'real-conv' } });
  await s.api('POST', '/api/messages', { token: admin.token, body: { id: 'real-msg', conversationId: 'real-conv', role: 'user', content: 'hi' } });
  await s.api('POST', '/api/tbwos', { token: admin.token, body: { id: 'real-tbwo' } });
});
after(() => s.dispose());

/** A deterministic PRNG (mulberry32) so a failure can be replayed with the same seed. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1e9);
const rand = rng(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
const int = (n: number) => Math.floor(rand() * n);

const STRINGS = ['', ' ', 'a', 'real-conv', 'real-tbwo', 'real-msg', 'null', 'true', '0', '-1', '1e999', 'NaN', '<script>', "'; DROP TABLE x;--", '../../etc/passwd', '\u0000', '\ud800', '💩', 'é', 'x'.repeat(300), '__proto__', 'constructor', 'prototype', 'admin', 'enterprise', 'short_term', 'planning', 'user'];
const PARAMS = ['x', 'real-conv', 'real-tbwo', 'real-msg', '%2e%2e', '..%2F..%2Fetc', 'a'.repeat(300), '%00', 'null', '__proto__', 'constructor', '%F0%9F%92%A9', '%E0%A4%A', '%', '%ff', 'a%20b', 'rules', 'self', 'character'];

/** Deep nesting, as a placeholder that \`toJson\` expands into text (JSON.stringify itself would overflow the stack). */
function deep(depth: number): string {
  return `@@DEEP${depth}@@`;
}
function toJson(v: unknown): string {
  return JSON.stringify(v).replace(/"@@DEEP(\d+)@@"/g, (_m, n) => {
    const d = Number(n);
    return rand() < 0.5 ? `${'['.repeat(d)}1${']'.repeat(d)}` : `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`;
  });
}

function pollution(): unknown {
  return pick<unknown>([
    { __proto__: { [PROBE]: true, isAdmin: true, role: 'admin', limit: 1 } },
    { constructor: { prototype: { [PROBE]: true, role: 'admin' } } },
    { metadata: { __proto__: { [PROBE]: 1 } } },
    { a: [{ __proto__: { [PROBE]: 1 } }] },
  ]);
}

function value(depth = 0): unknown {
  const r = rand();
  if (r < 0.2) return pick(STRINGS);
  if (r < 0.3) return pick([0, -1, 1, 0.5, 1e308, -1e308, 2 ** 53 + 1, 101, 200, 1e12]);
  if (r < 0.38) return pick([true, false, null]);
  if (r < 0.45 && depth < 3) return Array.from({ length: int(4) }, () => value(depth + 1));
  if (r < 0.55 && depth < 3) return object(depth + 1, []);
  if (r < 0.57) return 'x'.repeat(1_000_000 + int(1000));
  if (r < 0.6) return deep(1000 + int(30_000));
  if (r < 0.62) return pollution();
  return pick(STRINGS) + int(1000);
}

function object(depth: number, fields: string[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const f of fields) if (rand() < 0.6) o[f] = value(depth);
  for (let i = int(3); i > 0; i--) o[pick(['x', 'id', 'type', 'content', 'name', 'constructor', 'toString', 'valueOf', 'hasOwnProperty'])] = value(depth);
  return o;
}

/** A JSON text for a body: valid JSON of random shape (pollution keys written literally), or broken JSON. */
function bodyText(fields: string[]): { raw: string; json: boolean } {
  const r = rand();
  if (r < 0.12) return { raw: pick(['{', '{"a":', 'nul', "{'a':1}", '{"a":1,}', '[1,2', '\u0000', 'undefined', '{"a":"\\ud800"', '}{', '{"a":1}{"b":2}', '"unterminated', 'NaN', '{"a":01}']), json: false };
  if (r < 0.2) return { raw: pick(['{"__proto__":{"zzPolluted":true,"role":"admin","isAdmin":true,"limit":1}}', '{"constructor":{"prototype":{"zzPolluted":true}}}', '{"metadata":{"__proto__":{"zzPolluted":1}},"role":"user","content":"x","conversationId":"real-conv"}', '{"data":{"__proto__":{"zzPolluted":1}},"__proto__":{"zzPolluted":2}}']), json: true };
  if (r < 0.27) return { raw: JSON.stringify(pick([[], [1, 2], 'str', 5, null, true])), json: true };
  return { raw: toJson(object(0, fields)), json: true };
}

function query(): string {
  if (rand() < 0.5) return '';
  const parts = Array.from({ length: 1 + int(3) }, () => `${pick(['limit', 'offset', 'archived', 'layer', 'type', 'minCount', 'search', '__proto__[x]', 'constructor', 'limit[]'])}=${encodeURIComponent((String(value(3)).replace(/@@DEEP\d+@@/, '[[[') as any).toWellFormed()).slice(0, 2000)}`);
  if (rand() < 0.2) parts.push(pick(['%ff', 'limit=%E0%A4%A', '&&&', 'a[b][c][d]=1']));
  return `?${parts.join('&')}`;
}

interface Route { method: string; path: string; fields: string[] }

function routesOf(doc: any): Route[] {
  const out: Route[] = [];
  for (const [p, ops] of Object.entries<any>(doc.paths)) {
    for (const [m, op] of Object.entries<any>(ops)) {
      const props = op.requestBody?.content?.['application/json']?.schema?.properties ?? {};
      out.push({ method: m.toUpperCase(), path: p, fields: Object.keys(props) });
    }
  }
  return out;
}

it(`${TOTAL} random and malformed requests across every route: never a 5xx (seed ${SEED})`, { timeout: 400_000 }, async () => {
  // Sign-out and refresh revoke the caller's tokens by design (tests/alin/auth-session.test.ts); they would end the run.
  // Long-lived push streams (`GET /api/events`, `GET /mcp`) never end by design, so a client that reads the whole body
  // waits forever; their own tests open and close them.
  const longLived = (r: Route) => r.method === 'GET' && (r.path === '/api/events' || r.path === '/mcp');
  const routes = routesOf((await s.api('GET', '/api/openapi.json')).body).filter((r) => r.path !== '/api/auth/logout' && r.path !== '/api/auth/refresh' && !longLived(r));
  assert.ok(routes.length >= 50, `only ${routes.length} routes`);
  assert.ok(TOTAL > 600, 'room for the planned requests and random ones');
  const failures: string[] = [];
  const statuses = new Map<number, number>();
  // First, for every route taking a body, each known field nested 20,000 deep, and each field a 1 MB string.
  const withBody = routes.filter((r) => r.method !== 'GET' && r.method !== 'DELETE');
  const planned = withBody.flatMap((route) => [
    ...[...route.fields, 'metadata'].map((f) => ({ route, raw: toJson({ [f]: deep(20_000) }) })),
    { route, raw: JSON.stringify(Object.fromEntries([...route.fields, 'x'].map((f) => [f, 'y'.repeat(1_000_100)]))) },
  ]);
  /** Planned requests aim at objects that exist, so a body gets as far as the store. */
  const realId = (p: string) => (p.includes('/tbwo') ? 'real-tbwo' : p.includes('/messages/') ? 'real-msg' : p.includes('/conversations') ? 'real-conv' : pick(PARAMS));
  let next = 0;
  const worker = async () => {
    while (next < TOTAL) {
      const n = next++;
      const route = planned[n]?.route ?? routes[n % routes.length];
      const path = planned[n] ? route.path.replace(/\{[^}]+\}/g, () => realId(route.path)) : route.path.replace(/\{[^}]+\}/g, () => pick(PARAMS)) + query();
      const token = planned[n] ? admin.token : pick([admin.token, admin.token, user.token, undefined, 'Bearer.broken.token']);
      const hasBody = route.method !== 'GET' && (route.method !== 'DELETE' || rand() < 0.3);
      const body = planned[n] ? { raw: planned[n].raw, json: true } : hasBody ? bodyText(route.fields) : undefined;
      let r;
      try {
        r = await s.api(route.method, path, { token, raw: body?.raw });
      } catch (error) {
        failures.push(`${route.method} ${path}: request failed: ${(error as Error).message}`);
        continue;
      }
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      const what = `${route.method} ${path.slice(0, 200)} body=${body?.raw.slice(0, 200)} → ${r.status} ${r.text.slice(0, 200)}`;
      if (r.status >= 500) failures.push(what);
      else if (body && !body.json && r.status !== 400 && r.status !== 413) failures.push(`invalid JSON not refused: ${what}`);
      // The chat routes take up to 10 MB (images inside messages, as the original); everything else refuses 1 MB.
      else if (body && body.raw.length > 1_100_000 && !CHAT_ROUTES.has(path.split('?')[0]) && r.status !== 413) failures.push(`1 MB body not refused: ${what}`);
      // Browser-facing pages (the OAuth callback) answer HTML; every JSON error has the envelope.
      // Protocol endpoints answer in their protocol's error shape: OpenAI's `{ error: { message, … } }` on /v1, JSON-RPC on /mcp.
      else if (r.status >= 400 && /json/.test(r.headers.get('content-type') ?? '') && /^\/(v1\/|mcp(\?|$))/.test(path)) {
        if (typeof r.body?.error !== 'string' && typeof r.body?.error?.message !== 'string') failures.push(`protocol error without a message: ${what}`);
      } else if (r.status >= 400 && /json/.test(r.headers.get('content-type') ?? '') && (typeof r.body?.error !== 'string' || typeof r.body?.code !== 'string')) failures.push(`error without { error, code }: ${what}`);
      else if (/\bat .+\.(ts|js):\d+:\d+/.test(r.text)) failures.push(`stack trace in a response: ${what}`);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const summary = [...statuses].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k}×${v}`).join(' ');
  if (failures.length) {
    const errors = s.output.split('\n').filter((l) => /unhandled error|"level":50/.test(l)).slice(0, 10).join('\n');
    assert.fail(`${failures.length} bad answers (seed ${SEED}; statuses ${summary}):\n${failures.slice(0, 15).join('\n')}\n--- server errors:\n${errors}`);
  }
  assert.ok((statuses.get(400) ?? 0) > 100, `many 400s expected, got ${summary}`);
});

it('the server still answers, and no prototype was polluted', async () => {
  const health = await s.api('GET', '/api/health');
  assert.equal(health.status, 200);
  assert.equal(health.body.status, 'ok');
  // A plain user is still not an admin (role/isAdmin not inherited from a polluted prototype).
  const fresh = await s.signup();
  assert.equal((await s.api('GET', '/api/admin/users', { token: fresh.token })).status, 403);
  const me = (await s.api('GET', '/api/auth/me', { token: fresh.token })).body;
  assert.equal(me.user.role, 'user');
  assert.ok(!JSON.stringify(me).includes(PROBE));
  // Defaults read from objects are intact (a polluted `limit` would cut this list to 1).
  for (let i = 0; i < 3; i++) await s.api('POST', '/api/conversations', { token: fresh.token, body: {} });
  const list = await s.api('GET', '/api/conversations', { token: fresh.token });
  assert.equal(list.body.conversations.length, 3);
  // Objects built from bodies carry no inherited fields (a loose schema would copy them in).
  await s.api('POST', '/api/tbwos', { token: admin.token, body: { id: 'probe' } });
  const posted = await s.api('POST', '/api/tbwo/probe/receipts', { token: admin.token, body: { data: 1 } });
  assert.equal(posted.status, 201);
  const after = await s.api('GET', '/api/tbwo/probe', { token: admin.token });
  const conv = await s.api('GET', '/api/conversations/real-conv', { token: admin.token });
  for (const r of [after, conv, list]) assert.ok(!r.text.includes(PROBE), r.text.slice(0, 300));
  assert.equal(({} as any)[PROBE], undefined);
});
