/**
 * Update notices: compares this server's version with a release feed (`UPDATE_FEED_URL`, default the npm registry's
 * latest version of this package) and reports it at `GET /api/update-status`; `POST /api/update-trigger` checks now.
 * It never modifies the installation.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { definePlugin } from '../../core/plugin-api/index.ts';
import { UpdateChecker } from './checker.ts';
import { defaultFeed } from './feed.ts';

/** This package's npm name: `UPDATE_PACKAGE_NAME`, else the `package.json` the server runs from. */
function packageName(): string {
  if (process.env.UPDATE_PACKAGE_NAME) return process.env.UPDATE_PACKAGE_NAME;
  try {
    return JSON.parse(readFileSync(path.join(process.cwd(), 'package.json'), 'utf8')).name ?? 'aion-runtime';
  } catch {
    return 'aion-runtime';
  }
}

const ms = (value: string | undefined, fallback: number) => (value && Number(value) >= 0 ? Number(value) : fallback);

export default definePlugin({
  name: 'updater',
  version: '1.0.0',
  description: 'Checks a release feed for a newer AION version (never updates itself)',
  setup(ctx) {
    const name = packageName();
    const checker = new UpdateChecker(
      ctx.host.version,
      () => ({ url: process.env.UPDATE_FEED_URL || defaultFeed(name), packageName: name }),
      (version) => ctx.log.info({ version, current: ctx.host.version }, 'updater: a newer AION version is available'),
      (period) => ctx.cluster.once('scheduled-check', period), // one feed request per period for all instances
    );
    // Test servers make no outside calls unless a test asks for the timer (`UPDATE_FIRST_CHECK_MS`).
    const automatic = process.env.NODE_ENV !== 'test' || !!process.env.UPDATE_FIRST_CHECK_MS;
    if (automatic) checker.start(ms(process.env.UPDATE_FIRST_CHECK_MS, 60_000), Math.max(60_000, ms(process.env.UPDATE_INTERVAL_MS, 24 * 3_600_000)));
    ctx.onUnload(() => checker.stop());

    ctx.routes.get('/update-status', { access: 'admin', summary: 'Current and latest version, from the last check' }, () => ({ ...checker.state }));

    ctx.routes.post('/update-trigger', { access: 'admin', summary: 'Check for an update now (in the background)' }, () => {
      const already = checker.busy;
      void checker.check();
      return { ok: true, message: already ? 'Update check already running' : 'Update check started' };
    });
  },
});
