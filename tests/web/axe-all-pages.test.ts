/**
 * Every page of the panel through axe-core (`@axe-core/playwright`) in Debian's Chromium: no serious or critical
 * violation on any page, in the light and the dark theme, at 1280×800 and 390×844. The pages hold real content
 * (a plugin, an MCP server, a schedule, a key, activity, a second user), so the rules see what a user sees.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import AxeBuilder from '@axe-core/playwright';
import type { Browser } from 'playwright-core';
import { ROOT, startServer, type TestServer } from '../helpers/server.ts';
import { ALL_PAGES } from './admin-shots.ts';
import { buildOnce, launch, loadToInteractive, openPage, screenshot, testPluginsDir } from './browser.ts';

const FAKE_MCP = path.join(ROOT, 'tests/fakes/mcp-stdio-server.mjs');
const SIZES = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
];

let server: TestServer;
let browser: Browser;
let token: string;
let pluginsDir: string;

before(async () => {
  await buildOnce();
  pluginsDir = testPluginsDir();
  [server, browser] = await Promise.all([startServer({ env: { PLUGINS_DIRS: pluginsDir, SYSTEM_METRICS_SAMPLE_MS: '200' } }), launch()]);
  const admin = await server.signup('axe-admin@example.com');
  token = admin.token;
  await server.signup('axe-user@example.com');
  await server.api('POST', '/api/mcp/servers', { token, body: { name: 'local', command: process.execPath, args: [FAKE_MCP], trusted: true } });
  await server.api('POST', '/api/schedules', { token, body: { name: 'Morning brief', task: 'Say good morning', time: '08:00', days: 'daily' } });
  await server.api('POST', '/api/auth/api-keys', { token, body: { name: 'script' } });
  await server.api('POST', '/api/memories', { token, body: { content: 'The user likes green tea', layer: 'semantic', category: 'profile' } });
  await server.api('POST', '/api/chat', { token, body: { message: '/tool lookup {"q":"x"}' } });
});

after(async () => {
  await browser?.close();
  await server?.dispose();
  if (pluginsDir) rmSync(pluginsDir, { recursive: true, force: true });
});

for (const size of SIZES) {
  for (const theme of ['light', 'dark'] as const) {
    test(`axe: no serious or critical violation on any page (${theme}, ${size.width}×${size.height})`, async () => {
      const context = await browser.newContext({ viewport: { width: size.width, height: size.height }, isMobile: size.name === 'phone', hasTouch: size.name === 'phone', colorScheme: theme });
      await context.addInitScript(([t, th]) => {
        localStorage.setItem('aion.token', t);
        localStorage.setItem('aion.theme', th);
      }, [token, theme]);
      const { page, problems } = await openPage(context);
      const found: string[] = [];
      try {
        for (const id of ALL_PAGES) {
          await page.goto(`${server.url}/#/${id}`);
          await loadToInteractive(page);
          await page.locator('#page-title, main h1').first().waitFor();
          await page.waitForLoadState('networkidle');
          assert.equal(await page.evaluate(() => document.documentElement.dataset.theme ?? 'light'), theme, `${id}: theme applied`);
          const result = await new AxeBuilder({ page }).analyze();
          for (const v of result.violations.filter((x) => x.impact === 'serious' || x.impact === 'critical')) {
            found.push(`${id}: [${v.impact}] ${v.id} — ${v.help}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
          }
          if (theme === 'dark' || size.name === 'phone') await screenshot(page, `axe-${id}-${theme}-${size.name}`);
        }
      } finally {
        await context.close();
      }
      assert.deepEqual(found, [], found.join('\n'));
      assert.deepEqual(problems, []);
    });
  }
}
