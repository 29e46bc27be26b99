/**
 * The plugin host: discover → build → set up into a staging generation → swap atomically → dispose the old one once
 * its calls have ended. A failed build or setup leaves the old generation serving, exactly as it was, and marks the
 * plugin `error`. Routes of all plugins are composed into one router that is rebuilt on every swap (built-ins first:
 * on a clash the built-in wins and the clash is logged); in-flight requests keep the router they started with.
 */
import path from 'node:path';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import type { Collection, PluginDefinition, PluginStatus } from '../plugin-api/types.ts';
import { conflict, notFound } from '../errors.ts';
import { composeRouter, type HttpMethod, type RouteRecord, type RouteServices } from '../http/route-table.ts';
import type { Store } from '../store/store.ts';
import { bundlePlugin, publishPluginApi, pruneBundles } from './bundle.ts';
import { PluginLoadError } from './error-location.ts';
import { discoverPlugins, readPluginFolder, type DiscoveredPlugin } from './discover.ts';
import type { Generation } from './generation.ts';
import { loadGeneration, type LoadEnvironment } from './load-generation.ts';
import { statusOf, type Entry, type PluginStateDoc } from './entry.ts';
import { PluginWatcher } from './watcher.ts';
import { SerialQueue } from '../plugin-api/serial.ts';
import { pluginErrors, recordPluginLoad } from '../metrics/index.ts';

export const DEFAULT_SETUP_TIMEOUT_MS = 10_000;

/** What a plugin's stored state says, as one comparable string. */
const stateKey = (enabled: boolean, routes: PluginStateDoc['routes']): string => JSON.stringify([enabled, routes.map((r) => [r.method, r.path])]);

/** Builds the `ctx` for a new generation (core services live behind it). */
export type ContextFactory = (gen: Generation, settingsSchema: PluginDefinition['settings']) => Generation['ctx'];

export interface PluginHostOptions {
  dirs: string[];
  builtinDir: string;
  dataDir: string;
  watch: boolean;
  /** Poll the file system instead of native events (network and container file systems). */
  watchPoll?: boolean;
  prebuiltDir?: string;
  setupTimeoutMs?: number;
}

export class PluginHost {
  private entries = new Map<string, Entry>();
  private dispatcher: Middleware = async (_ctx, next) => next();
  private watcher: PluginWatcher | undefined;
  private state: Collection<PluginStateDoc>;
  private readonly cacheDir: string;
  private env!: LoadEnvironment;
  private closed = false;
  private loggedClashes = new Set<string>();
  /** During start every plugin loads once: rebuild the router and registries once at the end, not per plugin. */
  private starting = false;
  /** Plugins whose state to save once every plugin has loaded (see `start`). */
  private startupPersists: string[] = [];
  /** Each plugin's state as last read from or written to the store: a start that changes nothing writes nothing. */
  private persisted = new Map<string, string>();
  /** Called after every swap so registries (tools, providers) can be rebuilt. */
  onChange: () => void = () => {};
  /** Called when a generation is swapped in, before the router is rebuilt (registers its settings schema and listeners). */
  onActivate: (gen: Generation) => void = () => {};

  constructor(
    private readonly opts: PluginHostOptions,
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
    const apiNames = await publishPluginApi();
    const api = (globalThis as any)[Symbol.for('aion.plugin-api')] as Record<string, unknown>;
    const apiValues = Object.fromEntries(apiNames.filter((n) => typeof api[n] !== 'function').map((n) => [n, api[n]]));
    this.env = {
      cacheDir: this.cacheDir,
      prebuiltDirs: (d) => (d.builtin && this.opts.prebuiltDir ? [this.opts.prebuiltDir] : []),
      apiNames,
      apiValues,
      setupTimeoutMs: this.opts.setupTimeoutMs ?? DEFAULT_SETUP_TIMEOUT_MS,
      log: this.log,
      makeContext: this.makeContext,
    };
    const saved = new Map((await this.state.all()).map((d) => [d.id, d]));
    for (const d of await discoverPlugins(this.opts.dirs, this.opts.builtinDir)) this.addEntry(d, saved.get(d.name));
    // Build in parallel (esbuild is fast and off the main thread), set up in discovery order.
    const builds = new Map<string, ReturnType<typeof bundlePlugin>>();
    for (const [name, e] of this.entries) {
      if (e.enabled && !e.discovered.manifestError) {
        const p = bundlePlugin(name, e.discovered.entry, this.cacheDir, apiNames, this.env.prebuiltDirs(e.discovered));
        p.catch(() => {});
        builds.set(name, p);
      }
    }
    this.starting = true;
    try {
      for (const [name, e] of this.entries) {
        if (!e.enabled) e.status = 'disabled';
        else await this.load(name, builds.get(name));
      }
    } finally {
      this.starting = false;
    }
    // Saved together, after the loads: the store folds puts of one moment into one durable write. Saved as each plugin
    // loaded, a fresh data folder took three writes of plugins.json (fsyncs and a rename each), two of them in flight
    // while later plugins set up (issue #16).
    await Promise.all(this.startupPersists.splice(0).map((name) => this.persist(name)));
    this.rebuild();
    if (this.opts.watch) await this.startWatching();
  }

