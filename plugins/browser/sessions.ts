/**
 * One Chromium for the server, one browser context (own cookies, storage, page) per user. Started on first use,
 * a context closed after `idle_minutes` without use, Chromium closed when no context is left.
 */
import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { AppError, type PluginContext } from '../../core/plugin-api/index.ts';
import { startGuardProxy, type GuardProxy } from './guard-proxy.ts';

interface UserSession { context: BrowserContext; page: Page; lastUsed: number; proxyUser: string }

export interface BrowserSettings {
  idle_minutes: number;
  action_timeout_ms: number;
}

export class BrowserSessions {
  private browser: Promise<Browser> | undefined;
  private proxy: GuardProxy | undefined;
  private readonly sessions = new Map<string, Promise<UserSession>>();
  private readonly timer: NodeJS.Timeout;
  /** Hosts the proxy refused, per user, until the next tool result reports them. */
  private readonly blocked = new Map<string, string[]>();

  constructor(
    private readonly ctx: PluginContext<BrowserSettings>,
    private readonly executable: () => string,
    private readonly approve: (hostname: string) => Promise<{ address: string; family: number }>,
  ) {
    this.timer = setInterval(() => void this.closeIdle(), 30_000).unref();
  }


  private async launch(): Promise<Browser> {
    const path = this.executable();
    if (!existsSync(path)) throw new AppError(503, 'BROWSER_NOT_AVAILABLE', `Chromium not found at ${path}; install it (apt-get install chromium) or set CHROMIUM_PATH`);
    this.proxy ??= await startGuardProxy(this.approve, (userId, host) => {
      const list = this.blocked.get(userId) ?? [];
      if (list.length < 20) list.push(host);
      this.blocked.set(userId, list);
    });
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: path, headless: true,
      args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
      // Contexts bring their own credentials; a request without them is refused by the proxy (407).
      proxy: { server: this.proxy.server, bypass: '<-loopback>' },
    });
    browser.on('disconnected', () => {
      this.browser = undefined;
      this.sessions.clear();
    });
    return browser;
  }

  /** The user's page, created on first use. */
  async page(userId: string): Promise<Page> {
    let session = this.sessions.get(userId);
    if (!session) {
      session = (async () => {
        this.browser ??= this.launch().catch((e) => { this.browser = undefined; throw e; });
        const browser = await this.browser;
        const creds = this.proxy!.credentialsFor(userId);
        const context = await browser.newContext({
          acceptDownloads: false, serviceWorkers: 'block',
          proxy: { server: this.proxy!.server, bypass: '<-loopback>', ...creds },
        });
        context.setDefaultTimeout(this.ctx.settings.get().action_timeout_ms);
        const page = await context.newPage();
        return { context, page, lastUsed: Date.now(), proxyUser: creds.username };
      })();
      this.sessions.set(userId, session);
      session.catch(() => this.sessions.delete(userId));
    }
    const s = await session;
    if (s.page.isClosed()) s.page = await s.context.newPage();
    s.lastUsed = Date.now();
    return s.page;
  }

  has(userId: string): boolean {
    return this.sessions.has(userId);
  }

  /** Hosts refused for this user since the last call (reported with a tool result). */
  takeBlocked(userId: string): string[] {
    const list = this.blocked.get(userId) ?? [];
    this.blocked.delete(userId);
    return [...new Set(list)];
  }

  async close(userId: string): Promise<boolean> {
    const session = this.sessions.get(userId);
    if (!session) return false;
    this.sessions.delete(userId);
    const s = await session.catch(() => undefined);
    if (s) this.proxy?.forget(s.proxyUser);
    await s?.context.close().catch(() => {});
    if (!this.sessions.size) await this.shutdownBrowser();
    return true;
  }

  private async closeIdle(): Promise<void> {
    const limit = this.ctx.settings.get().idle_minutes * 60_000;
    for (const [userId, session] of this.sessions) {
      const s = await session.catch(() => undefined);
      if (!s || Date.now() - s.lastUsed > limit) await this.close(userId);
    }
  }

  private async shutdownBrowser(): Promise<void> {
    const b = this.browser;
    this.browser = undefined;
    await (await b?.catch(() => undefined))?.close().catch(() => {});
  }

  async dispose(): Promise<void> {
    clearInterval(this.timer);
    for (const userId of [...this.sessions.keys()]) await this.close(userId);
    await this.shutdownBrowser();
    await this.proxy?.close();
    this.proxy = undefined;
  }
}
