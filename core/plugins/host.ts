/**
 * The plugin host: discover → build → set up into a staging generation → swap atomically → dispose the old one.
 * A failed build or setup leaves the old generation serving and marks the plugin `error`. Routes of all plugins are
 * composed into one router that is rebuilt on every swap; in-flight requests keep the router they started with.
 */
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import type { Collection, PluginDefinition, PluginStatus } from '../plugin-api/types.ts';
import { conflict, notFound } from '../errors.ts';
import { composeRouter, publicPath, type HttpMethod, type RouteRecord, type RouteServices } from '../http/route-table.ts';
import type { Store } from '../store/store.ts';
import { bundlePlugin, publishPluginApi, pruneBundles } from './bundle.ts';
import { discoverPlugins, type DiscoveredPlugin } from './discover.ts';
import { Generation, withTimeout } from './generation.ts';
import { pluginErrors, recordPluginLoad } from '../metrics/index.ts';

const SETUP_TIMEOUT_MS = 10_000;
const WATCH_DEBOUNCE_MS = 200;

interface PluginStateDoc {
  id: string;
  enabled: boolean;
  routes: Array<{ method: HttpMethod; path: string }>;
}

interface Entry {
  discovered: DiscoveredPlugin;
  current?: Generation;
  status: PluginStatus['status'];
  error?: string;
  enabled: boolean;
  required: boolean;
  loadMs: number | null;
  loadedAt: number | null;
  /** Serialises loads of one plugin. */
  chain: Promise<unknown>;
  knownRoutes: Array<{ method: HttpMethod; path: string }>;
}

/** Builds the `ctx` for a new generation (core services live behind it). */
export type ContextFactory = (gen: Generation, settingsSchema: PluginDefinition['settings']) => Generation['ctx'];

export class PluginHost {
  private entries = new Map<string, Entry>();
  private dispatcher: Middleware = async (_ctx, next) => next();
  private apiNames: string[] = [];
  private watchers: FSWatcher[] = [];
  private state: Collection<PluginStateDoc>;
  private readonly cacheDir: string;
  private closed = false;
  /** During start every plugin loads once: rebuild the router and registries once at the end, not per plugin. */
  private starting = false;
  private startupWrites: Promise<void>[] = [];
  /** Called after every swap so registries (tools, providers) can be rebuilt. */
  onChange: () => void = () => {};

  constructor(
    private readonly opts: { dirs: string[]; builtinDir: string; dataDir: string; watch: boolean; prebuiltDir?: string },
    store: Store,
    private readonly log: Logger,
    private readonly routeServices: Omit<RouteServices, 'track'>,
    private readonly makeContext: ContextFactory,
  ) {
    this.state = store.collection<PluginStateDoc>('plugins');
    this.cacheDir = path.join(opts.dataDir, '.plugin-cache');
  }

  /** Koa middleware that dispatches to the current composed router. */
  middleware(): Middleware {
    return (ctx, next) => this.dispatcher(ctx, next);
  }

  async start(): Promise<void> {
    this.apiNames = await publishPluginApi();
    const saved = new Map((await this.state.all()).map((d) => [d.id, d]));
    for (const d of await discoverPlugins(this.opts.dirs, this.opts.builtinDir)) {
      const s = saved.get(d.name);
      const required = d.manifest.required === true;
      this.entries.set(d.name, {
        discovered: d,
        status: 'loading',
        enabled: required || (s?.enabled ?? d.manifest.enabled ?? true),
        required,
        loadMs: null,
        loadedAt: null,
        chain: Promise.resolve(),
        knownRoutes: s?.routes ?? [],
      });
    }
    // Build in parallel (esbuild is fast and off the main thread), set up in discovery order.
    const builds = new Map<string, Promise<Awaited<ReturnType<typeof bundlePlugin>>>>();
    for (const [name, e] of this.entries) {
      if (e.enabled && !e.discovered.manifestError) {
        const p = bundlePlugin(name, e.discovered.entry, this.cacheDir, this.apiNames, this.prebuilt(e.discovered));
        p.catch(() => {});
        builds.set(name, p);
      }
    }
    this.starting = true;
    try {
      for (const [name, e] of this.entries) {
        if (!e.enabled) {
          e.status = 'disabled';
          continue;
        }
        await this.load(name, builds.get(name));
      }
    } finally {
      this.starting = false;
    }
    await Promise.all(this.startupWrites.splice(0));
    this.rebuild();
    if (this.opts.watch) this.startWatching();
  }

