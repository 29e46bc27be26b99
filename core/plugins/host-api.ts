/**
 * The host API behind `ctx.host`: host-wide views (plugins, tools, providers, channels, settings, stats) and actions
 * (reload, notify, prompts). Each plugin gets it through `scopedHost`, which refuses the powers it did not declare.
 */
import type { Logger } from 'pino';
import type { HostApi, User } from '../plugin-api/types.ts';
import type { Config } from '../config.ts';
import type { Accounts } from '../auth/accounts.ts';
import { activeModel, providerForModel, type ProviderLookup } from '../agent/model-resolution.ts';
import type { Conversations } from '../conversations.ts';
import type { MemoryService } from '../memory/index.ts';
import type { Store } from '../store/store.ts';
import type { Prompts, PromptName } from '../prompts.ts';
import type { SettingsService } from '../settings.ts';
import { directorySize } from '../util/directory-size.ts';
import type { PluginHost } from './host.ts';
import type { Registry } from './registry.ts';

export interface HostApiDeps {
  config: Config;
  log: Logger;
  host: PluginHost;
  registry: Registry;
  settings: SettingsService;
  prompts: Prompts;
  conversations: Conversations;
  accounts: Accounts;
  memory: MemoryService;
  store: Store;
  providers: ProviderLookup;
  /** Called after global settings change (the embedder may have been switched). */
  afterSettingsChange(): void;
  startedAt: number;
}

/** Deliver `text` through every channel that can reach `user`; the ids of those that did. */
async function notifyAll(deps: HostApiDeps, user: User, text: string): Promise<string[]> {
  const delivered: string[] = [];
  for (const c of deps.registry.channels) {
    if (!c.notify) continue;
    const ok = await c.notify(user, text).catch((error) => {
      deps.log.warn({ channel: c.id, error: String(error?.message ?? error) }, 'channel could not deliver a notification');
      return false;
    });
    if (ok) delivered.push(c.id);
  }
  return delivered;
}

/** The fields plugins add to a caller's `GET /api/status`; a failing hook adds nothing. */
async function statusFields(registry: Registry, user: User, log: Logger): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const hook of registry.statusHooks) {
    try {
      Object.assign(out, (await hook(user)) ?? {});
    } catch (error) {
      log.warn({ error: String((error as Error)?.message ?? error) }, 'a status-fields hook failed');
    }
  }
  return out;
}

async function stats(deps: HostApiDeps): Promise<Record<string, number>> {
  const { conversations, accounts, memory, host, config, registry, startedAt, store } = deps;
  const totals = await conversations.totals();
  const reembed = memory.reembedProgress();
  const out: Record<string, number> = {
    users: accounts.count(),
    conversations: totals.conversations,
    messages: totals.messages,
    memory_entries: memory.count(),
    plugins: host.list().filter((p) => p.status === 'loaded').length,
    uptime: Math.round((Date.now() - startedAt) / 1000),
    dataBytes: await directorySize(config.dataDir),
    store_cache_partitions: store.cacheStats().partitions,
    store_cache_bytes: store.cacheStats().bytes,
    memory_reembed_done: reembed.done,
    memory_reembed_total: reembed.total,
    memory_reembed_running: reembed.running ? 1 : 0,
  };
  for (const [k, fn] of registry.stats) out[k] = await fn();
  return out;
}

export function createHostApi(deps: HostApiDeps): HostApi {
  const { config, host, registry, settings, prompts, providers } = deps;
  return {
    version: config.version,
    startedAt: deps.startedAt,
    dataDir: config.dataDir,
    plugins: () => host.list(),
    reload: (name) => host.reload(name),
    enable: (name) => host.enable(name),
    disable: (name) => host.disable(name),
    tools: () => [...registry.tools.values()].map((t) => ({ name: t.def.name, description: t.def.description, plugin: t.plugin, risk: t.def.risk })),
    providers: () => [...registry.providers.values()],
    channels: () => registry.channels.map((c) => ({ id: c.id, plugin: c.plugin, status: c.status() })),
    notify: (user, text) => notifyAll(deps, user, text),
    embedders: () => [...registry.embedders.values()],
    settings: {
      get: () => settings.all(),
      set: async (patch) => {
        const next = await settings.set(patch);
        deps.afterSettingsChange();
        return next;
      },
    },
    activeModel: () => {
      const a = activeModel(providers, settings.get());
      return { provider: a.provider?.id ?? 'echo', model: a.model };
    },
    prompts: {
      names: ['rules', 'character', 'self'] as const,
      read: (n: PromptName) => prompts.read(n),
      write: (n: PromptName, c: string) => prompts.write(n, c),
      revert: (n: PromptName) => prompts.revert(n),
    },
    providerForModel: (model) => providerForModel(providers, model),
    declaredKeys: () => [...registry.providers.values()].map((p) => ({ label: p.def.label, keys: p.def.envKeys })),
    stats: () => stats(deps),
    // Plugins get their own ledgered `addStat` (capabilities.ts); this one is for the host itself.
    addStat: (n, fn) => void registry.stats.set(n, fn),
    statusFields: (user) => statusFields(registry, user, deps.log),
  };
}
