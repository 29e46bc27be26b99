/**
 * Issue 18, item 1, in Debian's Chromium: the conversation list (real titles, rename, pin, search, delete), copy
 * buttons, edit-and-resend and regenerate, attachments by button, paste and drop, the token line after reopening,
 * approvals by button and by typing "ja", a running tool's indicator and progress bar, and a spoken reply. Screenshots
 * at 1280×800 and 390×844 go to test-results/. Any console error fails the test.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startFakeElevenLabs, type FakeElevenLabs } from '../fakes/elevenlabs-tts.ts';
import { writePlugin } from '../helpers/plugins.ts';
import type { TestServer } from '../helpers/server.ts';
import { loadToInteractive, openPage, openSignedInPanel, screenshot, type SignedInPanel } from './browser.ts';

/** A tool that reports 40 % and then waits until the test creates the file it was given. */
const PROGRESS_PLUGIN = `
import { existsSync } from 'node:fs';
export default {
  name: 'progress-tools',
  version: '1.0.0',
  setup(ctx) {
    ctx.tools.register({ name: 'crunch', description: 'Long work with progress', risk: 'read',
      input: { type: 'object', properties: { flag: { type: 'string' } }, required: ['flag'] }, timeoutMs: 60000,
      run: async (a, call) => {
        call.emit({ percent: 40, label: 'Crunching numbers' });
        while (!existsSync(a.flag)) { if (call.signal.aborted) throw new Error('aborted'); await new Promise((r) => setTimeout(r, 50)); }
        return { crunched: true };
      } });
  },
};
`;

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

let panel: SignedInPanel;
let server: TestServer;
let browser: Browser;
let el: FakeElevenLabs;
let page: Page;
let problems: string[];
let scratch: string;
let token: string;

before(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'aion-chat-flows-'));
  el = await startFakeElevenLabs();
  panel = await openSignedInPanel({
    email: 'day@example.com',
    viewport: { width: 1280, height: 800 },
    env: el.env,
    plugins: (dir) => writePlugin(dir, 'progress-tools', PROGRESS_PLUGIN, { name: 'progress-tools', version: '1.0.0', description: 'progress' }),
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  ({ server, browser, page, problems, token } = panel);
});

