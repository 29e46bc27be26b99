/**
 * Browser (the original's playwright_browser): the system Chromium (`CHROMIUM_PATH`, default `/usr/bin/chromium`)
 * through playwright-core, one context per user, closed when idle. All its traffic goes through a guard proxy with
 * web_fetch's address rules (web-tools' `outbound-address` service; admin allow-list `web_allow_private_hosts`). Screenshots are saved to the
 * workspace, served to their owner at `GET /api/browser/screenshots/:name`, and attached to the turn as image media.
 */
import { z } from 'zod';
import { AppError, definePlugin, type OutboundAddressService } from '../../core/plugin-api/index.ts';
import { readShot } from './screenshots.ts';
import { BrowserSessions } from './sessions.ts';
import { registerTools, type ShotLedger } from './tools.ts';

const Settings = z.object({
  idle_minutes: z.number().min(1).max(1440).default(10),
  action_timeout_ms: z.number().int().min(1000).max(120_000).default(15_000),
});

export default definePlugin({
  name: 'browser',
  version: '1.0.0',
  description: 'A real browser (system Chromium via playwright-core): one context per user, closed when idle, private addresses refused like web_fetch',
  settings: Settings,
  setup(ctx) {
    // Where the browser may connect is web-tools' decision (one address policy); without web-tools, nowhere.
    const approve = (hostname: string) => {
      const policy = ctx.services.use<OutboundAddressService>('outbound-address');
      if (!policy) throw new AppError(503, 'WEB_TOOLS_DISABLED', 'The browser follows the web-tools address rules: enable the web-tools plugin');
      return policy.approve(hostname);
    };
    const sessions = new BrowserSessions(ctx, () => ctx.secrets.get('CHROMIUM_PATH') || '/usr/bin/chromium', approve);
    const shots: ShotLedger = new Map();
    registerTools(ctx, sessions, shots, approve);

    ctx.hooks.onDone((done, info) => {
      const key = `${info.user.id}:${info.conversationId}`;
      const pending = shots.get(key);
      if (!pending) return;
      shots.delete(key);
      done.media = [...(done.media ?? []), ...pending.map((p) => ({ type: 'image' as const, url: p.url, format: 'png', file: p.file }))];
    });

    ctx.routes.get('/browser/screenshots/:name', { summary: "One of the caller's browser screenshots (PNG)", params: z.object({ name: z.string().max(200) }) }, async (c, { user, params }) => {
      c.type = 'image/png';
      c.set('cache-control', 'private, max-age=3600');
      c.body = await readShot(ctx, user.id, params.name);
    });
    ctx.routes.get('/browser/status', { summary: "Whether the caller has an open browser session" }, (_c, { user }) => ({ open: sessions.has(user.id) }));
    ctx.onUnload(() => sessions.dispose());
  },
});
