/** The core's bus topics (plugins' topics are `plugin:<name>:<topic>`, see `plugin-facility.ts`). */
export const ACCOUNT_CHANGED = 'accounts.changed';
export const SETTINGS_SAVED = 'settings.saved';
export const PROMPT_CHANGED = 'prompts.changed';
export const SECRETS_SAVED = 'secrets.saved';
export const PLUGIN_TOGGLED = 'plugins.toggled';
export const STOP_TURNS = 'agent.stop';
/** An instance's answer to a `STOP_TURNS` that asked (`requestId`): how many turns it stopped (only when some). */
export const TURNS_STOPPED = 'agent.stopped';
/** The change fence (pg-fence.ts): an instance's heartbeat notice, a change to drop from caches, and its receipt. */
export const FENCE_PING = 'fence.ping';
export const FENCE_CHANGE = 'fence.change';
export const FENCE_ACK = 'fence.ack';
