/**
 * One loaded generation of one plugin and its ledger: everything its `setup(ctx)` registered. Nothing in the ledger
 * touches the host until the host swaps the generation in; unloading removes exactly this, then runs its `onUnload`s
 * in reverse order, each with a timeout.
 *
 * Every entry into the plugin's code (routes, tool runs, provider streams, hooks, channel notifications, timers) goes
 * through `enter`/`acquire`, so a replaced generation is disposed only once nothing runs on it any more (or after a
 * bound). A call that arrives after disposal began gets a coded `PLUGIN_RETIRED` error.
 */
import type { Logger } from 'pino';
import type { ZodType } from 'zod';
import type {
  ChannelDefinition,
  DoneHook,
  TurnErrorHook,
  StatusFieldsHook,
  SystemContextHook,
  EmbedderDefinition,
  PluginContext,
  ProviderDefinition,
  ToolDefinition,
  User,
} from '../plugin-api/types.ts';
import type { RouteRecord } from '../http/route-table.ts';
import { AppError } from '../errors.ts';
import { withTimeout } from './with-timeout.ts';
import { NO_CAPABILITIES, type PluginCapabilities } from './manifest.ts';

export { withTimeout };

export type ToolResultHook = (info: { user: User; name: string; ok: boolean; durationMs: number; error?: string; model: string }) => void;

export class Ledger {
  routes: RouteRecord[] = [];
  tools = new Map<string, ToolDefinition>();
  providers = new Map<string, ProviderDefinition>();
  embedders = new Map<string, EmbedderDefinition>();
  channels = new Map<string, ChannelDefinition>();
  services = new Map<string, unknown>();
  toolResultHooks: ToolResultHook[] = [];
  doneHooks: DoneHook[] = [];
  turnErrorHooks: TurnErrorHook[] = [];
  systemContextHooks: SystemContextHook[] = [];
  statusHooks: StatusFieldsHook[] = [];
  /** The settings schema, registered with the settings service only at swap. */
  settingsSchema: ZodType<any> | undefined;
  settingsListeners: Array<(settings: any) => void> = [];
  stats = new Map<string, () => number | Promise<number>>();
  unloads: Array<() => unknown> = [];
}

const UNLOAD_TIMEOUT_MS = 5_000;
const DRAIN_TIMEOUT_MS = 15_000;

/** The error a call gets when it reaches a generation that is being (or was) unloaded. */
export function pluginRetired(plugin: string): AppError {
  return new AppError(503, 'PLUGIN_RETIRED', `Plugin ${plugin} was reloaded or unloaded while this call was on its way; try again`);
}

export class Generation {
  readonly ledger = new Ledger();
  private inflight = 0;
  private drained: Array<() => void> = [];
  private timers = new Set<NodeJS.Timeout>();
  ctx!: PluginContext<any>;
  /** Set once disposal begins: no new call may enter. */
  retired = false;
  private disposing: Promise<void> | undefined;

  constructor(
    readonly plugin: string,
    readonly version: string,
    readonly description: string,
    readonly file: string | null,
    readonly log: Logger,
    readonly capabilities: PluginCapabilities = NO_CAPABILITIES,
  ) {}

  /** Calls running on this generation right now. */
  get inFlight(): number {
    return this.inflight;
  }

