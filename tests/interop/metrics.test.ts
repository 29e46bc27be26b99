/**
 * `GET /metrics`: Prometheus text for an admin or the METRICS_TOKEN bearer only; the counters move after a chat
 * (requests by route, turns, time to first token, tokens by provider, tool calls by tool and outcome).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readSse, startServer, type TestServer } from '../helpers/server.ts';
import { TEST_TOOLS_MANIFEST, TEST_TOOLS_PLUGIN, pluginsDir, writePlugin } from '../helpers/plugins.ts';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
let s: TestServer;
let admin: { token: string };
let user: { token: string };

before(async () => {
  const dir = pluginsDir();
  writePlugin(dir, 'test-tools', TEST_TOOLS_PLUGIN, TEST_TOOLS_MANIFEST);
  s = await startServer({ env: { METRICS_TOKEN, PLUGINS_DIRS: dir } });
  admin = await s.signup();
  user = await s.signup();
});
after(() => s?.dispose());

type Sample = { name: string; labels: Record<string, string>; value: number };

/** Parse the text exposition format into samples (and check every line is well-formed). */
function parse(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) {
      if (line) assert.match(line, /^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* /);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (-?[0-9.e+-]+|[Nn]a[Nn]|[+-]Inf)$/.exec(line);
    assert.ok(m, `malformed line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return out;
}

async function scrape(token = METRICS_TOKEN): Promise<Sample[]> {
  const r = await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /text\/plain/);
  return parse(await r.text());
}

const sum = (samples: Sample[], name: string, match: Record<string, string> = {}) =>
  samples.filter((x) => x.name === name && Object.entries(match).every(([k, v]) => x.labels[k] === v)).reduce((a, x) => a + x.value, 0);

test('401 without a token, 401 with a wrong one, 403 for a non-admin; the metrics token and an admin may scrape', async () => {
  assert.equal((await fetch(`${s.url}/metrics`)).status, 401);
  const wrong = await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}x` } });
  assert.equal(wrong.status, 401);
  assert.equal((await wrong.json()).code, 'INVALID_TOKEN');
  const forbidden = await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${user.token}` } });
  assert.equal(forbidden.status, 403);
  assert.equal((await forbidden.json()).code, 'FORBIDDEN');
  assert.ok((await scrape(admin.token)).length > 0);
  const samples = await scrape();
  assert.ok(sum(samples, 'nodejs_eventloop_lag_seconds') >= 0 && samples.some((x) => x.name === 'nodejs_eventloop_lag_seconds'));
  assert.ok(sum(samples, 'process_resident_memory_bytes') > 0);
  assert.ok(sum(samples, 'aion_plugin_loads_total', { plugin: 'test-tools', outcome: 'ok' }) >= 1);
});

test('counters move after a chat with a tool call', async () => {
  const before = await scrape();
  const r = await readSse(`${s.url}/api/chat`, { token: admin.token, body: { message: '/tool lookup {"q":"x"}\n/tool boom {}' } });
  assert.equal(r.status, 200);
  await fetch(`${s.url}/api/conversations/does-not-exist`, { headers: { authorization: `Bearer ${admin.token}` } });
  const after = await scrape();
  const delta = (name: string, match: Record<string, string> = {}) => sum(after, name, match) - sum(before, name, match);
  assert.equal(delta('aion_chat_turns_total', { kind: 'run', provider: 'echo', outcome: 'ok' }), 1);
  assert.equal(delta('aion_chat_time_to_first_token_seconds_count', { provider: 'echo' }), 1);
  assert.ok(delta('aion_tokens_total', { provider: 'echo', direction: 'output' }) > 0);
  assert.ok(delta('aion_tokens_total', { provider: 'echo', direction: 'input' }) > 0);
  assert.equal(delta('aion_tool_calls_total', { tool: 'lookup', outcome: 'ok' }), 1);
  assert.equal(delta('aion_tool_calls_total', { tool: 'boom', outcome: 'error' }), 1);
  assert.equal(delta('aion_http_requests_total', { method: 'POST', route: '/api/chat', status: '200' }), 1);
  assert.equal(delta('aion_http_requests_total', { method: 'GET', route: '/api/conversations/:id', status: '404' }), 1);
  assert.equal(delta('aion_http_request_duration_seconds_count', { method: 'POST', route: '/api/chat', status: '200' }), 1);
  // Raw paths never become labels (bounded cardinality).
  assert.ok(!after.some((x) => x.labels.route?.includes('does-not-exist')));
});
