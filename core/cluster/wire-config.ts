/**
 * Configuration saved on one instance is in force on all of them: settings (the `settings` collection), prompts (files
 * in the shared DATA_DIR), keys (the shared ENV_FILE) and plugin enable state (the `plugins` collection) are announced
 * on the bus after they are saved — by id or name, never the values — and every other instance reloads them from
 * the shared source. After a bus reconnection (notices may be lost) everything is reloaded.
 */
import type { Logger } from 'pino';
import type { HostApi } from '../plugin-api/types.ts';
import type { PluginHost } from '../plugins/host.ts';
import type { Prompts, PromptName } from '../prompts.ts';
import type { Secrets } from '../secrets.ts';
import type { SettingsService } from '../settings.ts';
import { PLUGIN_TOGGLED, PROMPT_CHANGED, SECRETS_SAVED, SETTINGS_SAVED } from './topics.ts';
import { RECONNECTED, type Bus } from './types.ts';

export interface ConfigParts {
  settings: SettingsService;
  prompts: Prompts;
  secrets: Secrets;
  hostApi: HostApi;
  host: PluginHost;
  log: Logger;
  /** What this instance does after global settings changed (switch the embedder …). */
  afterSettingsChange(): void;
}

export function spreadConfiguration(bus: Bus, parts: ConfigParts): void {
  const { settings, prompts, secrets, hostApi, host, log } = parts;
  const warn = (what: string) => (error: unknown) => log.warn({ err: { message: String((error as Error)?.message ?? error) } }, `cluster: ${what} failed`);
  const announce = (topic: string, payload: Record<string, unknown>) => void bus.publish(topic, payload).catch(warn(`announcing ${topic}`));
  const reloadSettings = () => settings.reload().then(() => parts.afterSettingsChange()).catch(warn('reloading settings'));

  settings.onSaved = (id) => announce(SETTINGS_SAVED, { id });
  prompts.onChanged = (name) => announce(PROMPT_CHANGED, { name });
  secrets.onSaved = (names) => announce(SECRETS_SAVED, { names });

  const { enable, disable } = hostApi;
  Object.assign(hostApi, {
    enable: async (name: string) => {
      const status = await enable(name);
      announce(PLUGIN_TOGGLED, { name, enabled: true });
      return status;
    },
    disable: async (name: string) => {
      const status = await disable(name);
      announce(PLUGIN_TOGGLED, { name, enabled: false });
      return status;
    },
  } satisfies Pick<HostApi, 'enable' | 'disable'>);

  bus.subscribe(SETTINGS_SAVED, (_p, meta) => (meta.fromSelf ? undefined : reloadSettings()));
  bus.subscribe(PROMPT_CHANGED, (p, meta) => (meta.fromSelf ? undefined : prompts.forget(p.name as PromptName)));
  bus.subscribe(SECRETS_SAVED, (p, meta) => {
    if (meta.fromSelf || !Array.isArray(p.names)) return;
    return secrets.reload(p.names.filter((n): n is string => typeof n === 'string')).catch(warn('reloading keys'));
  });
  bus.subscribe(PLUGIN_TOGGLED, (p, meta) => {
    if (meta.fromSelf || typeof p.name !== 'string') return;
    // The local host only (not the announcing wrapper): the state is already saved, nothing is announced again.
    return (p.enabled ? host.enable(p.name) : host.disable(p.name)).catch(warn(`toggling plugin ${p.name}`));
  });
  bus.subscribe(RECONNECTED, () => {
    prompts.forget();
    void reloadSettings();
  });
}
