/**
 * Issue 18, a panel gap: a parked approval keeps its buttons when the conversation is reopened — after a reload, and
 * after opening it again from the conversation list — and answering there works (Approve runs the tool, Deny refuses
 * it). In Debian's Chromium; any console error fails the test.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { TestServer } from '../helpers/server.ts';
import { loadToInteractive, openSignedInPanel, screenshot, type SignedInPanel } from './browser.ts';

let panel: SignedInPanel;
let server: TestServer;
let page: Page;
let problems: string[];
let token: string;

before(async () => {
  panel = await openSignedInPanel({ email: 'reopen@example.com', viewport: { width: 1280, height: 800 } });
  ({ server, page, problems, token } = panel);
});

after(() => panel?.close());

const list = () => page.getByRole('complementary', { name: 'Conversations' });
const card = () => page.locator('.tool-card[data-tool="danger"]').last();
const idle = () => page.locator('article[data-streaming]').waitFor({ state: 'detached', timeout: 20_000 });
const currentId = () => page.evaluate(() => location.hash.split('/')[2] ?? '');

/** Start a new chat whose turn parks `danger`; returns the conversation id once the buttons are up. */
async function parkInNewChat(args: string): Promise<string> {
  await list().getByRole('button', { name: 'New chat' }).click();
  await page.getByLabel('Message', { exact: true }).fill(`/tool danger ${args}`);
  await page.keyboard.press('Enter');
  await card().getByRole('button', { name: 'Approve' }).waitFor({ timeout: 20_000 });
  await idle();
  const id = await currentId();
  assert.ok(id, 'the new conversation is in the address');
  return id;
}

async function pendingOnServer(id: string): Promise<number> {
  return (await server.api('GET', `/api/approvals?conversation=${id}`, { token })).body.approvals.length;
}

test('after a reload the parked call shows Approve and Deny again; Approve runs it in the same turn', async () => {
  const id = await parkInNewChat('{"n":1}');
  await page.reload();
  await loadToInteractive(page);
  assert.equal(await currentId(), id);
  const approve = card().getByRole('button', { name: 'Approve' });
  await approve.waitFor({ timeout: 20_000 });
  assert.equal(await card().getAttribute('data-state'), 'waiting');
  assert.ok(await card().getByRole('button', { name: 'Deny' }).isEnabled());
  assert.equal(await page.locator('.tool-card[data-tool="danger"]').count(), 1, 'the stored call and the pending one are one card');
  await screenshot(page, 'chat-approval-reopened');
  await approve.click();
  await page.locator('.tool-card[data-tool="danger"][data-state="ok"]').waitFor({ timeout: 20_000 });
  await idle();
  assert.match((await page.locator('article[data-role="assistant"]').last().textContent()) ?? '', /Tool result: .*"done":true/);
  assert.equal(await pendingOnServer(id), 0);
  assert.deepEqual(problems, []);
});

test('opened again from the conversation list, Deny refuses the parked call', async () => {
  const id = await parkInNewChat('{"n":2}');
  await list().getByRole('button', { name: 'New chat' }).click();
  await page.waitForFunction(() => !location.hash.split('/')[2]);
  assert.equal(await page.locator('.tool-card').count(), 0, 'a new chat shows no card');
  await list().locator(`li[data-conversation="${id}"] button.conv`).click();
  await page.waitForFunction((want) => location.hash.split('/')[2] === want, id);
  const deny = card().getByRole('button', { name: 'Deny' });
  await deny.waitFor({ timeout: 20_000 });
  await deny.click();
  await page.locator('.tool-card[data-tool="danger"][data-state="failed"]').waitFor({ timeout: 20_000 });
  await idle();
  assert.match((await page.locator('article[data-role="assistant"]').last().textContent()) ?? '', /Tool error/);
  assert.equal(await pendingOnServer(id), 0);
  // Reopened once more: answered, so no buttons come back.
  await page.reload();
  await loadToInteractive(page);
  await page.locator('.tool-card[data-tool="danger"][data-state="failed"]').waitFor({ timeout: 20_000 });
  assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0);
  assert.deepEqual(problems, []);
});
