/**
 * Screenshots of the whole page for the panel's admin tests: the shell scrolls inside `main`, so a plain full-page
 * shot would stop at the viewport; this one grows the viewport to the content for the shot, then restores it.
 */
import type { Page } from 'playwright-core';
import { screenshot } from './browser.ts';

/** Every page id of the panel, the chat included. */
export const ALL_PAGES = ['chat', 'welcome', 'plugins', 'providers', 'memory', 'prompts', 'channels', 'system', 'users', 'api-keys', 'mcp-servers', 'schedules', 'activity'];

export async function fullShot(page: Page, name: string): Promise<void> {
  const size = page.viewportSize()!;
  const height = await page.evaluate(() => Math.max(document.documentElement.scrollHeight, document.querySelector('main')?.scrollHeight ?? 0, ...[...document.querySelectorAll('main, .main')].map((m) => (m as HTMLElement).scrollHeight + (m as HTMLElement).getBoundingClientRect().top)));
  await page.setViewportSize({ width: size.width, height: Math.min(6000, Math.max(size.height, Math.ceil(height))) });
  await page.waitForTimeout(150); // charts re-measure on resize (ResizeObserver) before the shot
  await screenshot(page, name);
  await page.setViewportSize(size);
}

/** The page scrolls sideways nowhere (the body is no wider than the viewport). */
export async function noSidewaysScroll(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
}
