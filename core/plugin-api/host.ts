/** The host contract: host-wide views and powers (reload, notify, prompts, stats), scoped by capabilities. */
import type { User } from './common.ts';
import type { ToolRisk } from './tools.ts';
import type { EmbedderDefinition, ProviderDefinition } from './providers.ts';
import type { GlobalSettingsApi } from './settings.ts';

export interface PluginStatus {
  name: string;
  version: string;
  description: string;
  builtin: boolean;
  required: boolean;
  enabled: boolean;
  status: 'loaded' | 'disabled' | 'error' | 'loading';
  error?: string;
  tools: Array<{ name: string; description: string }>;
  providers: string[];
  channels: string[];
  routes: string[];
  loadMs: number | null;
  loadedAt: number | null;
  /** What its plugin.json declared (see `plugin.schema.json`). */
  capabilities?: {
    secrets: string[];
    host: string[];
    network: boolean;
    exec: boolean;
    services: { provide: string[]; use: string[] };
  };
  /** The build error's location, when the last build failed. */
  errorLocation?: { file: string; line: number; column: number; lineText: string };
}

export interface RegisteredProvider {
  def: ProviderDefinition;
  plugin: string;
}

/** Host-wide views and actions. Meant for the control plugin; other plugins read from it. */
export interface HostApi {
  version: string;
  startedAt: number;
  dataDir: string;
  plugins(): PluginStatus[];
  reload(name?: string): Promise<PluginStatus[]>;
  enable(name: string): Promise<PluginStatus>;
  disable(name: string): Promise<PluginStatus>;
  tools(): Array<{ name: string; description: string; plugin: string; risk: ToolRisk }>;
  providers(): RegisteredProvider[];
  channels(): Array<{ id: string; plugin: string; status: string }>;
  /** Send `text` to `user` through every channel that can reach them; returns the ids of those that delivered. */
  notify(user: User, text: string): Promise<string[]>;
  embedders(): EmbedderDefinition[];
  settings: GlobalSettingsApi;
  /** Active provider and model (setting, falling back to echo when the chosen one is not configured). */
  activeModel(): { provider: string; model: string };
  /** The provider a model name belongs to: an exact model of a provider, else the longest matching prefix. */
  providerForModel(model: string): ProviderDefinition | undefined;
  prompts: {
    names: readonly ['rules', 'character', 'self'];
    read(name: 'rules' | 'character' | 'self'): Promise<{ content: string; path: string; edited: boolean }>;
    write(name: 'rules' | 'character' | 'self', content: string): Promise<number>;
    revert(name: 'rules' | 'character' | 'self'): Promise<void>;
  };
  /** Key names a provider or plugin declared (allowed in `/api/keys`). */
  declaredKeys(): Array<{ label: string; keys: string[] }>;
  /** Sizes for `/api/config` stats. */
  stats(): Promise<Record<string, number>>;
  /** Register a stats contributor (name → number). */
  addStat(name: string, fn: () => number | Promise<number>): void;
  /** The fields plugins add to this user's `GET /api/status` (`hooks.statusFields`). */
  statusFields(user: User): Promise<Record<string, unknown>>;
}
