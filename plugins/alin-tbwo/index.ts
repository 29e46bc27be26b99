/**
 * ALIN TBWOs — time-budgeted work orders (`alin-api.md` → TBWOs), per user, served under both `/api/tbwos`
 * (documented) and `/api/tbwo` (the original client), stored as the client sends them (no enforced transitions, as the original server), with append-only receipts.
 */
import { definePlugin } from '../../core/plugin-api/index.ts';
import { registerTbwoRoutes } from './routes.ts';

export default definePlugin({
  name: 'alin-tbwo',
  version: '1.0.0',
  description: 'ALIN time-budgeted work orders (TBWOs) stored as sent, with receipts, per user',
  setup(ctx) {
    registerTbwoRoutes(ctx, '/tbwos');
    registerTbwoRoutes(ctx, '/tbwo');
  },
});
