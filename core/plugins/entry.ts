/** The host's record of one plugin (across its generations) and how it is shown in `GET /api/plugins`. */
import type { PluginStatus } from '../plugin-api/types.ts';
import type { SerialQueue } from '../plugin-api/serial.ts';
import { publicPath, type HttpMethod } from '../http/route-table.ts';
import type { DiscoveredPlugin } from './discover.ts';
import type { Generation } from './generation.ts';
import { NO_CAPABILITIES } from './manifest.ts';

/** What is persisted per plugin (`store/plugins.json`). */
export interface PluginStateDoc {
  id: string;
  enabled: boolean;
  routes: Array<{ method: HttpMethod; path: string }>;
}

export interface Entry {
  discovered: DiscoveredPlugin;
  current?: Generation;
  status: PluginStatus['status'];
  error?: string;
  errorLocation?: PluginStatus['errorLocation'];
  enabled: boolean;
  required: boolean;
  loadMs: number | null;
  loadedAt: number | null;
  /** Serialises loads of one plugin. */
  /** Loads and unloads of this plugin, one at a time. */
  chain: SerialQueue;
  knownRoutes: Array<{ method: HttpMethod; path: string }>;
}

/** The status of one plugin: its current generation's registrations, or the error of its last load. */
export function statusOf(name: string, e: Entry): PluginStatus {
  const live = e.enabled ? e.current : undefined;
  return {
    name,
    version: e.current?.version ?? e.discovered.manifest.version ?? '0.0.0',
    description: e.current?.description ?? e.discovered.manifest.description ?? '',
    builtin: e.discovered.builtin,
    required: e.required,
    enabled: e.enabled,
    status: e.enabled ? e.status : 'disabled',
    ...(e.error && e.enabled ? { error: e.error, ...(e.errorLocation ? { errorLocation: e.errorLocation } : {}) } : {}),
    tools: live ? [...live.ledger.tools.values()].map((t) => ({ name: t.name, description: t.description })) : [],
    providers: live ? [...live.ledger.providers.keys()] : [],
    channels: live ? [...live.ledger.channels.keys()] : [],
    routes: live ? live.ledger.routes.map((r) => `${r.method.toUpperCase()} ${publicPath(r)}`) : [],
    loadMs: e.loadMs,
    loadedAt: e.loadedAt,
    capabilities: e.discovered.manifest.capabilities ?? NO_CAPABILITIES,
  };
}