  /** Count one call as in flight; the returned function ends it (idempotent). Throws `PLUGIN_RETIRED` when retired. */
  acquire(): () => void {
    if (this.retired) throw pluginRetired(this.plugin);
    this.inflight++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.inflight === 0) for (const r of this.drained.splice(0)) r();
    };
  }

  /** Run `fn` counted as in flight on this generation (sync or async). */
  enter<T>(fn: () => T | Promise<T>): Promise<T> {
    return this.enterWith(callIt<T>, fn, undefined);
  }

  /**
   * `enter` for a route handler's call, `fn(a, b)`, counted the same way but without the closure around the call and
   * the release function `enter` makes: this runs on every plugin route request (issue #16: the authenticated GET's
   * profile). Retired → `PLUGIN_RETIRED`, as a rejection like `enter`'s.
   */
  async enterWith<A, B, T>(fn: (a: A, b: B) => T | Promise<T>, a: A, b: B): Promise<T> {
    if (this.retired) throw pluginRetired(this.plugin);
    this.inflight++;
    try {
      return await fn(a, b);
    } finally {
      if (--this.inflight === 0) for (const r of this.drained.splice(0)) r();
    }
  }

  /** Kept for the route table: the same as `enter`. */
  track<T>(fn: () => Promise<T>): Promise<T> {
    return this.enter(fn);
  }

  /**
   * Wrap an async iterable so the generation counts it in flight from the first pull until it ends or is abandoned.
   * A plain iterator rather than an async generator: every event of every provider stream passes here, and a
   * generator's `yield*` costs several promise hops per event where this costs none (issue #16).
   */
  stream<T>(make: () => AsyncIterable<T>): AsyncIterable<T> {
    return { [Symbol.asyncIterator]: () => countedIterator(this, make) };
  }

  /** A timer started through `ctx.timers`: its callback runs tracked, and it is cleared when the generation retires. */
  timer(kind: 'timeout' | 'interval', fn: () => unknown, ms: number): NodeJS.Timeout {
    if (this.retired) throw pluginRetired(this.plugin);
    const run = () => {
      if (kind === 'timeout') this.timers.delete(handle);
      if (this.retired) return;
      this.enter(fn).catch((error) => this.log.error({ err: { message: String(error?.message ?? error) } }, 'plugin timer failed'));
    };
    const handle = kind === 'timeout' ? setTimeout(run, ms) : setInterval(run, ms);
    handle.unref?.();
    this.timers.add(handle);
    return handle;
  }

  clearTimer(handle: NodeJS.Timeout | undefined): void {
    if (!handle || !this.timers.delete(handle)) return;
    clearTimeout(handle);
    clearInterval(handle);
  }

  /** Wait until the calls that started on this generation have finished (bounded). */
  private drain(): Promise<void> {
    if (this.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.log.warn({ inFlight: this.inflight }, 'calls still running on a replaced plugin generation after the drain timeout; unloading anyway');
        resolve();
      }, DRAIN_TIMEOUT_MS);
      this.drained.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * Stop channels now (a bot must not poll twice), let calls in flight finish, then retire the generation and run its
   * `onUnload`s in reverse order. Idempotent.
   */
  dispose(options: { waitForRequests: boolean }): Promise<void> {
    this.disposing ??= (async () => {
      await this.stopChannels();
      if (options.waitForRequests) await this.drain();
      this.retired = true;
      for (const t of this.timers) clearTimeout(t), clearInterval(t);
      this.timers.clear();
      for (const fn of [...this.ledger.unloads].reverse()) {
        await withTimeout(Promise.resolve().then(fn), UNLOAD_TIMEOUT_MS).catch((error) =>
          this.log.warn({ err: { message: String(error?.message ?? error) } }, 'onUnload failed or timed out'),
        );
      }
    })();
    return this.disposing;
  }

  get disposed(): boolean {
    return this.disposing !== undefined;
  }

  async startChannels(): Promise<void> {
    for (const ch of this.ledger.channels.values()) {
      await withTimeout(Promise.resolve().then(() => ch.start()), 15_000).catch((error) =>
        this.log.error({ err: { message: String(error?.message ?? error) }, channel: ch.id }, 'channel failed to start'),
      );
    }
  }

  async stopChannels(): Promise<void> {
    for (const ch of this.ledger.channels.values()) {
      await withTimeout(Promise.resolve().then(() => ch.stop()), UNLOAD_TIMEOUT_MS).catch((error) =>
        this.log.warn({ err: { message: String(error?.message ?? error) }, channel: ch.id }, 'channel failed to stop'),
      );
    }
  }
}

/** The iterator of `Generation.stream`: acquired on the first pull, released once the inner one ends, fails or is left. */
function countedIterator<T>(gen: Generation, make: () => AsyncIterable<T>): AsyncIterator<T> {
  let inner: AsyncIterator<T> | undefined;
  let release: (() => void) | undefined;
  let over = false;
  const end = () => {
    over = true;
    release?.();
  };
  const settle = (step: IteratorResult<T>) => {
    if (step.done) end();
    return step;
  };
  const fail = (error: unknown): never => {
    end();
    throw error;
  };
  return {
    next: () => {
      if (over) return Promise.resolve({ done: true, value: undefined });
      if (!inner) {
        try {
          release = gen.acquire();
          inner = make()[Symbol.asyncIterator]();
        } catch (error) {
          end();
          return Promise.reject(error);
        }
      }
      return inner.next().then(settle, fail);
    },
    return: async (value?: unknown) => {
      try {
        if (!over && inner?.return) await inner.return(value);
      } finally {
        end();
      }
      return { done: true, value: undefined };
    },
  };
}

/** `enter`'s call through `enterWith`: the one place that counts a call in flight. */
function callIt<T>(fn: () => T | Promise<T>): T | Promise<T> {
  return fn();
}
