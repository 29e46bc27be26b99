/** This plugin's settings (`/api/config/settings` → `provider-claude-cli`). */
import { z } from 'zod';

export const SettingsSchema = z.object({
  /**
   * Where the CLI works (its file tools act there): each user gets their own folder, `<workspace>/claude-cli` by
   * default, or `<cwd>/<user id>` when this is set.
   */
  cwd: z.string().max(4096).default(''),
  /**
   * Plain users (ids or emails) an admin allows to use the CLI. It runs on the host, outside the code sandbox, with
   * the server's file access: admins only unless named here.
   */
  allowed_users: z.array(z.string().trim().min(1).max(320)).max(1000).default([]),
  /** Hand `ANTHROPIC_API_KEY` to the CLI (it then bills the API key instead of the signed-in subscription). */
  use_api_key: z.boolean().default(false),
  /** Stream text as it is written (`--include-partial-messages`); off for CLIs too old to know the flag. */
  partial_messages: z.boolean().default(true),
  /** Show the CLI's own tool calls as short notes in the reply. */
  tool_notes: z.boolean().default(true),
  /** Longest run of one call. */
  timeout_ms: z.number().int().min(10_000).max(3_600_000).default(600_000),
  /** Arguments that start a login (`claude setup-token`). */
  login_args: z.array(z.string().max(100)).max(10).default(['setup-token']),
});
export type Settings = z.infer<typeof SettingsSchema>;