  private addEntry(d: DiscoveredPlugin, saved?: PluginStateDoc): Entry {
    if (d.ignored.length) this.log.warn({ plugin: d.name, ignored: d.ignored }, 'a plugin outside the built-in folder cannot declare itself required or builtin; ignored');
    const required = d.builtin && d.manifest.required === true;
    const e: Entry = {
      discovered: d, status: 'loading', enabled: required || (saved?.enabled ?? d.manifest.enabled ?? true), required,
      loadMs: null, loadedAt: null, chain: new SerialQueue(), knownRoutes: saved?.routes ?? [],
    };
    this.entries.set(d.name, e);
    if (saved) this.persisted.set(d.name, stateKey(saved.enabled, saved.routes));
    return e;
  }

  private entry(name: string): Entry {
    const e = this.entries.get(name);
    if (!e) throw notFound(`Unknown plugin: ${name}`, 'PLUGIN_NOT_FOUND');
    return e;
  }

  /** Run `fn` after the plugin's earlier loads and unloads (one at a time per plugin). */
  private serialise(e: Entry, fn: () => Promise<void>): Promise<void> {
    return e.chain.run(fn);
  }

  /** Load (or reload) one plugin. Never throws: failures are recorded on the entry, the old generation keeps serving. */
  private load(name: string, prebuilt?: ReturnType<typeof bundlePlugin>): Promise<void> {
    const e = this.entry(name);
    return this.serialise(e, async () => {
      if (this.closed || this.entries.get(name) !== e) return;
      const started = performance.now();
      e.status = 'loading';
      let gen: Generation;
      try {
        const loaded = await loadGeneration(e.discovered, this.env, prebuilt);
        gen = loaded.gen;
        // `required` in the definition counts only for built-ins, as in plugin.json.
        if (loaded.def.required && e.discovered.builtin) e.required = true;
        else if (loaded.def.required) this.log.warn({ plugin: name }, 'a plugin outside the built-in folder cannot declare itself required; ignored');
      } catch (error: any) {
        e.status = 'error';
        e.error = String(error?.message ?? error);
        e.errorLocation = error instanceof PluginLoadError ? error.location : undefined;
        recordPluginLoad(name, false);
        this.log.error({ plugin: name, error: e.error }, 'plugin failed to load; the previous generation (if any) keeps serving');
        return;
      }
      await this.swap(e, gen, started);
    });
  }

  private async swap(e: Entry, gen: Generation, started: number): Promise<void> {
    const name = gen.plugin;
    const old = e.current;
    e.current = gen;
    recordPluginLoad(name, true);
    Object.assign(e, { status: 'loaded', error: undefined, errorLocation: undefined, loadedAt: Date.now() });
    e.loadMs = Math.round((performance.now() - started) * 10) / 10;
    e.knownRoutes = gen.ledger.routes.map((r) => ({ method: r.method, path: r.path }));
    this.onActivate(gen);
    if (!this.starting) {
      this.rebuild();
      await this.persist(name);
    } else this.startupPersists.push(name); // saved at the end of start, all in one write
    if (gen.file?.startsWith(this.cacheDir)) void pruneBundles(this.cacheDir, name, gen.file.replace(/\?.*$/, ''));
    // The bot of the old generation must stop before the new one starts (one poller per token).
    if (old) await old.stopChannels();
    await gen.startChannels();
    if (old) void old.dispose({ waitForRequests: true });
  }

  /**
   * Save a plugin's state, unless the store already holds exactly it: every start loads every plugin, and rewriting
   * unchanged states cost a restart two durable writes (fsyncs) before it could listen (issue #16).
   */
  private async persist(name: string): Promise<void> {
    const e = this.entries.get(name);
    if (!e) return;
    const key = stateKey(e.enabled, e.knownRoutes);
    if (this.persisted.get(name) === key) return;
    await this.state.put({ id: name, enabled: e.enabled, routes: e.knownRoutes });
    this.persisted.set(name, key);
  }

  /** Rebuild the router and registries from the current generations. */
  private rebuild(): void {
    const records: RouteRecord[] = [];
    const owner = new Map<string, string>();
    const disabled: Array<{ plugin: string; method: HttpMethod; path: string }> = [];
    for (const g of this.generations()) {
      for (const r of g.ledger.routes) {
        const key = `${r.method.toUpperCase()} ${r.path}`;
        const taken = owner.get(key);
        if (taken && taken !== g.plugin) {
          this.logClash(`route ${key}`, g.plugin, taken);
          continue;
        }
        owner.set(key, g.plugin);
        records.push(r);
      }
    }
    for (const [name, e] of this.entries) if (!e.enabled) for (const r of e.knownRoutes) disabled.push({ plugin: name, ...r });
    this.dispatcher = composeRouter(records, { ...this.routeServices, track: (_plugin, run) => run() }, disabled);
    this.onChange();
  }

