/**
 * The Claude Code CLI as a provider (`claude-cli`, models `claude-cli/…`), configured when the `claude` binary is
 * found on `PATH` or at `CLAUDE_CLI_PATH`; plus admin routes for its status and sign-in.
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
    /** The CLI's default working folder: its file tools act there, not in the server's own folder. */
    const workdir = async () => {
      const dir = path.join(await ctx.store.dir(), 'workspace');
      await mkdir(dir, { recursive: true });
      return dir;
    };
    ctx.providers.register(createProvider(ctx, workdir));
    registerRoutes(ctx, workdir);
  },
});
