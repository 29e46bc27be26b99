/**
 * The control panel in a real browser: first-run sign-up, a streamed chat with a tool card, approving a tool, and
 * stopping a slow stream. Any console error fails the test.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer, type TestServer } from '../helpers/server.ts';
import { buildOnce, launch, loadToInteractive, openPage, screenshot, signUpInBrowser, testPluginsDir } from './browser.ts';

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: string[];
let pluginsDir: string;

before(async () => {
  await buildOnce();
  pluginsDir = testPluginsDir();
  // A slow echo (200 ms per chunk) so a stream can be watched and stopped.
  [server, browser] = await Promise.all([startServer({ env: { PLUGINS_DIRS: pluginsDir, ECHO_DELAY_MS: '200' } }), launch()]);
  context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  ({ page, problems } = await openPage(context));
});

after(async () => {
  await browser?.close();
  await server?.dispose();
  if (pluginsDir) rmSync(pluginsDir, { recursive: true, force: true });
});

const lastAssistant = () => page.locator('article[data-role="assistant"]').last();

async function send(text: string) {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.keyboard.press('Enter');
}

test('first run: the sign-up form creates the admin and opens the chat', async () => {
  await page.goto(server.url);
  const ms = await loadToInteractive(page);
  console.log(`# web: first page load to interactive ${Math.round(ms)} ms`);
  assert.ok(ms > 0 && ms < 10_000, `load to interactive ${ms} ms`);
  // A browser that never signed in here starts on "Create account".
  assert.equal(await page.getByRole('tab', { name: 'Create account' }).getAttribute('aria-selected'), 'true');
  await screenshot(page, 'sign-up');
  await signUpInBrowser(page, 'admin@example.com');
  await page.getByRole('heading', { name: 'Chat' }).waitFor();
  assert.match((await page.locator('.who').textContent()) ?? '', /admin/);
  assert.ok(await page.evaluate(() => localStorage.getItem('aion.token')), 'the token is kept in localStorage');
  assert.deepEqual(problems, []);
});

test('chat: text streams in and a tool call shows as a card with its result', async () => {
  await send('Looking it up\n/tool lookup {"q":"meaning"}');
  const turn = lastAssistant();
  // While streaming: partial text first, the turn marked as streaming.
  await turn.locator('.md').first().waitFor();
  assert.equal(await turn.getAttribute('data-streaming'), 'true', 'text shows while the turn is still streaming');
  const partial = (await turn.locator('.md').first().textContent()) ?? '';
  assert.ok(partial.length > 0 && !partial.includes('Tool result'), `partial text: ${partial}`);
  const card = turn.locator('.tool-card[data-tool="lookup"]');
  await card.waitFor();
  await page.locator('.tool-card[data-tool="lookup"][data-state="ok"]').waitFor({ timeout: 15_000 });
  assert.match((await card.locator('.tool-result').textContent()) ?? '', /"answer": 42/);
  await page.locator('article[data-streaming]').waitFor({ state: 'detached', timeout: 15_000 });
  const text = (await turn.textContent()) ?? '';
  assert.match(text, /Looking it up/);
  assert.match(text, /Tool result: .*42/);
  await screenshot(page, 'chat');
  assert.deepEqual(problems, []);
});

test('chat: a tool that needs approval waits for Approve, then runs', async () => {
  await send('/tool danger {}');
  const card = lastAssistant().locator('.tool-card[data-tool="danger"]');
  const approve = card.getByRole('button', { name: 'Approve' });
  await approve.waitFor({ timeout: 15_000 });
  assert.equal(await card.getAttribute('data-state'), 'waiting');
  await screenshot(page, 'chat-approval');
  await approve.click();
  await page.locator('.tool-card[data-tool="danger"][data-state="ok"]').last().waitFor({ timeout: 15_000 });
  assert.match((await card.locator('.tool-result').textContent()) ?? '', /"done": true/);
  await page.locator('article[data-streaming]').waitFor({ state: 'detached', timeout: 15_000 });
  assert.deepEqual(problems, []);
});

test('chat: Stop ends a slow stream part-way and the server stops the turn', async () => {
  const long = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
  await send(long);
  const turn = lastAssistant();
  await turn.locator('.md').waitFor();
  await page.waitForFunction(() => (document.querySelector('article[data-role="assistant"]:last-of-type .md')?.textContent ?? '').includes('word3'));
  const stopCall = page.waitForResponse((r) => r.url().endsWith('/api/stop') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Stop' }).click();
  assert.equal((await stopCall).status(), 200);
  await turn.locator('.stopped').waitFor();
  const shown = (await turn.locator('.md').textContent()) ?? '';
  assert.ok(!shown.includes('word59'), 'the stream was cut before its end');
  // The composer is usable again, and nothing more arrives.
  await page.getByRole('button', { name: 'Send' }).waitFor();
  await page.waitForTimeout(700);
  assert.equal((await turn.locator('.md').textContent()) ?? '', shown);
  assert.deepEqual(problems, []);
});

test('chat: reopening the conversation rebuilds its turns and tool cards from the server', async () => {
  await page.reload();
  await loadToInteractive(page);
  const conv = page.getByRole('complementary', { name: 'Conversations' }).locator('button.conv').first();
  await conv.waitFor();
  await conv.click();
  await page.locator('.tool-card[data-tool="lookup"][data-state="ok"]').waitFor();
  await page.locator('.tool-card[data-tool="danger"][data-state="ok"]').waitFor();
  assert.match((await page.locator('.tool-card[data-tool="lookup"] .tool-result').textContent()) ?? '', /42/);
  assert.ok((await page.locator('article[data-role="user"]').count()) >= 3);
  assert.deepEqual(problems, []);
});

test("chat: a free plan's messages left this hour count down after a message", async () => {
  const free = await server.signup('free@example.com');
  const ctx = await browser.newContext();
  await ctx.addInitScript((t) => localStorage.setItem('aion.token', t), free.token);
  const { page: p, problems: freeProblems } = await openPage(ctx);
  await p.goto(server.url);
  await p.getByTestId('usage').filter({ hasText: '10 of 10 messages left this hour' }).waitFor();
  // Admin pages are not offered to a plain user.
  assert.equal(await p.getByRole('link', { name: 'Plugins' }).count(), 0);
  await p.getByLabel('Message', { exact: true }).fill('hello');
  await p.keyboard.press('Enter');
  await p.getByTestId('usage').filter({ hasText: '9 of 10 messages left this hour' }).waitFor({ timeout: 15_000 });
  await ctx.close();
  assert.deepEqual(freeProblems, []);
});