  /** Bundles made by `npm run build` for the built-in plugins (read-only; used when their sources match). */
  private prebuilt(d: DiscoveredPlugin): string[] {
    return d.builtin && this.opts.prebuiltDir ? [this.opts.prebuiltDir] : [];
  }

  private entry(name: string): Entry {
    const e = this.entries.get(name);
    if (!e) throw notFound(`Unknown plugin: ${name}`, 'PLUGIN_NOT_FOUND');
    return e;
  }

  /** Load (or reload) one plugin; serialised per plugin. Never throws: failures are recorded on the entry. */
  private load(name: string, prebuilt?: Promise<Awaited<ReturnType<typeof bundlePlugin>>>): Promise<void> {
    const e = this.entry(name);
    const run = async () => {
      if (this.closed) return;
      const started = performance.now();
      const previousStatus = e.status;
      e.status = 'loading';
      let gen: Generation | undefined;
      try {
        if (e.discovered.manifestError) throw new Error(e.discovered.manifestError);
        const built = await (prebuilt ?? bundlePlugin(name, e.discovered.entry, this.cacheDir, this.apiNames, this.prebuilt(e.discovered)));
        const mod = await import(pathToFileURL(built.file).href);
        const def = (mod.default ?? mod.plugin) as PluginDefinition | undefined;
        if (!def || typeof def !== 'object' || typeof def.setup !== 'function') {
          throw new Error('the default export must be a plugin definition with a setup(ctx) function');
        }
        if (def.name && def.name !== name) this.log.warn({ plugin: name, declared: def.name }, 'plugin name differs from its folder; using the folder name');
        gen = new Generation(name, def.version ?? e.discovered.manifest.version ?? '0.0.0', def.description ?? e.discovered.manifest.description ?? '', built.file, this.log.child({ plugin: name }));
        gen.ctx = this.makeContext(gen, def.settings);
        const g = gen;
        await withTimeout(Promise.resolve().then(() => def.setup(g.ctx)), SETUP_TIMEOUT_MS, `setup did not finish within ${SETUP_TIMEOUT_MS} ms`);
        if (def.required) e.required = true;
      } catch (error: any) {
        const message = String(error?.message ?? error);
        e.status = 'error';
        e.error = message;
        recordPluginLoad(name, false);
        this.log.error({ plugin: name, error: message }, 'plugin failed to load; the previous generation (if any) keeps serving');
        if (gen) await gen.dispose({ waitForRequests: false });
        if (previousStatus === 'loaded' && e.current) e.status = 'error';
        return;
      }
      const old = e.current;
      e.current = gen;
      recordPluginLoad(name, true);
      e.status = 'loaded';
      e.error = undefined;
      e.loadMs = Math.round((performance.now() - started) * 10) / 10;
      e.loadedAt = Date.now();
      e.knownRoutes = gen.ledger.routes.map((r) => ({ method: r.method, path: r.path }));
      if (!this.starting) {
        this.rebuild();
        await this.persist(name);
      } else this.startupWrites.push(this.persist(name)); // coalesced by the store, awaited once at the end of start
      if (gen.file?.startsWith(this.cacheDir)) void pruneBundles(this.cacheDir, name, gen.file);
      // The bot of the old generation must stop before the new one starts (one poller per token).
      if (old) await old.stopChannels();
      await gen.startChannels();
      if (old) void old.dispose({ waitForRequests: true });
    };
    const result = e.chain.then(run, run);
    e.chain = result.catch(() => {});
    return result;
  }

  private async persist(name: string): Promise<void> {
    const e = this.entry(name);
    await this.state.put({ id: name, enabled: e.enabled, routes: e.knownRoutes });
  }

  /** Rebuild the router and registries from the current generations. */
  private rebuild(): void {
    const records: RouteRecord[] = [];
    const disabled: Array<{ plugin: string; method: HttpMethod; path: string }> = [];
    for (const [name, e] of this.entries) {
      if (e.enabled && e.current) records.push(...e.current.ledger.routes);
      else if (!e.enabled) for (const r of e.knownRoutes) disabled.push({ plugin: name, ...r });
    }
    const services: RouteServices = {
      ...this.routeServices,
      track: (plugin, run) => {
        const gen = this.entries.get(plugin)?.current;
        return gen ? gen.track(run) : run();
      },
    };
    this.dispatcher = composeRouter(records, services, disabled);
    this.onChange();
  }

  /** Live generations of enabled plugins, in load order. */
  generations(): Generation[] {
    return [...this.entries.values()].filter((e) => e.enabled && e.current).map((e) => e.current!);
  }

  /** Every route record (for the OpenAPI document). */
  routes(): RouteRecord[] {
    return this.generations().flatMap((g) => g.ledger.routes);
  }

