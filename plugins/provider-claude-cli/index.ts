/**
 * The Claude Code CLI as a provider (`claude-cli`, models `claude-cli/…`), configured when the `claude` binary is
 * found on `PATH` or at `CLAUDE_CLI_PATH`; plus admin routes for its status and sign-in. The CLI runs on the host,
 * outside the code sandbox: admins only, unless an admin names users in `allowed_users`.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { definePlugin } from '../../core/plugin-api/index.ts';
import { createProvider } from './provider.ts';
import { registerRoutes } from './routes.ts';
import { SettingsSchema } from './settings.ts';

export default definePlugin({
  name: 'provider-claude-cli',
  version: '1.0.0',
  description: 'Claude Code CLI as a provider (claude -p, stream-json), with status and login',
  settings: SettingsSchema,
  setup(ctx) {
    /**
     * The CLI's working folder for one user: inside that user's own workspace (never one folder shared by all), or
     * under the `cwd` setting, one folder per user.
     */
    const workdir = async (userId: string) => {
      const base = ctx.settings.get().cwd;
      const workspace = await ctx.workspace.root(userId); // also refuses an id that is no safe folder name
      const dir = base ? path.join(base, userId) : path.join(workspace, 'claude-cli');
      await mkdir(dir, { recursive: true, mode: 0o700 });
      return dir;
    };
    ctx.providers.register(createProvider(ctx, workdir));
    registerRoutes(ctx, workdir);
  },
});
