/**
 * Issue 18, a panel gap: a newly signed-up user (not the first account, the admin) lands on Getting started on their
 * first sign-in — the sign-up itself — and every later sign-in lands on the chat. The first admin lands on the chat.
 * In Debian's Chromium; any console error fails the test.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../helpers/server.ts';
import { loadToInteractive, openPage, openSignedInPanel, screenshot, signUpInBrowser, type SignedInPanel } from './browser.ts';

let panel: SignedInPanel;
let server: TestServer;
let browser: Browser;

before(async () => {
  panel = await openSignedInPanel({ email: 'first-admin@example.com', viewport: { width: 1280, height: 800 } });
  ({ server, browser } = panel);
});

after(() => panel?.close());

const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();
const route = (page: Page) => page.evaluate(() => location.hash.split('/')[1] ?? '');

async function signIn(page: Page, email: string) {
  await page.getByRole('tab', { name: 'Sign in' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** A browser context of its own (no saved token) on the sign-in page; closed after `fn`. */
async function inFreshBrowser(fn: (page: Page, problems: string[]) => Promise<void>) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const { page, problems } = await openPage(context);
    await page.goto(server.url);
    await loadToInteractive(page);
    await fn(page, problems);
  } finally {
    await context.close();
  }
}

test('the first account (the admin) lands on the chat after signing up', async () => {
  assert.equal(await heading(panel.page), 'Chat');
  assert.notEqual(await route(panel.page), 'welcome');
  assert.deepEqual(panel.problems, []);
});

test('a new user lands on Getting started on first sign-in; after signing out and in again, on the chat', async () => {
  await inFreshBrowser(async (page, problems) => {
    await signUpInBrowser(page, 'newcomer@example.com');
    await page.getByRole('heading', { level: 1, name: 'Getting started' }).waitFor();
    assert.equal(await route(page), 'welcome');
    assert.equal(await page.getByRole('link', { name: 'Getting started' }).getAttribute('aria-current'), 'page');
    assert.equal(await page.locator('form[data-key]').count(), 0, 'no provider keys for a non-admin');
    await screenshot(page, 'welcome-new-user');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, 'newcomer@example.com');
    await page.getByRole('heading', { level: 1, name: 'Chat' }).waitFor();
    assert.equal(await route(page), '');
    // A reload of a later session stays on the chat too.
    await page.reload();
    await loadToInteractive(page);
    assert.equal(await heading(page), 'Chat');
    assert.deepEqual(problems, []);
  });
});

test('a returning user signing in on another browser lands on the chat, not on Getting started', async () => {
  await server.signup('returning@example.com');
  await inFreshBrowser(async (page, problems) => {
    await signIn(page, 'returning@example.com');
    await page.getByRole('heading', { level: 1, name: 'Chat' }).waitFor();
    assert.notEqual(await route(page), 'welcome');
    assert.deepEqual(problems, []);
  });
});
