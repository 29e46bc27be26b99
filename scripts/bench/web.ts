/**
 * Control panel benchmark: bundle size (raw and gzip) and first page load to interactive (navigation start → the
 * app's `aion:ready` mark) in headless Chromium against a real server, cold (first visit) and warm (cached assets).
 *
 * Run: node_modules/.bin/node --import tsx scripts/bench/web.ts [runs=5]
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { startServer } from '../../tests/helpers/server.ts';
import { buildWeb } from '../build-web.mjs';

const runs = Math.max(1, Number(process.argv[2] ?? 5));
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(executablePath)) {
  console.error(`Chromium not found at ${executablePath} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  process.exit(1);
}

const size = await buildWeb({ quiet: true });
console.log(`web bundle: ${(size.bytes / 1024).toFixed(1)} KB raw, ${(size.gzipBytes / 1024).toFixed(1)} KB gzip (issue 18 target: < 150 KB gzip) — ${size.js}, ${size.css}`);

const server = await startServer();
const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
});
try {
  const admin = await server.signup();
  const measure = async (page: import('playwright-core').Page) => {
    await page.goto(server.url);
    await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
    return page.evaluate(() => performance.getEntriesByName('aion:ready')[0].startTime);
  };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const [label, token] of [['sign-in page', null], ['signed in (chat)', admin.token]] as const) {
    const cold: number[] = [];
    const warm: number[] = [];
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext();
      if (token) await context.addInitScript((t) => localStorage.setItem('aion.token', t), token);
      const page = await context.newPage();
      cold.push(await measure(page));
      warm.push(await measure(page));
      await context.close();
    }
    console.log(`load to interactive, ${label}: cold median ${median(cold).toFixed(0)} ms (min ${Math.min(...cold).toFixed(0)}), warm median ${median(warm).toFixed(0)} ms over ${runs} runs (target < 1000 ms)`);
  }
} finally {
  await browser.close();
  await server.dispose();
}
