/**
 * The admin pages in a real browser: plugins enable/disable with live status, saving a key (shown masked), memory
 * search, the other pages rendering without console errors, the dark theme, a 375 px phone screen, and a bad token
 * sending the user back to sign-in.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../helpers/server.ts';
import { loadToInteractive, openPage, openSignedInPanel, screenshot, type SignedInPanel } from './browser.ts';

let panel: SignedInPanel;
let server: TestServer;
let browser: Browser;
let page: Page;
let problems: string[];
let token: string;

before(async () => {
  panel = await openSignedInPanel({ email: 'root@example.com', viewport: { width: 1280, height: 900 } });
  ({ server, browser, page, problems, token } = panel);
});

after(() => panel?.close());

async function go(route: string, heading: string) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: heading }).click();
  await page.waitForURL(`**/#/${route}`);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

test('plugins: disabling and enabling a plugin changes its status', async () => {
  await go('plugins', 'Plugins');
  const card = page.locator('article[data-plugin="test-tools"]');
  const badge = card.locator('.badge[data-status]');
  await badge.waitFor();
  assert.equal(await badge.getAttribute('data-status'), 'loaded');
  assert.match((await card.textContent()) ?? '', /lookup, danger/);
  await card.getByRole('button', { name: 'Disable test-tools' }).click();
  await card.locator('.badge[data-status="disabled"]').waitFor();
  assert.equal((await server.api('GET', '/api/plugins', { token })).body.plugins.find((p: any) => p.name === 'test-tools').status, 'disabled');
  await card.getByRole('button', { name: 'Enable test-tools' }).click();
  await card.locator('.badge[data-status="loaded"]').waitFor();
  await card.getByRole('button', { name: 'Reload test-tools' }).click();
  await card.locator('.badge[data-status="loaded"]').waitFor();
  await screenshot(page, 'plugins');
  assert.deepEqual(problems, []);
});

test('providers: a saved key is shown masked, never in full', async () => {
  await go('providers', 'Providers & keys');
  const row = page.locator('form[data-key="OPENAI_API_KEY"]');
  await row.waitFor();
  await row.getByLabel('OPENAI_API_KEY', { exact: true }).fill('sk-test-1234567890abcdef');
  await row.getByRole('button', { name: 'Save OPENAI_API_KEY' }).click();
  await row.locator('[data-testid="masked"]', { hasText: 'sk-t…cdef' }).waitFor();
  assert.equal(await row.getByLabel('OPENAI_API_KEY', { exact: true }).inputValue(), '', 'the field is cleared after saving');
  assert.ok(!((await page.content()).includes('1234567890')), 'the full key is nowhere on the page');
  assert.equal((await page.getByTestId('active-model').textContent())?.trim(), 'echo-1');
  await screenshot(page, 'providers');
  assert.deepEqual(problems, []);
});

test('memory: a search ranks the matching memory first', async () => {
  const facts = ['The user drinks espresso every morning', 'The user lives in Lisbon', 'The user has a cat named Miso'];
  for (const content of facts) {
    // The ALIN route when it is there; the self-model layer memory writes into the same store.
    let r = await server.api('POST', '/api/memories', { token, body: { content, layer: 'semantic', category: 'profile' } });
    if (r.status === 404) r = await server.api('POST', '/api/self-model/layer-memory', { token, body: { content, layer: 'semantic', category: 'profile' } });
    assert.equal(r.status, 201, r.text);
  }
  await go('memory', 'Memory');
  await page.locator('li[data-memory]').first().waitFor();
  assert.equal(await page.locator('li[data-memory]').count(), 3);
  await page.getByRole('searchbox', { name: 'Search' }).fill('espresso');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.waitForFunction(() => document.querySelector('li[data-memory] .memory-content')?.textContent?.includes('espresso') && !document.querySelector('[data-testid="memory-count"]')?.textContent?.includes('Searching'));
  assert.match((await page.locator('li[data-memory] .memory-content').first().textContent()) ?? '', /espresso/);
  await screenshot(page, 'memory');
  assert.deepEqual(problems, []);
});

test('prompts, channels and system pages render; the theme toggle switches to dark', async () => {
  await go('prompts', 'Prompts');
  await page.waitForFunction(() => ((document.getElementById('prompt-text') as HTMLTextAreaElement | null)?.value ?? '').length > 0);
  await screenshot(page, 'prompts');
  await go('channels', 'Channels');
  assert.equal(await page.getByLabel('Endpoint URL', { exact: true }).inputValue(), `${server.url}/api/alexa`);
  await page.locator('form[data-key="ALEXA_SKILL_ID"]').waitFor();
  await screenshot(page, 'channels');
  await go('system', 'System');
  await page.getByTestId('uptime').waitFor();
  await page.locator('svg.chart').first().waitFor();
  await screenshot(page, 'system');
  await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  await screenshot(page, 'system-dark');
  assert.deepEqual(problems, []);
});

test('a 375 px phone: no sideways scrolling, the menu opens the navigation', async () => {
  const phone = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
  await phone.addInitScript((t) => localStorage.setItem('aion.token', t), token);
  const { page: p, problems: phoneProblems } = await openPage(phone);
  await p.goto(`${server.url}/#/chat`);
  await loadToInteractive(p);
  await p.getByRole('heading', { name: 'Chat' }).waitFor();
  assert.ok(await p.evaluate(() => document.documentElement.scrollWidth <= 376), 'no horizontal overflow');
  assert.equal(await p.getByRole('navigation', { name: 'Main' }).isVisible(), false);
  await p.getByRole('button', { name: 'Menu' }).click();
  await p.getByRole('link', { name: 'Plugins' }).click();
  await p.getByRole('heading', { level: 1, name: 'Plugins' }).waitFor();
  await p.locator('article[data-plugin]').first().waitFor();
  assert.ok(await p.evaluate(() => document.documentElement.scrollWidth <= 376), 'no horizontal overflow on plugins');
  await screenshot(p, 'phone-plugins');
  await phone.close();
  assert.deepEqual(phoneProblems, []);
});

test('a token the server refuses (401) goes back to sign-in', async () => {
  const other = await browser.newContext();
  await other.addInitScript(() => {
    if (!sessionStorage.getItem('seeded')) {
      sessionStorage.setItem('seeded', '1');
      localStorage.setItem('aion.token', 'not-a-valid-token');
    }
  });
  const { page: p, problems: otherProblems } = await openPage(other);
  await p.goto(server.url);
  await p.getByRole('tab', { name: 'Sign in' }).waitFor();
  assert.equal(await p.evaluate(() => localStorage.getItem('aion.token')), null);
  // The refused /api/auth/me is the only thing the browser complains about.
  assert.ok(otherProblems.every((m) => /status of 401/.test(m)), otherProblems.join('\n'));
  await other.close();
});