  list(): PluginStatus[] {
    return [...this.entries.entries()].map(([name, e]) => {
      const g = e.current;
      const live = e.enabled ? g : undefined;
      return {
        name,
        version: g?.version ?? e.discovered.manifest.version ?? '0.0.0',
        description: g?.description ?? e.discovered.manifest.description ?? '',
        builtin: e.discovered.builtin,
        required: e.required,
        enabled: e.enabled,
        status: e.enabled ? e.status : 'disabled',
        ...(e.error && e.enabled ? { error: e.error } : {}),
        tools: live ? [...live.ledger.tools.values()].map((t) => ({ name: t.name, description: t.description })) : [],
        providers: live ? [...live.ledger.providers.keys()] : [],
        channels: live ? [...live.ledger.channels.keys()] : [],
        routes: live ? live.ledger.routes.map((r) => `${r.method.toUpperCase()} ${publicPath(r)}`) : [],
        loadMs: e.loadMs,
        loadedAt: e.loadedAt,
      };
    });
  }

  status(name: string): PluginStatus {
    this.entry(name);
    return this.list().find((p) => p.name === name)!;
  }

  /** Reload one (or every enabled) plugin. A failure keeps the old generation serving. */
  async reload(name?: string): Promise<PluginStatus[]> {
    if (name) {
      const e = this.entry(name);
      if (e.enabled) await this.load(name);
      return [this.status(name)];
    }
    await this.rediscover();
    await Promise.all([...this.entries].filter(([, e]) => e.enabled).map(([n]) => this.load(n)));
    return this.list();
  }

  /** Pick up plugin folders added since start. */
  private async rediscover(): Promise<void> {
    for (const d of await discoverPlugins(this.opts.dirs, this.opts.builtinDir)) {
      const e = this.entries.get(d.name);
      if (e) e.discovered = d;
      else {
        this.entries.set(d.name, {
          discovered: d, status: 'loading', enabled: d.manifest.enabled ?? true, required: d.manifest.required === true,
          loadMs: null, loadedAt: null, chain: Promise.resolve(), knownRoutes: [],
        });
        if (this.opts.watch) this.watchDir(d.name, d.dir);
      }
    }
  }

  async enable(name: string): Promise<PluginStatus> {
    const e = this.entry(name);
    e.enabled = true;
    await this.persist(name);
    await this.load(name);
    return this.status(name);
  }

  async disable(name: string): Promise<PluginStatus> {
    const e = this.entry(name);
    if (e.required) throw conflict(`Plugin ${name} is required and cannot be disabled`, 'PLUGIN_REQUIRED');
    const run = async () => {
      e.enabled = false;
      e.status = 'disabled';
      const old = e.current;
      e.current = undefined;
      this.rebuild();
      await this.persist(name);
      if (old) await old.dispose({ waitForRequests: true });
    };
    const result = e.chain.then(run, run);
    e.chain = result.catch(() => {});
    await result;
    return this.status(name);
  }

  /** Mark a plugin as failed after an uncaught error from its timers or handlers. Its generation keeps serving. */
  chargeError(stack: string): string | undefined {
    const match = /\.plugin-cache[\\/]([a-z0-9-]+)-[0-9a-f]{16}\.mjs/.exec(stack);
    if (!match) return undefined;
    const e = this.entries.get(match[1]);
    if (!e) return undefined;
    e.status = 'error';
    e.error = `uncaught: ${stack.split('\n')[0]}`;
    pluginErrors.inc({ plugin: match[1] });
    return match[1];
  }

  private startWatching(): void {
    for (const [name, e] of this.entries) this.watchDir(name, e.discovered.dir);
  }

  private watchDir(name: string, dir: string): void {
    let timer: NodeJS.Timeout | undefined;
    try {
      const w = watch(dir, { recursive: true }, (_event, file) => {
        if (file && /(^|[\\/])(node_modules|\.git)([\\/]|$)|~$|\.swp$/.test(String(file))) return;
        clearTimeout(timer);
        timer = setTimeout(() => {
          const e = this.entries.get(name);
          if (e?.enabled && !this.closed) {
            this.log.info({ plugin: name }, 'plugin files changed: reloading');
            void this.load(name);
          }
        }, WATCH_DEBOUNCE_MS);
      });
      w.on('error', () => {});
      this.watchers.push(w);
    } catch (error) {
      this.log.warn({ plugin: name, error: String(error) }, 'cannot watch plugin folder');
    }
  }

  /** Unload everything in reverse order (shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.watchers) w.close();
    for (const gen of this.generations().reverse()) await gen.dispose({ waitForRequests: false });
  }
}
