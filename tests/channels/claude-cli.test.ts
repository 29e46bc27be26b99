/**
 * The Claude Code CLI provider (plugin `provider-claude-cli`) with a fake `claude` executable first on PATH: status,
 * login, chat through `POST /api/chat/stream` (stream-json with and without partial messages), model and system
 * arguments, CLI failures, abort kills the child, no CLI.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readSse, startServer, type TestServer } from '../helpers/server.ts';
import { installFakeClaude, type FakeClaude } from '../fakes/claude-cli.ts';

let s: TestServer;
let cli: FakeClaude;
let admin: { token: string };

const chat = (body: Record<string, unknown>, opts: { signal?: AbortSignal; onEvent?: Parameters<typeof readSse>[1]['onEvent'] } = {}) =>
  readSse(`${s.url}/api/chat/stream`, { token: admin.token, body: { provider: 'claude-cli', ...body }, ...opts });
const text = (events: Array<{ event: string; data: any }>) => events.filter((e) => e.event === 'text_delta').map((e) => e.data.text).join('');
const lastRun = () => cli.calls().filter((c) => c.argv.includes('--output-format')).at(-1)!;
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('claude-cli provider', () => {
  before(async () => {
    cli = installFakeClaude();
    s = await startServer({ env: cli.env });
    admin = await s.signup();
  });
  after(async () => {
    await s?.dispose();
    cli?.dispose();
  });

  it('status: installed, version, path, authenticated (probe)', async () => {
    const r = await s.api('GET', '/api/claude-cli/status', { token: admin.token });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body, { installed: true, authenticated: true, path: cli.bin, version: '2.1.3' });
    const user = await s.signup();
    assert.equal((await s.api('GET', '/api/claude-cli/status', { token: user.token })).status, 403);
  });

  it('the provider is listed and configured', async () => {
    const r = await s.api('GET', '/api/providers', { token: admin.token });
    const p = r.body.providers.find((x: any) => x.id === 'claude-cli');
    assert.ok(p, JSON.stringify(r.body));
    assert.equal(p.configured, true);
    assert.ok(p.models.includes('claude-cli/default'));
  });

  it('chat streams the CLI text (partial messages) and its usage', async () => {
    cli.set({ thinking: 'Greet back.', usage: { input_tokens: 11, output_tokens: 7, cache_read_input_tokens: 20, cache_creation_input_tokens: 2 } });
    const r = await chat({ messages: [{ role: 'user', content: 'Hello there, Claude' }] });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(text(r.events), 'Fake Claude heard: Hello there, Claude', 'deltas only, not again from the whole message');
    assert.equal(r.events.filter((e) => e.event === 'text_delta').length > 1, true, 'streamed in pieces');
    assert.deepEqual(r.events.filter((e) => e.event === 'thinking_delta').map((e) => e.data.thinking), ['Greet back.']);
    const usage = r.events.find((e) => e.event === 'usage')!;
    assert.equal(usage.data.inputTokens, 33, 'input + cache read + cache write');
    assert.equal(usage.data.outputTokens, 7);
    const done = r.events.find((e) => e.event === 'done')!;
    assert.equal(done.data.stopReason, 'end_turn');
    const run = lastRun();
    for (const a of ['-p', '--verbose', '--include-partial-messages']) assert.ok(run.argv.includes(a), a);
    assert.equal(run.argv[run.argv.indexOf('--output-format') + 1], 'stream-json');
    assert.ok(!run.argv.includes('--model'), 'claude-cli/default runs the CLI default model');
    assert.equal(run.stdin, 'Hello there, Claude');
  });

  it('model and system prompt become arguments; history goes on stdin', async () => {
    cli.set({});
    const r = await chat({
      model: 'claude-cli/opus',
      system: 'You are terse.',
      messages: [
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: 'first answer' },
        { role: 'user', content: 'second question' },
      ],
    });
    assert.equal(text(r.events), 'Fake Claude heard: second question');
    const run = lastRun();
    assert.equal(run.argv[run.argv.indexOf('--model') + 1], 'opus');
    assert.equal(run.argv[run.argv.indexOf('--append-system-prompt') + 1], 'You are terse.');
    assert.match(run.stdin, /User: first question[\s\S]*Assistant: first answer[\s\S]*second question$/);
    const bad = await chat({ model: 'claude-cli/--dangerously-skip-permissions', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(bad.json?.code ?? bad.events.find((e) => e.event === 'error')?.data.code, 'UNKNOWN_MODEL');
  });

  it('without partial messages: whole messages, thinking, the CLI tool as a note', async () => {
    await s.api('POST', '/api/config/settings', { token: admin.token, body: { 'provider-claude-cli': { partial_messages: false } } });
    cli.set({ reply: 'The folder has 3 files.', thinking: 'I should list the folder.', tool: { name: 'Bash', input: { command: 'ls' }, result: 'a b c' } });
    const r = await chat({ messages: [{ role: 'user', content: 'What is in the folder?' }] });
    const run = lastRun();
    assert.ok(!run.argv.includes('--include-partial-messages'));
    const all = text(r.events);
    assert.match(all, /\[claude-cli tool: Bash \{"command":"ls"\}\]/);
    assert.match(all, /The folder has 3 files\.$/);
    assert.ok(!r.events.some((e) => e.event === 'tool_use'), 'the CLI runs its own tools; our loop must not');
    assert.ok(r.events.some((e) => e.event === 'thinking_delta' && e.data.thinking === 'I should list the folder.'));
    await s.api('POST', '/api/config/settings', { token: admin.token, body: { 'provider-claude-cli': { partial_messages: true } } });
  });

  it('a failing CLI → an error event with its stderr', async () => {
    cli.set({ fail: { code: 1, stderr: 'Error: something broke in the CLI' } });
    const r = await chat({ messages: [{ role: 'user', content: 'x' }] });
    const err = r.events.find((e) => e.event === 'error');
    assert.ok(err, JSON.stringify(r.events));
    assert.equal(err.data.code, 'PROVIDER_ERROR');
    assert.match(err.data.error, /something broke/);
  });

  it('aborting the request kills the CLI', async () => {
    cli.set({ hang: true });
    const controller = new AbortController();
    const pending = chat({ messages: [{ role: 'user', content: 'never answered' }] }, { signal: controller.signal, onEvent: (e) => void (e.event === 'start' && setTimeout(() => controller.abort(), 300)) });
    await pending.catch(() => {});
    let run;
    for (let i = 0; i < 20 && !(run = cli.calls().find((c) => c.stdin === 'never answered')); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(run, 'the CLI ran');
    let gone = false;
    for (let i = 0; i < 50 && !gone; i++) {
      await new Promise((r) => setTimeout(r, 100));
      gone = !alive(run.pid);
    }
    assert.ok(gone, `claude (pid ${run.pid}) still running after abort`);
  });

  it('login: already authenticated, or started with the URL the CLI prints', async () => {
    cli.set({});
    const ok = await s.api('POST', '/api/claude-cli/login', { token: admin.token });
    assert.deepEqual(ok.body, { ok: true, step: 'already_authenticated' });
    cli.set({ auth: false, loginUrl: 'https://claude.ai/oauth/authorize?code=true&state=xyz' });
    const r = await s.api('POST', '/api/claude-cli/login', { token: admin.token });
    assert.equal(r.status, 200);
    assert.equal(r.body.ok, true);
    assert.equal(r.body.step, 'browser_opened');
    assert.equal(r.body.url, 'https://claude.ai/oauth/authorize?code=true&state=xyz');
    assert.ok(cli.calls().some((c) => c.argv[0] === 'setup-token'));
    const st = await s.api('GET', '/api/claude-cli/status', { token: admin.token });
    assert.equal(st.body.authenticated, false);
  });

  it('no CLI: not installed, login no_cli, chat refused', async () => {
    const set = await s.api('POST', '/api/keys', { token: admin.token, body: { CLAUDE_CLI_PATH: '/nonexistent/claude' } });
    assert.equal(set.status, 200, set.text);
    const st = await s.api('GET', '/api/claude-cli/status', { token: admin.token });
    assert.deepEqual(st.body, { installed: false, authenticated: false, path: null, version: null });
    const login = await s.api('POST', '/api/claude-cli/login', { token: admin.token });
    assert.equal(login.body.ok, false);
    assert.equal(login.body.step, 'no_cli');
    const r = await chat({ messages: [{ role: 'user', content: 'x' }] });
    assert.equal(r.status, 400);
    assert.equal(r.json.code, 'PROVIDER_NOT_CONFIGURED');
    await s.api('POST', '/api/keys', { token: admin.token, body: { CLAUDE_CLI_PATH: '' } });
  });
});
