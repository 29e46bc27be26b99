/**
 * ALIN code execution: `POST /api/code/execute`, `POST /api/command/execute` (shell), the admin's `GET /api/code/capabilities`, and the agent's
 * `execute_code` / `run_command` tools — all through `ctx.workspace.execute` (clean environment, time / output /
 * memory / process limits, per-user and global concurrency limits).
 */
import { definePlugin } from '../../core/plugin-api/index.ts';
import { registerCommandRoute } from './command.ts';
import { registerCodeRoutes } from './routes.ts';
import { registerCodeTools } from './tools.ts';

export default definePlugin({
  name: 'alin-code',
  version: '1.0.0',
  description: 'Sandboxed code execution: endpoint and the execute_code / run_command tools',
  setup(ctx) {
    registerCodeRoutes(ctx);
    registerCommandRoute(ctx);
    registerCodeTools(ctx);
  },
});
