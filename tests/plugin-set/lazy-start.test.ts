/**
 * What a start and its first JSON answers do not load (issue #16), and that each loads on its first use:
 * - undici (with tls and http2): @koa/router through its CommonJS build, plain JSON bodies past Koa's
 *   `instanceof Response` (core/json-bodies.ts) — the JSON answers keep Koa's type, status and length;
 * - tls: prom-client by file (no Pushgateway), web-tools' `node:https` on its first https fetch;
 * - pg on the file store (on the PostgreSQL pass the store itself opens a pool at start);
 * - koa-body with formidable and co-body's form reader (qs): JSON bodies are read by co-body's JSON reader alone,
 *   koa-body loads on the first multipart upload (process_file, workspace upload), unpdf on the first PDF;
 * - the backends of rate-limiter-flexible, jose's JWE/JWK/JWKS modules, prom-client's Pushgateway, semver's entry;
 * - @opentelemetry/api: prom-client's default metrics are registered file by file, the CPU counters collected by us
 *   (core/metrics/default-metrics.ts) — /metrics still serves every standard name, the CPU seconds adding up;
 * - and sign-in with an unknown email still spends scrypt time and answers 401.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { ROOT, startServer, type TestServer } from '../helpers/server.ts';
import { pluginSettings, tool } from './helpers.ts';

/** Ask the server's tracer for what it has loaded so far (tests/plugin-set/module-tracer.mjs). */
async function loadedNow(s: TestServer, trace: string, n: number): Promise<string[]> {
  s.child.kill('SIGUSR2');
  const file = `${trace}.${n}`;
  for (let i = 0; i < 500 && !existsSync(file); i++) await sleep(20);
  return readFileSync(file, 'utf8').split('\n');
}

const builtin = (loaded: string[], name: string) => loaded.includes(`NativeModule ${name}`);
const npmFile = (loaded: string[], pattern: RegExp) => loaded.filter((l) => l.startsWith('npm ') && pattern.test(l.slice(4)));