after(async () => {
  await panel?.close();
  await el?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const list = () => page.getByRole('complementary', { name: 'Conversations' });
const lastAssistant = () => page.locator('article[data-role="assistant"]').last();
const idle = () => page.locator('article[data-streaming]').waitFor({ state: 'detached', timeout: 20_000 });
const clipboard = () => page.evaluate(() => navigator.clipboard.readText());
const currentId = () => page.evaluate(() => location.hash.split('/')[2] ?? '');
/** Poll the server until `check` holds (the turn is saved as its stream ends); fails after 15 s. */
async function eventually<T>(read: () => Promise<T>, check: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const v = await read();
    if (check(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}
const stored = async () => (await server.api('GET', `/api/conversations/${await currentId()}`, { token })).body.messages as Array<{ role: string; content: any }>;

async function send(text: string) {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.keyboard.press('Enter');
  await page.locator('article[data-role="assistant"]').last().waitFor();
  await idle();
}

test('conversations get their first message as title, can be renamed, pinned, searched and deleted', async () => {
  await send('Plan a trip to Lisbon');
  await list().locator('button.conv', { hasText: 'Plan a trip to Lisbon' }).waitFor();
  await list().getByRole('button', { name: 'New chat' }).click();
  await send('Bake saffron bread on Monday');
  await list().getByRole('button', { name: 'Rename “Bake saffron bread on Monday”' }).click();
  await list().getByLabel('New title').fill('Saffron bread');
  await page.keyboard.press('Enter');
  await list().locator('button.conv', { hasText: 'Saffron bread' }).waitFor();
  // Pinning moves the older conversation to the top.
  await list().getByRole('button', { name: 'Pin “Plan a trip to Lisbon”' }).click();
  await list().getByRole('button', { name: 'Unpin “Plan a trip to Lisbon”' }).waitFor();
  assert.match((await list().locator('.conv-title').first().textContent()) ?? '', /Lisbon/);
  // Search: by title, then by a word only in a message.
  await list().getByLabel('Search conversations').fill('saffron');
  await list().locator('li.conv-item').filter({ hasText: 'Lisbon' }).waitFor({ state: 'detached' });
  assert.equal(await list().locator('li.conv-item').count(), 1);
  await list().getByLabel('Search conversations').fill('monday');
  await list().locator('li.conv-item', { hasText: 'Saffron bread' }).waitFor();
  assert.equal(await list().locator('li.conv-item').count(), 1);
  await screenshot(page, 'chat-search');
  await list().getByLabel('Search conversations').fill('');
  await list().locator('li.conv-item').nth(1).waitFor();
  // Delete (after the confirm dialog) removes it from the list and from the server.
  await list().getByRole('button', { name: 'New chat' }).click();
  await send('Throwaway question');
  const id = await currentId();
  page.once('dialog', (d) => void d.accept());
  await list().getByRole('button', { name: 'Delete “Throwaway question”' }).click();
  await list().locator(`li[data-conversation="${id}"]`).waitFor({ state: 'detached' });
  assert.equal((await server.api('GET', `/api/conversations/${id}`, { token })).status, 404);
  assert.equal(await currentId(), '', 'the deleted conversation is closed');
  assert.deepEqual(problems, []);
});

test('copy buttons copy a code block and a whole reply', async () => {
  await send('Here is code:\n\n```js\nconst answer = 42;\n```');
  const turn = lastAssistant();
  await turn.getByRole('button', { name: 'Copy code' }).click();
  await turn.getByRole('button', { name: 'Copy code' }).filter({ hasText: 'Copied' }).waitFor();
  assert.equal((await clipboard()).trim(), 'const answer = 42;');
  await turn.getByRole('button', { name: 'Copy reply' }).click();
  assert.match(await clipboard(), /^Here is code:[\s\S]*const answer = 42;/);
  await page.locator('article[data-role="user"]').last().getByRole('button', { name: 'Copy message' }).click();
  assert.match(await clipboard(), /^Here is code:/);
  await screenshot(page, 'chat-code');
  assert.deepEqual(problems, []);
});

test('edit-and-resend replaces the message and its answer; regenerate answers it again', async () => {
  await list().getByRole('button', { name: 'New chat' }).click();
  await send('What is the capital of Franse?');
  await send('And its population?');
  await page.locator('article[data-role="user"]').first().getByRole('button', { name: 'Edit' }).click();
  await page.getByLabel('Edit your message').fill('What is the capital of France?');
  await page.getByRole('button', { name: 'Save and send' }).click();
  await lastAssistant().filter({ hasText: 'What is the capital of France?' }).waitFor();
  await idle();
  assert.equal(await page.locator('article[data-role="user"]').count(), 1, 'the later exchange is gone');
  let messages = await eventually(stored, (m) => m.length === 2);
  assert.deepEqual(messages.map((m) => m.role), ['user', 'assistant']);
  assert.match(JSON.stringify(messages[0].content), /France\?/);
  await lastAssistant().getByRole('button', { name: 'Regenerate' }).click();
  await lastAssistant().filter({ hasText: 'What is the capital of France?' }).waitFor();
  await idle();
  messages = await eventually(stored, (m) => m.length === 2);
  assert.deepEqual(messages.map((m) => m.role), ['user', 'assistant']);
  assert.equal(await page.locator('article').count(), 2);
  assert.deepEqual(problems, []);
});

async function pasteFile(name: string, type: string, content: string) {
  await page.getByLabel('Message', { exact: true }).evaluate(
    (el, f) => {
      const dt = new DataTransfer();
      dt.items.add(new File([f.content], f.name, { type: f.type }));
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    },
    { name, type, content },
  );
}

async function dropFile(name: string, type: string, content: string) {
  await page.locator('section.chat').evaluate(
    (el, f) => {
      const dt = new DataTransfer();
      dt.items.add(new File([f.content], f.name, { type: f.type }));
      for (const kind of ['dragenter', 'dragover', 'drop']) el.dispatchEvent(new DragEvent(kind, { dataTransfer: dt, bubbles: true, cancelable: true }));
    },
    { name, type, content },
  );
}

test('attachments: an image and a document by button, a pasted and a dropped file; all reach the model', async () => {
  await list().getByRole('button', { name: 'New chat' }).click();
  await page.locator('.composer input[type="file"]').setInputFiles([
    { name: 'dot.png', mimeType: 'image/png', buffer: PNG },
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('The secret word is PAPAYA.') },
  ]);
  await pasteFile('pasted.md', 'text/markdown', '# Pasted\nMANGO inside');
  await dropFile('dropped.csv', 'text/csv', 'fruit,count\nKIWI,3');
  const chips = page.getByRole('list', { name: 'Attachments' }).locator('li');
  for (const name of ['dot.png', 'notes.txt', 'pasted.md', 'dropped.csv']) await chips.filter({ hasText: name }).and(page.locator('[data-state="ready"]')).waitFor();
  await screenshot(page, 'chat-attachments');
  await send('Summarise the files');
  // The echo provider repeats what it was sent: the documents' text came through /api/process_file.
  const reply = (await lastAssistant().textContent()) ?? '';
  for (const word of ['PAPAYA', 'MANGO', 'KIWI', 'Summarise the files']) assert.ok(reply.includes(word), `${word} in ${reply}`);
  const user = page.locator('article[data-role="user"]').last();
  assert.equal(await user.locator('.sent-images img').count(), 1);
  assert.deepEqual(await user.getByRole('list', { name: 'Attached documents' }).locator('li').allTextContents(), ['▤ notes.txt', '▤ pasted.md', '▤ dropped.csv']);
  await list().locator('button.conv[aria-current="true"] .conv-title').filter({ hasText: /^Summarise the files$/ }).waitFor();
  const [first] = await stored();
  assert.ok(first.content.some((b: any) => b.type === 'image'), 'the image was sent as an image block');
  // A file the server cannot read says why, and sending waits for nothing.
  await dropFile('tool.exe', 'application/octet-stream', 'MZ\u0000\u0000');
  await page.locator('li[data-state="failed"]', { hasText: 'tool.exe' }).getByRole('alert').waitFor();
  await page.getByRole('button', { name: 'Remove tool.exe' }).click();
  // The browser logs the refused upload itself; that one is expected.
  const expected = problems.filter((p) => /status of 415 .*\/api\/process_file/.test(p));
  assert.equal(expected.length, 1);
  problems.splice(0, problems.length, ...problems.filter((p) => !expected.includes(p)));
  assert.deepEqual(problems, []);
});

test('a reopened conversation keeps its token line, images and document chips', async () => {
  const id = await currentId();
  await page.reload();
  await loadToInteractive(page);
  assert.equal(await currentId(), id);
  await page.locator('article[data-role="user"] .sent-images img').waitFor();
  const usage = lastAssistant().getByTestId('turn-usage');
  assert.match((await usage.textContent()) ?? '', /^\d[\d,]* tokens in · \d[\d,]* out$/);
  assert.equal(await page.locator('article[data-role="user"]').getByRole('list', { name: 'Attached documents' }).locator('li').count(), 3);
  assert.deepEqual(problems, []);
});

test('approvals: typing "ja" runs the parked call in the same turn; Deny refuses it', async () => {
  await list().getByRole('button', { name: 'New chat' }).click();
  await page.getByLabel('Message', { exact: true }).fill('/tool danger {}');
  await page.keyboard.press('Enter');
  const card = page.locator('.tool-card[data-tool="danger"]').last();
  await card.getByRole('button', { name: 'Approve' }).waitFor({ timeout: 20_000 });
  await idle();
  await screenshot(page, 'chat-approval-parked');
  await page.getByLabel('Message', { exact: true }).fill('ja');
  await page.keyboard.press('Enter');
  await page.locator('.tool-card[data-tool="danger"][data-state="ok"]').waitFor({ timeout: 20_000 });
  await idle();
  assert.equal(await page.locator('article[data-role="user"]').count(), 1, '"ja" answers, it is no new message');
  assert.match((await lastAssistant().textContent()) ?? '', /Tool result: .*"done":true/);
  await page.getByLabel('Message', { exact: true }).fill('/tool danger {}');
  await page.keyboard.press('Enter');
  await lastAssistant().getByRole('button', { name: 'Deny' }).waitFor({ timeout: 20_000 });
  await idle();
  await lastAssistant().getByRole('button', { name: 'Deny' }).click();
  await lastAssistant().locator('.tool-card[data-tool="danger"][data-state="failed"]').waitFor({ timeout: 20_000 });
  await idle();
  assert.match((await lastAssistant().textContent()) ?? '', /Tool error/);
  assert.deepEqual(problems, []);
});

test('a running tool shows a live indicator and its progress bar, then its result', async () => {
  const flag = path.join(scratch, 'finish');
  await page.getByLabel('Message', { exact: true }).fill(`/tool crunch ${JSON.stringify({ flag })}`);
  await page.keyboard.press('Enter');
  const card = page.locator('.tool-card[data-tool="crunch"]');
  const bar = card.getByRole('progressbar', { name: 'Progress' });
  await bar.waitFor({ timeout: 20_000 });
  assert.equal(await bar.getAttribute('aria-valuenow'), '40');
  assert.equal(await card.getAttribute('data-state'), 'running');
  assert.equal(await card.getByRole('status').textContent(), 'running');
  assert.match((await card.textContent()) ?? '', /Crunching numbers — 40\s?%/);
  await screenshot(page, 'chat-progress');
  writeFileSync(flag, 'done');
  await page.locator('.tool-card[data-tool="crunch"][data-state="ok"]').waitFor({ timeout: 20_000 });
  assert.equal(await bar.count(), 0, 'the bar goes when the tool is done');
  await idle();
  assert.deepEqual(problems, []);
});

test('a spoken reply is playable: an audio player whose signed URL serves the audio', async () => {
  const r = await server.api('POST', '/api/config/settings', { token, body: { tts_engine: 'elevenlabs' } });
  assert.equal(r.status, 200, r.text);
  try {
    await send('Read this aloud');
    const audio = lastAssistant().locator('audio.reply-audio');
    await audio.waitFor();
    assert.equal(await audio.getAttribute('controls'), '');
    const src = (await audio.getAttribute('src'))!;
    assert.match(src, /^\/api\/audio\//);
    const played = await page.evaluate(async (url) => {
      const res = await fetch(url);
      return { status: res.status, type: res.headers.get('content-type'), bytes: (await res.arrayBuffer()).byteLength };
    }, src);
    assert.deepEqual({ status: played.status, type: played.type }, { status: 200, type: 'audio/mpeg' });
    assert.equal(played.bytes, el.audioFor('Read this aloud').length);
  } finally {
    await server.api('POST', '/api/config/settings', { token, body: { tts_engine: 'off' } });
  }
  assert.deepEqual(problems, []);
});

test('the chat at phone size: the list folds behind a button, nothing scrolls sideways', async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await phone.addInitScript((t) => localStorage.setItem('aion.token', t), token);
  const { page: p, problems: phoneProblems } = await openPage(phone);
  await p.goto(server.url);
  await loadToInteractive(p);
  const toggle = p.getByRole('button', { name: 'Conversations' });
  assert.equal(await p.getByRole('complementary', { name: 'Conversations' }).isVisible(), false);
  await toggle.click();
  const lisbon = p.getByRole('complementary', { name: 'Conversations' }).locator('button.conv', { hasText: 'Lisbon' });
  await lisbon.waitFor();
  await screenshot(p, 'chat-phone-list');
  await lisbon.click();
  await p.locator('article[data-role="assistant"]').first().waitFor();
  await screenshot(p, 'chat-phone');
  assert.ok(await p.evaluate(() => document.documentElement.scrollWidth <= innerWidth), 'no sideways scroll');
  await phone.close();
  assert.deepEqual(phoneProblems, []);
});
