/** This plugin's settings (`/api/config/settings` → `provider-claude-cli`). */
import { z } from 'zod';

export const SettingsSchema = z.object({
  /** Working directory of the CLI (its file tools act there); empty = `DATA_DIR/plugins/provider-claude-cli/workspace`. */
  cwd: z.string().max(4096).default(''),
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
