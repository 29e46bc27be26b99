/**
 * Browser harness for the control panel tests: Debian's Chromium driven by playwright-core, the bundle built once per
 * process, a temporary plugin folder with the shared test tools, console recording (any console error fails the test) and
 * screenshots under test-results/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildWeb, type WebBuildResult } from '../../scripts/build-web.mjs';
import { pluginsDir, TEST_TOOLS_MANIFEST, TEST_TOOLS_PLUGIN, writePlugin } from '../helpers/plugins.ts';
import { ROOT } from '../helpers/server.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const RESULTS = path.join(ROOT, 'test-results');

let built: Promise<WebBuildResult> | undefined;

/** Build web/dist once for this test process. */
export function buildOnce() {
  built ??= buildWeb({ quiet: true });
  return built;
}

/** Launch Chromium headless; a missing browser is a failure with the fix in the message, never a skip. */
export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}. Install it (apt-get install -y chromium) or set CHROMIUM_PATH; the web tests need a real browser.`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
}

/** A page whose console errors, page errors and failed requests are collected in `problems`. */
export async function openPage(context: BrowserContext): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return { page, problems };
}

/** Save a full-page screenshot as test-results/web-NAME.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: path.join(RESULTS, `web-${name}.png`), fullPage: true });
}

/** Navigation start → the app's `aion:ready` mark, in ms. */
export async function loadToInteractive(page: Page): Promise<number> {
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
  return page.evaluate(() => performance.getEntriesByName('aion:ready')[0]?.startTime ?? NaN);
}

/** A plugins folder holding the shared `test-tools` plugin (`lookup` reads, `danger` needs approval, …). */
export function testPluginsDir(): string {
  const root = pluginsDir();
  writePlugin(root, 'test-tools', TEST_TOOLS_PLUGIN, TEST_TOOLS_MANIFEST);
  return root;
}

/** Sign up through the form (the first account of a fresh server becomes the admin). */
export async function signUpInBrowser(page: Page, email: string, password = 'correct horse battery'): Promise<void> {
  await page.getByRole('tab', { name: 'Create account' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account', exact: true }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}
