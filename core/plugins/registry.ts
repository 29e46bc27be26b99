/**
 * Snapshots of what the loaded plugins registered (tools, providers, embedders, channels, hooks, services, stats),
 * rebuilt from the live generations on every plugin swap. Built-ins come first and win name clashes (logged).
 */
import type { DoneHook, EmbedderDefinition, ProviderDefinition, StatusFieldsHook, SystemContextHook, TurnErrorHook, User } from '../plugin-api/types.ts';
import { registerTool, type RegisteredTool } from '../agent/tool-registry.ts';
import type { PluginHost } from './host.ts';
import { scrubSecrets } from '../secret-scrubber.ts';

/** Snapshots of what the loaded plugins registered, rebuilt on every plugin swap. Built-ins come first and win clashes. */
export class Registry {
  tools = new Map<string, RegisteredTool>();
  providers = new Map<string, { def: ProviderDefinition; plugin: string }>();
  embedders = new Map<string, EmbedderDefinition>();
  channels: Array<{ id: string; plugin: string; status: () => string; notify?: (user: User, text: string) => Promise<boolean> }> = [];
  toolResultHooks: Array<(info: any) => void> = [];
  doneHooks: DoneHook[] = [];
  turnErrorHooks: TurnErrorHook[] = [];
  systemContextHooks: SystemContextHook[] = [];
  statusHooks: StatusFieldsHook[] = [];
  services = new Map<string, { impl: unknown; plugin: string }>();
  stats = new Map<string, () => number | Promise<number>>();
  /** One stable forwarding object per embedder id, so the memory store's reference follows reloads. */
  private embedderFronts = new Map<string, EmbedderDefinition>();

  rebuild(host: PluginHost): void {
    const tools = new Map<string, RegisteredTool>();
    const providers = new Map<string, { def: ProviderDefinition; plugin: string }>();
    const embedders = new Map<string, EmbedderDefinition>();
    const services = new Map<string, { impl: unknown; plugin: string }>();
    const stats = new Map<string, () => number | Promise<number>>();
    const channels: Registry['channels'] = [];
    const toolResultHooks: Registry['toolResultHooks'] = [];
    const doneHooks: DoneHook[] = [];
    const turnErrorHooks: TurnErrorHook[] = [];
    const systemContextHooks: SystemContextHook[] = [];
    const statusHooks: StatusFieldsHook[] = [];
    const claim = <V>(map: Map<string, V>, kind: string, key: string, plugin: string, owner: (v: V) => string, value: V) => {
      const taken = map.get(key);
      if (taken) host.logClash(`${kind} ${key}`, plugin, owner(taken));
      else map.set(key, value);
    };
    for (const g of host.generations()) {
      const l = g.ledger;
      for (const def of l.tools.values()) claim(tools, 'tool', def.name, g.plugin, (t) => t.plugin, registerTool(def, g.plugin));
      for (const def of l.providers.values()) claim(providers, 'provider', def.id, g.plugin, (p) => p.plugin, { def, plugin: g.plugin });
      for (const [name, impl] of l.services) claim(services, 'service', name, g.plugin, (v) => v.plugin, { impl, plugin: g.plugin });
      for (const def of l.embedders.values()) if (!embedders.has(def.id)) embedders.set(def.id, def);
      for (const [name, fn] of l.stats) stats.set(name, fn);
      for (const ch of l.channels.values()) {
        channels.push({ id: ch.id, plugin: g.plugin, status: () => safeStatus(ch.status), notify: ch.notify?.bind(ch) });
      }
      toolResultHooks.push(...l.toolResultHooks);
      doneHooks.push(...l.doneHooks);
      turnErrorHooks.push(...l.turnErrorHooks);
      systemContextHooks.push(...l.systemContextHooks);
      statusHooks.push(...l.statusHooks);
    }
    Object.assign(this, { tools, providers, embedders: this.fronts(embedders), channels, toolResultHooks, doneHooks, turnErrorHooks, systemContextHooks, statusHooks, services, stats });
  }

  /** Forwarders that call the embedder registered under the id *now*. */
  private fronts(live: Map<string, EmbedderDefinition>): Map<string, EmbedderDefinition> {
    const out = new Map<string, EmbedderDefinition>();
    for (const [id, def] of live) {
      let front = this.embedderFronts.get(id);
      if (!front || front.dims !== def.dims) {
        const current = () => this.liveEmbedders.get(id) ?? def;
        front = { id, dims: def.dims, isConfigured: () => current().isConfigured(), embed: (texts, signal) => current().embed(texts, signal) };
        this.embedderFronts.set(id, front);
      }
      out.set(id, front);
    }
    this.liveEmbedders = live;
    return out;
  }

  private liveEmbedders = new Map<string, EmbedderDefinition>();
}

/** A channel's status line, shown to clients: its error text may quote a token, so it is scrubbed. */
function safeStatus(fn: () => string): string {
  try {
    return scrubSecrets(String(fn()));
  } catch (error) {
    return scrubSecrets(`error: ${String((error as Error)?.message ?? error)}`);
  }
}

