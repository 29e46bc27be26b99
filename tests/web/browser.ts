/**
 * Browser harness for the control panel tests: Debian's Chromium driven by playwright-core, the bundle built once per
 * process, a temporary plugin folder with the shared test tools, console recording (any console error fails the test) and
 * screenshots under test-results/, and `openSignedInPanel`: all of that set up with the admin signed in.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildWeb, type WebBuildResult } from '../../scripts/build-web.mjs';
import { pluginsDir, TEST_TOOLS_MANIFEST, TEST_TOOLS_PLUGIN, writePlugin } from '../helpers/plugins.ts';
import { ROOT, startServer, type TestServer } from '../helpers/server.ts';

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

/** A server with the test plugins, Chromium, and one page on which the first account (the admin) has signed up. */
export interface SignedInPanel {
  server: TestServer;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Console errors, page errors (see `openPage`); tests assert it stays empty. */
  problems: string[];
  /** The temporary plugins folder (`PLUGINS_DIRS`); tests may write more plugins into it. */
  pluginsDir: string;
  /** The admin's token, as the panel saved it. */
  token: string;
  /** Close the browser, stop the server and remove the plugins folder. */
  close(): Promise<void>;
}

export interface PanelOptions {
  /** The admin's email on the sign-up form. */
  email: string;
  viewport: { width: number; height: number };
  /** More server environment; `PLUGINS_DIRS` is set to the temporary plugins folder. */
  env?: Record<string, string>;
  /** Runs on the plugins folder before the server starts (to add a test's own plugins). */
  plugins?: (dir: string) => void;
  /** Browser permissions granted to the server's origin (e.g. the clipboard). */
  permissions?: string[];
}

/** Build the bundle, start the server and Chromium together, open the panel and sign up through its form. */
export async function openSignedInPanel(opts: PanelOptions): Promise<SignedInPanel> {
  await buildOnce();
  const pluginsDir = testPluginsDir();
  opts.plugins?.(pluginsDir);
  const [server, browser] = await Promise.all([startServer({ env: { PLUGINS_DIRS: pluginsDir, ...opts.env } }), launch()]);
  const close = async () => {
    await browser.close();
    await server.dispose();
    rmSync(pluginsDir, { recursive: true, force: true });
  };
  try {
    const context = await browser.newContext({ viewport: opts.viewport });
    if (opts.permissions) await context.grantPermissions(opts.permissions, { origin: server.url });
    const { page, problems } = await openPage(context);
    await page.goto(server.url);
    await loadToInteractive(page);
    await signUpInBrowser(page, opts.email);
    const token = (await page.evaluate(() => localStorage.getItem('aion.token')))!;
    return { server, browser, context, page, problems, pluginsDir, token, close };
  } catch (error) {
    await close();
    throw error;
  }
}
