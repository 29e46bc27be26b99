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
    // Abort once the CLI is really running (it logs its call), however long its sandbox setup took.
    const abortWhenRunning = async () => {
      for (let i = 0; i < 200 && !cli.calls().some((c) => c.stdin === 'never answered'); i++) await new Promise((r) => setTimeout(r, 50));
      controller.abort();
    };
    const pending = chat({ messages: [{ role: 'user', content: 'never answered' }] }, { signal: controller.signal, onEvent: (e) => void (e.event === 'start' && abortWhenRunning()) });
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

/**
 * The CLI runs on the host, outside the code sandbox: plain users may not pick it (403 `PROVIDER_FORBIDDEN` on both
 * chat dialects and `POST /api/model`, the CLI never starts) unless an admin names them in `allowed_users`; each user's
 * calls run in their own folder inside their own workspace.
 */
describe('claude-cli is not every user\'s', () => {
  let srv: TestServer;
  let fake: FakeClaude;
  let boss: { token: string; user: any };
  let plain: { token: string; user: any; email: string };
  const stream = (token: string, body: Record<string, unknown>) => readSse(`${srv.url}/api/chat/stream`, { token, body: { messages: [{ role: 'user', content: 'hello cli' }], ...body } });
  const aion = (token: string, body: Record<string, unknown>) => readSse(`${srv.url}/api/chat`, { token, body: { message: 'hello cli', ...body } });
  const runs = () => fake.calls().filter((c) => c.argv.includes('--output-format'));
  /** Every marker the fake left anywhere under the data folder. */
  const markers = async () => {
    const { readdirSync } = await import('node:fs');
    return (readdirSync(srv.dataDir, { recursive: true }) as string[]).filter((p) => p.endsWith(fake.markerName));
  };
  const workspaceOf = async (userId: string) => {
    const { realpathSync } = await import('node:fs');
    const path = await import('node:path');
    return realpathSync(path.join(srv.dataDir, 'workspaces', userId));
  };

  before(async () => {
    fake = installFakeClaude();
    srv = await startServer({ env: fake.env });
    boss = await srv.signup();
    plain = await srv.signup();
  });
  after(async () => {
    await srv?.dispose();
    fake?.dispose();
  });

  it('a plain user is refused on every route that picks a provider, and the CLI never runs', async () => {
    let attempts = 0;
    let through = 0;
    const refusals = [
      await stream(plain.token, { provider: 'claude-cli' }),
      await stream(plain.token, { model: 'claude-cli/opus' }),
      await stream(plain.token, { provider: 'claude-cli', model: 'claude-cli/default' }),
      await aion(plain.token, { provider: 'claude-cli' }),
      await aion(plain.token, { model: 'claude-cli/sonnet' }),
    ];
    for (const r of refusals) {
      attempts++;
      if (r.status !== 403) through++;
      assert.equal(r.status, 403, JSON.stringify(r.json ?? r.events));
      assert.equal(r.json.code, 'PROVIDER_FORBIDDEN');
      assert.match(r.json.error, /claude-cli/);
    }
    const pick = await srv.api('POST', '/api/model', { token: plain.token, body: { model: 'claude-cli/default', provider: 'claude-cli' } });
    attempts++;
    if (pick.status !== 403) through++;
    assert.equal(pick.status, 403, pick.text);
    console.log(`claude-cli picks by a plain user: ${attempts} attempts, ${through} got through`);
    assert.equal(runs().length, 0, 'the CLI was never started');
    assert.deepEqual(await markers(), []);
  });

  it("an admin's active CLI is not chosen for plain users; the admin's own calls run in the admin's workspace", async () => {
    const set = await srv.api('POST', '/api/model', { token: boss.token, body: { model: 'claude-cli/default', provider: 'claude-cli' } });
    assert.equal(set.status, 200, set.text);
    const mine = await stream(boss.token, {});
    assert.equal(mine.status, 200);
    assert.match(text(mine.events), /Fake Claude heard: hello cli/);
    assert.equal(runs().at(-1)!.cwd, `${await workspaceOf(boss.user.id)}/claude-cli`);
    const before = runs().length;
    const theirs = await stream(plain.token, {});
    assert.equal(theirs.status, 200, JSON.stringify(theirs.json));
    assert.equal(theirs.events.find((e) => e.event === 'start')?.data.provider === 'claude-cli', false, 'another provider served the plain user');
    assert.equal(runs().length, before, 'the CLI did not run for the plain user');
    await srv.api('POST', '/api/config/settings', { token: boss.token, body: { provider: '', model: '' } });
  });

  it('users an admin allowed (by email or id) work, each in a folder of their own workspace', async () => {
    const second = await srv.signup();
    const other = await srv.signup();
    const allow = await srv.api('POST', '/api/config/settings', { token: boss.token, body: { 'provider-claude-cli': { allowed_users: [plain.email.toUpperCase(), second.user.id] } } });
    assert.equal(allow.status, 200, allow.text);
    const a = await stream(plain.token, { provider: 'claude-cli' });
    assert.equal(a.status, 200, JSON.stringify(a.json));
    assert.match(text(a.events), /Fake Claude heard: hello cli/);
    const aDir = `${await workspaceOf(plain.user.id)}/claude-cli`;
    assert.equal(runs().at(-1)!.cwd, aDir);
    const b = await aion(second.token, { provider: 'claude-cli' });
    assert.equal(b.status, 200, JSON.stringify(b.json));
    const bDir = `${await workspaceOf(second.user.id)}/claude-cli`;
    assert.equal(runs().at(-1)!.cwd, bDir);
    assert.notEqual(aDir, bDir);
    // The marker is in each caller's own workspace, readable there through the files API, and nowhere shared.
    const read = await srv.api('POST', '/api/files/read', { token: plain.token, body: { filePath: `claude-cli/${fake.markerName}` } });
    assert.equal(read.status, 200, read.text);
    for (const m of await markers()) assert.match(m, /^workspaces\/[^/]+\/claude-cli\//, `marker at ${m}`);
    // Not named: still refused.
    const refused = await stream(other.token, { provider: 'claude-cli' });
    assert.equal(refused.status, 403);
    assert.equal(refused.json.code, 'PROVIDER_FORBIDDEN');
    // What the allowed user's CLI (and the shell tools it runs) can reach: its own folder, nothing of the server.
    const { ROOT } = await import('../helpers/server.ts');
    const tag = `cli-pwned-${process.pid}`;
    await srv.api('POST', '/api/files/write', { token: other.token, body: { filePath: 'private.txt', content: 'other-users-private' } });
    fake.set({
      tryRead: ['../../../store/users.json', '../../store/users.json', `${srv.dataDir}/store/users.json`, `${srv.dataDir}/jwt-secret`, `${srv.dataDir}/workspaces/${other.user.id}/private.txt`, srv.envFile, fake.markerName],
      tryWrite: [`${ROOT}/plugins/${tag}`, `${ROOT}/node_modules/${tag}`, `${ROOT}/${tag}`, `${srv.dataDir}/store/${tag}`, `own-${tag}`],
    });
    const probe = await stream(plain.token, { provider: 'claude-cli' });
    const report = text(probe.events).split('\n').slice(1);
    fake.set({});
    const { existsSync, rmSync } = await import('node:fs');
    for (const p of [`${ROOT}/plugins/${tag}`, `${ROOT}/node_modules/${tag}`, `${ROOT}/${tag}`]) {
      if (existsSync(p)) rmSync(p, { force: true });
    }
    const got = report.filter((l) => / (READ|WROTE)/.test(l));
    console.log(`claude-cli reaching the server: ${report.length - 2} attempts, ${got.length - 2} got through`);
    assert.deepEqual(got.map((l) => l.replace(/: .*/, '')), [fake.markerName, `own-${tag}`], report.join('\n'));
    assert.doesNotMatch(text(probe.events), /passwordHash|other-users-private/);
    // Taken off the list: refused again.
    await srv.api('POST', '/api/config/settings', { token: boss.token, body: { 'provider-claude-cli': { allowed_users: [] } } });
    assert.equal((await stream(plain.token, { provider: 'claude-cli' })).status, 403);
  });
});