  /** Log a name clash once (tools, providers and routes: the first — built-in — owner keeps it). */
  logClash(what: string, plugin: string, owner: string): void {
    const key = `${what}|${plugin}|${owner}`;
    if (this.loggedClashes.has(key)) return;
    this.loggedClashes.add(key);
    this.log.warn({ plugin, owner, what }, `${what} of plugin ${plugin} is already taken by ${owner}; ignored`);
  }

  /** Live generations of enabled plugins: built-ins first, then in load order. */
  generations(): Generation[] {
    const live = [...this.entries.values()].filter((e) => e.enabled && e.current);
    return [...live.filter((e) => e.discovered.builtin), ...live.filter((e) => !e.discovered.builtin)].map((e) => e.current!);
  }

  /** Every route record (for the OpenAPI document). */
  routes(): RouteRecord[] {
    return this.generations().flatMap((g) => g.ledger.routes);
  }

  list(): PluginStatus[] {
    return [...this.entries.entries()].map(([name, e]) => statusOf(name, e));
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

  /** Pick up plugin folders added since start and forget those whose folder is gone. */
  private async rediscover(): Promise<void> {
    const found = await discoverPlugins(this.opts.dirs, this.opts.builtinDir);
    const names = new Set(found.map((d) => d.name));
    for (const [name] of [...this.entries]) if (!names.has(name)) await this.remove(name);
    for (const d of found) {
      const e = this.entries.get(d.name);
      if (e) e.discovered = d;
      else this.addEntry(d, await this.state.get(d.name));
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
    await this.serialise(e, async () => {
      e.enabled = false;
      e.status = 'disabled';
      const old = e.current;
      e.current = undefined;
      this.rebuild();
      await this.persist(name);
      if (old) await old.dispose({ waitForRequests: true });
    });
    return this.status(name);
  }

  /** A plugin folder was removed: unload it and forget it (its routes simply stop existing). */
  private async remove(name: string): Promise<void> {
    const e = this.entries.get(name);
    if (!e) return;
    await this.serialise(e, async () => {
      this.entries.delete(name);
      const old = e.current;
      e.current = undefined;
      this.rebuild();
      this.log.info({ plugin: name }, 'plugin folder removed: unloaded');
      if (old) await old.dispose({ waitForRequests: true });
    });
  }

  /** Mark a plugin as failed after an uncaught error from its timers or handlers. Its generation keeps serving. */
  chargeError(stack: string): string | undefined {
    const match = /\.plugin-cache[\\/]([a-z0-9-]+)-[0-9a-f]{16}\.mjs/.exec(stack);
    const e = match ? this.entries.get(match[1]) : undefined;
    if (!e) return undefined;
    e.status = 'error';
    e.error = `uncaught: ${stack.split('\n')[0]}`;
    pluginErrors.inc({ plugin: match![1] });
    return match![1];
  }

  private async startWatching(): Promise<void> {
    this.watcher = new PluginWatcher({
      roots: this.opts.dirs,
      poll: this.opts.watchPoll === true,
      onChange: (root, folder) => void this.folderChanged(root, folder).catch((error) =>
        this.log.error({ folder, error: String(error?.message ?? error) }, 'handling a plugin folder change failed')),
      onError: (error) => this.log.warn({ error: String((error as Error)?.message ?? error) }, 'plugin watcher error'),
    });
    await this.watcher.start();
  }

  /** A change in `root/folder`: load a new plugin, reload a changed one, unload a removed one. */
  private async folderChanged(root: string, folder: string): Promise<void> {
    if (this.closed) return;
    const dir = path.join(root, folder);
    const d = await readPluginFolder(dir, root, this.opts.builtinDir);
    const known = [...this.entries.values()].find((e) => path.resolve(e.discovered.dir) === path.resolve(dir));
    if (known && (!d || d.name !== known.discovered.name)) await this.remove(known.discovered.name);
    if (!d) return;
    const e = this.entries.get(d.name);
    if (e && path.resolve(e.discovered.dir) !== path.resolve(dir)) {
      return this.log.warn({ plugin: d.name, dir }, 'a plugin of this name is already loaded from another folder; ignored');
    }
    const entry = e ?? this.addEntry(d, await this.state.get(d.name));
    entry.discovered = d;
    if (!entry.enabled) return;
    this.log.info({ plugin: d.name }, e ? 'plugin files changed: reloading' : 'new plugin folder: loading');
    await this.load(d.name);
  }

  /** Unload everything in reverse order (shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    await this.watcher?.close();
    for (const gen of this.generations().reverse()) await gen.dispose({ waitForRequests: false });
  }
}