/** The standard process and Node.js metrics are all on /metrics, the CPU counters with the process's CPU so far. */
async function assertStandardMetrics(s: TestServer, adminToken: string): Promise<void> {
  const res = await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${adminToken}` } });
  assert.equal(res.status, 200);
  const text = await res.text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
  for (const name of ['process_start_time_seconds', 'process_resident_memory_bytes', 'process_open_fds', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_version_info', 'nodejs_active_handles_total']) {
    assert.match(text, new RegExp(`^${name}[ {]`, 'm'), `${name} on /metrics`);
  }
  assert.match(text, /^# TYPE process_cpu_seconds_total counter$/m);
  assert.match(text, /^nodejs_gc_duration_seconds_count\{kind="/m, 'the start-up GCs were counted');
  const [user, system, total] = ['process_cpu_user_seconds_total', 'process_cpu_system_seconds_total', 'process_cpu_seconds_total'].map(value);
  assert.ok(user > 0.05, `user CPU ${user} s counts the start-up`);
  assert.ok(system >= 0 && Math.abs(user + system - total) < 1e-6, `${user} + ${system} = ${total}`);
}

test('a started server that has answered JSON has not loaded undici, tls, pg or unused package parts; first uses load them', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'aion-lazy-start-'));
  const trace = path.join(dir, 'loaded');
  const plain: Server = createServer((_req, res) => res.end('plain http')).listen(0, '127.0.0.1');
  await new Promise((r) => plain.once('listening', r));
  const s = await startServer({ env: { NODE_OPTIONS: `--import=${path.join(ROOT, 'tests/plugin-set/module-tracer.mjs')}`, AION_MODULE_TRACE: trace } });
  try {
    const health = await s.api('GET', '/api/health');
    assert.equal(health.status, 200);
    // Koa's JSON rules still hold for plain bodies: type, length of the bytes, explicit statuses, errors.
    assert.equal(health.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(Number(health.headers.get('content-length')), Buffer.byteLength(health.text));
    const admin = await s.signup('lazy-admin@example.com');
    const missing = await s.api('GET', '/api/no-such-route-é');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'NOT_FOUND');
    assert.equal(Number(missing.headers.get('content-length')), Buffer.byteLength(missing.text));
    const unknown = await s.api('POST', '/api/auth/login', { body: { email: 'nobody@example.com', password: 'whatever it is' } });
    assert.equal(unknown.status, 401, unknown.text);
    const known = await s.api('POST', '/api/auth/login', { body: { email: admin.email, password: admin.password } });
    assert.equal(known.status, 200, known.text);
    assert.equal((await s.api('GET', '/api/plugins', { token: known.body.token })).status, 200, 'a token jose signed verifies');

    const atStart = await loadedNow(s, trace, 1);
    assert.ok(builtin(atStart, 'http'), 'the trace sees built-ins');
    assert.ok(npmFile(atStart, /^koa\//).length > 0, 'the trace sees npm files');
    for (const name of ['internal/deps/undici/undici', 'tls', 'https', 'http2']) assert.equal(builtin(atStart, name), false, `${name} loaded at start`);
    assert.deepEqual(npmFile(atStart, /^rate-limiter-flexible\/lib\/RateLimiter(Redis|Mongo|MySQL|Cluster|Dynamo|Etcd|Prisma|Memcache|Valkey)/), [], 'limiter backends');
    assert.deepEqual(npmFile(atStart, /^jose\/dist\/webapi\/(jwe|jwks|jwk)\//), [], "jose's JWE/JWK parts");
    assert.deepEqual(npmFile(atStart, /^prom-client\/lib\/(pushgateway|cluster)/), [], "prom-client's Pushgateway");
    assert.deepEqual(npmFile(atStart, /^semver\/index\.js$/), [], "semver's entry");
    assert.deepEqual(npmFile(atStart, /^@opentelemetry\//), [], '@opentelemetry/api (prom-client exemplars) loaded at start');
    await assertStandardMetrics(s, known.body.token);
    for (const pkg of ['koa-body', 'formidable', 'qs', 'unpdf']) assert.deepEqual(npmFile(atStart, new RegExp(`^${pkg}/`)), [], `${pkg} loaded at start`);
    assert.deepEqual(npmFile(atStart, /^co-body\/lib\/(form|text|any)\.js$/), [], "co-body's form and text readers");
    assert.ok(npmFile(atStart, /^co-body\/lib\/json\.js$/).length > 0, 'JSON bodies went through co-body');
    const onPostgres = Boolean(s.env.DATABASE_URL);
    assert.equal(npmFile(atStart, /^pg\//).length > 0, onPostgres, onPostgres ? 'the PostgreSQL store loads pg' : 'pg loaded on the file store');

    // First uses: a tool turn hands the model every tool's JSON Schema (derived on first need); an https fetch loads
    // node:https and tls (a plain-HTTP port answers the handshake with garbage, so the fetch fails — after loading them).
    await pluginSettings(s, admin.token, 'web-tools', { web_allow_private_hosts: ['localhost'] });
    const port = (plain.address() as AddressInfo).port;
    const fetched = await tool(s, admin.token, 'web_fetch', { url: `https://localhost:${port}/` }, false);
    assert.equal(fetched.ok, false, JSON.stringify(fetched));
    // First uploads: multipart bodies through koa-body (formidable), a PDF through unpdf — each works on first use.
    const upload = async (route: string, field: string, name: string, text: string) => {
      const form = new FormData();
      form.append(field, new Blob([text]), name);
      const res = await fetch(`${s.url}${route}`, { method: 'POST', body: form, headers: { authorization: `Bearer ${admin.token}` } });
      return { status: res.status, body: await res.json() };
    };
    const processed = await upload('/api/process_file', 'file', 'notes.md', '# first upload');
    assert.equal(processed.status, 200, JSON.stringify(processed.body));
    assert.equal(processed.body.text, '# first upload');
    const stored = await upload('/api/workspace/upload', 'files', 'first.txt', 'kept');
    assert.equal(stored.status, 200, JSON.stringify(stored.body));
    assert.deepEqual(stored.body.files, ['first.txt']);
    const pdf = await upload('/api/process_file', 'file', 'broken.pdf', 'not a pdf');
    assert.equal(pdf.status, 422, JSON.stringify(pdf.body));
    assert.equal(pdf.body.code, 'UNREADABLE_PDF');
    const later = await loadedNow(s, trace, 2);
    assert.ok(builtin(later, 'https') && builtin(later, 'tls'), 'the first https fetch loads node:https and tls');
    for (const pkg of ['koa-body', 'formidable', 'unpdf']) assert.ok(npmFile(later, new RegExp(`^${pkg}/`)).length > 0, `${pkg} loaded by its first use`);
  } finally {
    await s.dispose();
    plain.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
