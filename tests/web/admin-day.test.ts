/**
 * Issue 18, "how it is checked", for the admin side: a new admin signs up in Chromium and does a day's work through
 * the panel alone — reads the first-run page, adds a provider key, disables a plugin (and sees a broken update's card
 * say the previous version keeps serving), adds an MCP server from `mcpServers` JSON (a real stdio MCP server, the
 * SDK's), restarts it, creates a schedule and runs it now, creates and revokes an API key, changes a user's plan and
 * disables them, filters the activity, adds and edits a memory, previews a prompt, sets the public URL, looks at the
 * charts, and switches to German. Every screen is shot at 1280×800 and 390×844 (test-results/web-day-*.png).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { writePlugin } from '../helpers/plugins.ts';
import { ROOT, type TestServer } from '../helpers/server.ts';
import { ALL_PAGES, fullShot, noSidewaysScroll } from './admin-shots.ts';
import { loadToInteractive, openPage, openSignedInPanel, type SignedInPanel } from './browser.ts';

const FAKE_MCP = path.join(ROOT, 'tests/fakes/mcp-stdio-server.mjs');
const FLAKY_V1 = `export default { name: 'flaky', version: '1.0.0', setup(ctx) { ctx.tools.register({ name: 'flaky_ping', description: 'Ping', risk: 'read', input: { type: 'object', properties: {} }, run: () => 'pong' }); } };`;

let panel: SignedInPanel;
let server: TestServer;
let browser: Browser;
let page: Page;
let problems: string[];
let pluginsDir: string;
let token: string;

before(async () => {
  panel = await openSignedInPanel({
    email: 'owner@example.com',
    viewport: { width: 1280, height: 800 },
    env: { SYSTEM_METRICS_SAMPLE_MS: '200' },
    plugins: (dir) => writePlugin(dir, 'flaky', FLAKY_V1, { name: 'flaky', version: '1.0.0', description: 'Breaks on its update' }),
  });
  ({ server, browser, page, problems, pluginsDir, token } = panel);
});

after(() => panel?.close());

async function open(id: string, heading: string) {
  await page.goto(`${server.url}/#/${id}`);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

test('first run: the getting-started page explains echo; a key added there is saved masked and the provider is ready', async () => {
  await open('welcome', 'Getting started');
  await page.getByTestId('active-provider').filter({ hasText: 'AION answers with echo right now.' }).waitFor();
  const row = page.locator('form[data-key="OPENAI_API_KEY"]');
  await row.getByLabel('OPENAI_API_KEY', { exact: true }).fill('sk-day-1234567890abcdef');
  await row.getByRole('button', { name: 'Save OPENAI_API_KEY' }).click();
  await row.locator('[data-testid="masked"]', { hasText: 'sk-d…cdef' }).waitFor();
  await page.getByText(/Ready: .*OpenAI/).waitFor();
  assert.ok(!(await page.content()).includes('1234567890'), 'the key is never on the page');
  assert.ok(await page.locator('form[data-key="OLLAMA_HOST"]').count() === 0, 'host settings are not offered as keys');
  await page.getByRole('button', { name: 'Get a link code' }).click();
  assert.match(await page.getByLabel('Send this to the bot', { exact: true }).inputValue(), /^\/link \S+$/);
  await fullShot(page, 'day-welcome');
  // The key is a made-up one and the outside OpenAI is out of reach: the rest of the day runs on echo.
  assert.equal((await server.api('POST', '/api/model', { token, body: { model: 'echo-1' } })).status, 200);
  assert.deepEqual(problems, []);
});

test('plugins: search and status filter; a plugin disabled; a broken update says the previous version keeps serving', async () => {
  await open('plugins', 'Plugins');
  await page.locator('article[data-plugin]').first().waitFor();
  await page.getByRole('searchbox', { name: 'Search' }).fill('lookup');
  await page.waitForFunction(() => document.querySelectorAll('article[data-plugin]').length === 1);
  assert.equal(await page.locator('article[data-plugin]').getAttribute('data-plugin'), 'test-tools', 'found by its tool');
  await page.getByRole('searchbox', { name: 'Search' }).fill('test-tools');
  const card = page.locator('article[data-plugin="test-tools"]');
  await card.getByRole('button', { name: 'Disable test-tools' }).click();
  await card.locator('.badge[data-status="disabled"]').waitFor();
  await page.getByRole('searchbox', { name: 'Search' }).fill('');
  await page.getByLabel('Status').selectOption('disabled');
  await page.waitForFunction(() => [...document.querySelectorAll('article[data-plugin]')].every((a) => a.querySelector('.badge')?.getAttribute('data-status') === 'disabled'));
  assert.ok(await page.locator('article[data-plugin="test-tools"]').isVisible());
  const plugins = (await server.api('GET', '/api/plugins', { token })).body.plugins;
  assert.equal(plugins.find((p: any) => p.name === 'test-tools').status, 'disabled');

  // The next version of flaky does not even parse: the host keeps the loaded one and the card says so.
  writePlugin(pluginsDir, 'flaky', 'export default { name: "flaky", version: "1.0.1", setup(ctx) { this is not javascript } };');
  await page.getByLabel('Status').selectOption('all');
  await page.getByRole('searchbox', { name: 'Search' }).fill('flaky');
  await page.getByRole('button', { name: 'Reload flaky' }).click();
  const broken = page.locator('article[data-plugin="flaky"]');
  await broken.locator('.plugin-error-card').waitFor();
  await page.getByLabel('Status').selectOption('error');
  await page.waitForFunction(() => document.querySelectorAll('article[data-plugin]').length === 1);
  assert.match((await broken.locator('.plugin-error-card').textContent()) ?? '', /previous version \(loaded .+\) keeps serving/);
  const ping = await server.api('GET', '/api/plugins', { token });
  assert.ok(ping.body.plugins.find((p: any) => p.name === 'flaky').tools.some((t: any) => t.name === 'flaky_ping'), 'the old tools are still there');
  await fullShot(page, 'day-plugins');
  await page.getByLabel('Status').selectOption('all');
  await page.getByRole('searchbox', { name: 'Search' }).fill('');
  await page.locator('article[data-plugin="test-tools"]').getByRole('button', { name: 'Enable test-tools' }).click();
  await page.locator('article[data-plugin="test-tools"] .badge[data-status="loaded"]').waitFor();
  assert.deepEqual(problems, []);
});

test('MCP: a server pasted as mcpServers JSON connects with its tools; restart reconnects it', async () => {
  await open('mcp-servers', 'MCP servers');
  await page.getByText('No MCP servers yet.').waitFor();
  const json = JSON.stringify({ mcpServers: { local: { command: process.execPath, args: [FAKE_MCP], trusted: true } } }, null, 2);
  await page.getByLabel('mcpServers JSON').fill('{ not json');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await page.getByText(/This is not valid JSON/).waitFor();
  await page.getByLabel('mcpServers JSON').fill(json);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await page.getByText('Added: local').waitFor();
  const card = page.locator('article[data-mcp="local"]');
  await card.locator('.badge[data-status="connected"]').waitFor({ timeout: 20_000 });
  assert.match((await card.textContent()) ?? '', /env, add, fail, crash/);
  await card.getByRole('button', { name: 'Restart local' }).click();
  await page.waitForFunction(() => /Restarts\s*1/.test(document.querySelector('article[data-mcp="local"] .facts')?.textContent ?? ''), undefined, { timeout: 20_000 });
  await card.locator('.badge[data-status="connected"]').waitFor({ timeout: 20_000 });
  await fullShot(page, 'day-mcp');
  assert.deepEqual(problems, []);
});

test('schedules: one created at an interval, run now shows its outcome, paused', async () => {
  await open('schedules', 'Schedules');
  await page.getByLabel('Name', { exact: true }).fill('Hourly check');
  await page.getByLabel('Runs').selectOption('interval');
  await page.getByLabel('Every').fill('1h');
  await page.getByLabel('What should AION do?').fill('Say that all is well');
  await page.getByRole('button', { name: 'Create task' }).click();
  const card = page.locator('article[data-schedule="Hourly check"]');
  await card.waitFor();
  assert.match((await card.textContent()) ?? '', /every 1h/);
  await card.getByRole('button', { name: 'Run Hourly check now' }).click();
  await card.locator('[data-outcome="ok"]').waitFor({ timeout: 20_000 });
  await card.getByText('Last result').click();
  assert.match((await card.textContent()) ?? '', /Say that all is well/, 'echo answered the task');
  await card.getByRole('button', { name: 'Pause Hourly check' }).click();
  await card.getByText('off', { exact: true }).waitFor();
  assert.equal((await server.api('GET', '/api/schedules', { token })).body.tasks[0].enabled, false);
  await fullShot(page, 'day-schedules');
  assert.deepEqual(problems, []);
});

test('API keys: created and shown once (it works), revoked (it stops working) — by keyboard alone', async () => {
  await open('api-keys', 'API keys');
  await page.getByLabel('What is it for?').focus();
  await page.keyboard.type('day script');
  // The button is enabled by the re-render the typing causes; under load a Tab right after it could skip it still disabled.
  await page.getByRole('button', { name: 'Create key' }).and(page.locator(':enabled')).waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Create key');
  assert.notEqual(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle), 'none', 'focus is visible');
  await page.keyboard.press('Enter');
  const key = await page.getByLabel('Your new key', { exact: true }).inputValue();
  assert.match(key, /^aion_/);
  assert.equal((await server.api('GET', '/api/auth/me', { token: key })).status, 200);
  await fullShot(page, 'day-api-keys');
  await page.getByRole('button', { name: 'I have copied it' }).click();
  assert.equal(await page.getByLabel('Your new key', { exact: true }).count(), 0, 'never shown again');
  await page.reload();
  await page.locator('li[data-api-key="day script"]').waitFor();
  assert.ok(!(await page.content()).includes(key), 'the list never holds the key');
  await page.getByRole('button', { name: 'Revoke key day script' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('group', { name: 'Revoke this key?' }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Yes', 'focus moves to the answer');
  await page.keyboard.press('Enter');
  await page.getByText('No keys yet.').waitFor();
  assert.equal((await server.api('GET', '/api/auth/me', { token: key })).status, 401);
  assert.deepEqual(problems, []);
});

test("users: a user's plan changed and the account disabled (its token stops working)", async () => {
  const other = await server.signup('colleague@example.com');
  await server.api('POST', '/api/chat', { token: other.token, body: { message: 'hi' } });
  await open('users', 'Users');
  const card = page.locator('li[data-user="colleague@example.com"]');
  await card.waitFor();
  assert.match((await card.textContent()) ?? '', /Messages this hour\s*1 \/ 10/);
  await card.getByLabel('Plan of colleague').selectOption('pro');
  await page.waitForFunction(async () => true);
  const plan = async () => (await server.api('GET', '/api/admin/users', { token })).body.users.find((u: any) => u.email === 'colleague@example.com');
  for (let i = 0; i < 50 && (await plan()).plan !== 'pro'; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal((await plan()).plan, 'pro');
  await card.getByRole('button', { name: 'Disable colleague' }).click();
  await card.locator('.badge', { hasText: 'disabled' }).waitFor();
  assert.equal((await server.api('GET', '/api/auth/me', { token: other.token })).status, 401);
  assert.ok(await page.locator('li[data-user="owner@example.com"]').getByRole('button', { name: 'Disable owner' }).isDisabled(), 'no disabling yourself');
  await fullShot(page, 'day-users');
  assert.deepEqual(problems, []);
});

test('activity: tool calls and turns, filtered to tool results and by tool name', async () => {
  await server.api('POST', '/api/chat', { token, body: { message: '/tool lookup {"q":"tea"}' } });
  await open('activity', 'Activity');
  await page.locator('li[data-type="turn_done"]').first().waitFor();
  await page.getByLabel('Show').selectOption('results');
  await page.waitForFunction(() => document.querySelectorAll('li[data-type]').length > 0 && [...document.querySelectorAll('li[data-type]')].every((li) => li.getAttribute('data-type') === 'tool_result'));
  await page.getByLabel('Tool', { exact: true }).fill('nothing-like-this');
  await page.getByText('Nothing here yet.').waitFor();
  await page.getByLabel('Tool', { exact: true }).fill('look');
  await page.locator('li[data-type="tool_result"]', { hasText: 'lookup' }).first().waitFor();
  await fullShot(page, 'day-activity');
  assert.deepEqual(problems, []);
});

test('memory added and edited; a prompt previewed as Markdown without host paths; the public URL (HTTPS only)', async () => {
  await open('memory', 'Memory');
  await page.getByText('Add a memory').click();
  await page.getByLabel('What should AION remember?').fill('The owner drinks green tea');
  await page.locator('details.add-memory').getByLabel('Layer').selectOption('semantic');
  await page.getByRole('button', { name: 'Remember' }).click();
  await page.locator('li[data-memory]', { hasText: 'green tea' }).waitFor();
  const id = await page.locator('li[data-memory]', { hasText: 'green tea' }).getAttribute('data-memory');
  const stored = (await server.api('GET', '/api/memories?limit=1000', { token })).body.memories.find((m: any) => m.id === id);
  assert.equal(stored.layer, 'semantic', 'the layer picked in the form is saved');
  // The filter's picker: another layer hides it, its own layer (or all layers) shows it.
  const filter = page.getByRole('search').getByLabel('Layer');
  await filter.selectOption('episodic');
  await page.locator(`li[data-memory="${id}"]`).waitFor({ state: 'detached' });
  await filter.selectOption('semantic');
  await page.locator(`li[data-memory="${id}"]`).waitFor();
  await filter.selectOption('');
  const item = page.locator(`li[data-memory="${id}"]`);
  await item.getByRole('button', { name: /^Edit memory/ }).click();
  await item.getByLabel('What should AION remember?').fill('The owner drinks jasmine tea');
  await item.getByRole('button', { name: 'Save' }).click();
  await page.locator('li[data-memory] .memory-content', { hasText: 'jasmine tea' }).waitFor();
  await fullShot(page, 'day-memory');

  await open('prompts', 'Prompts');
  await page.waitForFunction(() => ((document.getElementById('prompt-text') as HTMLTextAreaElement | null)?.value ?? '').length > 0);
  await page.locator('#prompt-text').fill('# House rules\n\n- **Be kind**\n- <img src=x onerror="window.pwned=1">');
  await page.getByTestId('prompt-preview').locator('h1', { hasText: 'House rules' }).waitFor();
  assert.equal(await page.getByTestId('prompt-preview').locator('strong').textContent(), 'Be kind');
  assert.equal(await page.evaluate(() => (window as any).pwned), undefined, 'the preview is sanitised');
  assert.equal(await page.getByTestId('prompt-preview').locator('[onerror]').count(), 0, 'no handler attribute in the preview');
  // The browser reports the blocked handler (CSP) and the missing image; both are the attack failing, not a fault.
  // Wait until the image has failed, so its 404 is reported now and not in a later test.
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="prompt-preview"] img')].every((i) => (i as HTMLImageElement).complete));
  problems.splice(0, problems.length, ...problems.filter((m) => !/inline event handler|status of 404 .*\/x\)/.test(m)));
  assert.ok(!(await page.locator('main').textContent())!.includes(server.dataDir), 'no host path on the page');
  assert.ok(!/\/(tmp|home|work)\//.test((await page.locator('main').textContent())!), 'no host path on the page');
  await fullShot(page, 'day-prompts');

  await open('channels', 'Channels');
  await page.getByLabel('Alexa endpoint (Alexa console → Endpoint → HTTPS)', { exact: true }).waitFor();
  const input = page.getByLabel('Public URL', { exact: true });
  await input.fill('http://aion.example.org');
  await page.locator('input[aria-invalid="true"]').waitFor();
  assert.ok(await page.locator('#pub-h').locator('..').getByRole('button', { name: 'Save' }).isDisabled(), 'plain HTTP cannot be saved');
  await input.fill('https://aion.example.org');
  await page.locator('#pub-h').locator('..').getByRole('button', { name: 'Save' }).click();
  await page.getByText('Public address saved.').waitFor();
  assert.equal(await page.getByLabel('Alexa endpoint (Alexa console → Endpoint → HTTPS)', { exact: true }).inputValue(), 'https://aion.example.org/api/alexa');
  assert.equal(await page.getByLabel('Telegram webhook (TELEGRAM_WEBHOOK_URL)', { exact: true }).inputValue(), 'https://aion.example.org/api/telegram/webhook');
  const refused = await server.api('POST', '/api/config/settings', { token, body: { public_url: 'http://aion.example.org' } });
  assert.equal(refused.status, 400, 'the server refuses plain HTTP too');
  await fullShot(page, 'day-channels');
  assert.deepEqual(problems, []);
});

test('providers: CLAUDE_CLI_PATH is a path setting, not a key; system charts are time series', async () => {
  await open('providers', 'Providers & keys');
  const cli = page.locator('form[data-key="CLAUDE_CLI_PATH"]');
  await cli.waitFor();
  assert.equal(await cli.getAttribute('data-kind'), 'path');
  assert.equal(await cli.locator('input').getAttribute('type'), 'text');
  assert.equal(await page.locator('form[data-key="OPENAI_API_KEY"] input').getAttribute('type'), 'password');
  await fullShot(page, 'day-providers');

  await open('system', 'System');
  await page.locator('svg.chart polyline').first().waitFor({ timeout: 20_000 });
  assert.ok((await page.locator('svg.chart polyline').count()) >= 4, 'CPU, memory, lag mean and max');
  await page.getByText('Tool reliability').waitFor();
  await fullShot(page, 'day-system');
  assert.deepEqual(problems, []);
});

test('every page at 390×844 and 1280×800: no sideways scrolling; chart labels inside their chart', async () => {
  for (const size of [{ width: 390, height: 844, name: 'phone' }, { width: 1280, height: 800, name: 'desktop' }]) {
    const ctx = await browser.newContext({ viewport: { width: size.width, height: size.height }, isMobile: size.name === 'phone', hasTouch: size.name === 'phone' });
    await ctx.addInitScript((t) => localStorage.setItem('aion.token', t), token);
    const { page: p, problems: pageProblems } = await openPage(ctx);
    for (const id of ALL_PAGES) {
      await p.goto(`${server.url}/#/${id}`);
      await loadToInteractive(p);
      await p.locator('main h1').first().waitFor();
      await p.waitForLoadState('networkidle');
      assert.ok(await noSidewaysScroll(p), `${id} at ${size.name}: no sideways scroll`);
      if (id === 'system') {
        await p.locator('svg.chart polyline').first().waitFor({ timeout: 20_000 });
        const outside = await p.evaluate(() =>
          [...document.querySelectorAll('svg.chart')].flatMap((svg) => {
            const box = svg.getBoundingClientRect();
            return [...svg.querySelectorAll('text')].filter((t) => {
              const r = t.getBoundingClientRect();
              return r.left < box.left - 1 || r.right > box.right + 1;
            }).map((t) => t.textContent);
          }),
        );
        assert.deepEqual(outside, [], `${size.name}: every chart label fits its chart`);
      }
      if (id !== 'chat') await fullShot(p, `day-${size.name}-${id}`);
    }
    await ctx.close();
    assert.deepEqual(pageProblems, []);
  }
});

test('German: the admin pages speak German, with German dates and numbers', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'de-DE' });
  await ctx.addInitScript((t) => localStorage.setItem('aion.token', t), token);
  const { page: p, problems: deProblems } = await openPage(ctx);
  const expect = { users: 'Benutzer', 'api-keys': 'API-Schlüssel', 'mcp-servers': 'MCP-Server', schedules: 'Zeitpläne', activity: 'Aktivität', welcome: 'Erste Schritte', plugins: 'Plugins', memory: 'Gedächtnis', channels: 'Kanäle' };
  for (const [id, heading] of Object.entries(expect)) {
    await p.goto(`${server.url}/#/${id}`);
    await p.getByRole('heading', { level: 1, name: heading }).waitFor();
  }
  await p.goto(`${server.url}/#/users`);
  const since = await p.locator('li[data-user="owner@example.com"]').textContent();
  assert.match(since ?? '', /seit \d{2}\.\d{2}\.\d{4}/, 'a German date');
  await p.goto(`${server.url}/#/schedules`);
  await p.getByRole('button', { name: 'Aufgabe erstellen' }).waitFor();
  await fullShot(p, 'day-german-schedules');
  await ctx.close();
  assert.deepEqual(deProblems, []);
});
