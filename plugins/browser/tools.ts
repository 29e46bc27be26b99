/** The original's `browser_*` tools on the caller's own browser context. */
import { z } from 'zod';
import { AppError, badRequest, type PluginContext } from '../../core/plugin-api/index.ts';
import { saveShot } from './screenshots.ts';
import type { BrowserSessions, BrowserSettings } from './sessions.ts';

const TEXT_LIMIT = 10_000;
const Selector = z.object({ selector: z.string().min(1).max(1000).describe('CSS selector or Playwright locator (e.g. text=Sign in)') });

const cut = (text: string) => ({ text: text.slice(0, TEXT_LIMIT), truncated: text.length > TEXT_LIMIT });

/** Pending screenshots of a turn, shown as image media when it is done. */
export type ShotLedger = Map<string, Array<{ url: string; file: string }>>;

type PageOf = Awaited<ReturnType<BrowserSessions['page']>>;
/** Runs `fn` on the user's page and reports refused hosts met meanwhile. */
type WithPage = <T extends object>(userId: string, fn: (page: PageOf) => Promise<T>) => Promise<T | (T & { blocked_hosts: string[]; note: string })>;
type Register = PluginContext<BrowserSettings>['tools']['register'];

/** Registers the browser tools: navigating and reading, acting on the page, capturing and closing. */
export function registerTools(ctx: PluginContext<BrowserSettings>, sessions: BrowserSessions, shots: ShotLedger, approve: (hostname: string) => Promise<{ address: string; family: number }>): void {
  const reg: Register = ctx.tools.register.bind(ctx.tools);
  const withPage: WithPage = async (userId, fn) => {
    const page = await sessions.page(userId);
    sessions.takeBlocked(userId);
    const out = await fn(page);
    const blocked = sessions.takeBlocked(userId);
    return blocked.length ? { ...out, blocked_hosts: blocked, note: 'Requests to these private or local hosts were refused' } : out;
  };
  registerReadingTools(reg, withPage, approve);
  registerActingTools(reg, withPage);
  registerSessionTools(reg, withPage, { ctx, sessions, shots });
}

/** The URL the model asked for, if it is http(s). */
function parseTarget(url: string): URL {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw badRequest('Not a valid URL', undefined, 'INVALID_URL');
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw badRequest('Only http and https URLs can be opened', undefined, 'INVALID_URL');
  return target;
}

async function navigate(page: PageOf, target: URL) {
  const res = await page.goto(target.toString(), { waitUntil: 'domcontentloaded' }).catch((e: Error) => {
    throw new AppError(502, 'BROWSER_NAVIGATION_FAILED', `Could not open the page: ${e.message.split('\n')[0]}`);
  });
  // The guard proxy answers a refused redirect target with this 403.
  if (res?.status() === 403 && (await res.text().catch(() => '')).startsWith('Blocked: private address')) {
    throw new AppError(403, 'PRIVATE_ADDRESS_BLOCKED', 'A redirect led to a private or local address; it was refused');
  }
  return { ok: true, url: page.url(), title: await page.title(), status: res?.status() ?? null };
}

function registerReadingTools(reg: Register, withPage: WithPage, approve: (hostname: string) => Promise<unknown>) {
  reg({
    name: 'browser_open', description: 'Open a URL in the browser (Chromium). Private and local addresses are refused unless the admin allowed the host.',
    input: z.object({ url: z.string().max(4096).describe('The URL to open') }), risk: 'network', timeoutMs: 60_000,
    run: async ({ url }, call) => {
      const target = parseTarget(url);
      await approve(target.hostname.replace(/^\[|\]$/g, '')); // a clear error before the browser starts
      return withPage(call.user.id, (page) => navigate(page, target));
    },
  });
  reg({
    name: 'browser_get_text', description: 'The visible text of the current page (at most 10,000 characters).', input: z.object({}), risk: 'read',
    run: (_a, call) => withPage(call.user.id, async (page) => ({ ok: true, url: page.url(), title: await page.title(), ...cut(await page.innerText('body').catch(() => '')) })),
  });  reg({
    name: 'browser_find', description: 'Find elements by CSS selector: their count and the first 5 texts.', input: Selector, risk: 'read',
    run: ({ selector }, call) => withPage(call.user.id, async (page) => {
      const loc = page.locator(selector);
      const count = await loc.count();
      const samples = await Promise.all(Array.from({ length: Math.min(count, 5) }, (_, i) => loc.nth(i).innerText({ timeout: 2000 }).then((t) => t.slice(0, 500), () => '[no text]')));
      return { ok: true, count, selector, samples };
    }),
  });
}

function registerActingTools(reg: Register, withPage: WithPage) {
  reg({
    name: 'browser_click', description: 'Click an element (CSS selector or text=…).', input: Selector, risk: 'network',
    run: ({ selector }, call) => withPage(call.user.id, async (page) => {
      await page.click(selector);
      await page.waitForLoadState('domcontentloaded').catch(() => {});
      return { ok: true, clicked: selector, url: page.url() };
    }),
  });  reg({
    name: 'browser_fill', description: 'Type a value into an input or textarea.', risk: 'write',
    input: Selector.extend({ value: z.string().max(100_000).describe('The value to enter') }),
    run: ({ selector, value }, call) => withPage(call.user.id, async (page) => {
      await page.fill(selector, value);
      return { ok: true, selector, value };
    }),
  });  reg({
    name: 'browser_evaluate', description: 'Run JavaScript in the current page and return its (JSON) result. Asks the user first.',
    input: z.object({ js: z.string().min(1).max(100_000).describe('The JavaScript expression or function body') }), risk: 'exec', needsApproval: true,
    run: ({ js }, call) => withPage(call.user.id, async (page) => {
      const result = await page.evaluate(js);
      let serialized: string;
      try {
        serialized = JSON.stringify(result) ?? 'undefined';
      } catch {
        serialized = String(result);
      }
      return { ok: true, result: serialized.slice(0, TEXT_LIMIT) };
    }),
  });
}

function registerSessionTools(reg: Register, withPage: WithPage, { ctx, sessions, shots }: { ctx: PluginContext<BrowserSettings>; sessions: BrowserSessions; shots: ShotLedger }) {
  reg({
    name: 'browser_screenshot', description: 'Screenshot of the current page, saved to the workspace (screenshots/) and shown in the chat.',
    input: z.object({ full_page: z.boolean().optional().describe('The whole page, not only the viewport') }), risk: 'write',
    run: ({ full_page }, call) => withPage(call.user.id, async (page) => {
      const saved = await saveShot(ctx, call.user.id, await page.screenshot({ type: 'png', fullPage: full_page ?? false }));
      const url = `/api/browser/screenshots/${saved.name}`;
      const key = `${call.user.id}:${call.conversationId}`;
      shots.set(key, [...(shots.get(key) ?? []), { url, file: saved.file }]);
      return { ok: true, path: saved.path, image_url: url, url: page.url(), title: await page.title() };
    }),
  });  reg({
    name: 'browser_close', description: 'Close the browser session (cookies and pages of this user).', input: z.object({}), risk: 'read',
    run: async (_a, call) => ({ ok: true, closed: await sessions.close(call.user.id), message: 'Browser session closed.' }),
  });
}
