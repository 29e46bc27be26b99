/**
 * One loaded generation of one plugin and its ledger: everything its `setup(ctx)` registered. Unloading removes exactly
 * this, then runs its `onUnload`s in reverse order, each with a timeout.
 */
import type { Logger } from 'pino';
import type {
  ChannelDefinition,
  DoneHook,
  EmbedderDefinition,
  StatusFieldsHook,
  SystemContextHook,
  PluginContext,
  ProviderDefinition,
  ToolDefinition,
  User,
} from '../plugin-api/types.ts';
import type { RouteRecord } from '../http/route-table.ts';

export type ToolResultHook = (info: { user: User; name: string; ok: boolean; durationMs: number; error?: string; model: string }) => void;

export class Ledger {
  routes: RouteRecord[] = [];
  tools = new Map<string, ToolDefinition>();
  providers = new Map<string, ProviderDefinition>();
  embedders = new Map<string, EmbedderDefinition>();
  channels = new Map<string, ChannelDefinition>();
  toolResultHooks: ToolResultHook[] = [];
  doneHooks: DoneHook[] = [];
  systemContextHooks: SystemContextHook[] = [];
  statusHooks: StatusFieldsHook[] = [];
  unloads: Array<() => unknown> = [];
}

const UNLOAD_TIMEOUT_MS = 5_000;
const DRAIN_TIMEOUT_MS = 15_000;

export class Generation {
  readonly ledger = new Ledger();
  private inflight = 0;
  private drained: Array<() => void> = [];
  ctx!: PluginContext<any>;
  disposed = false;

  constructor(
    readonly plugin: string,
    readonly version: string,
    readonly description: string,
    readonly file: string | null,
    readonly log: Logger,
  ) {}

  /** Run `fn` counted as in flight on this generation. */
  async track<T>(fn: () => Promise<T>): Promise<T> {
    this.inflight++;
    try {
      return await fn();
    } finally {
      if (--this.inflight === 0) for (const r of this.drained.splice(0)) r();
    }
  }

  /** Wait until the requests that started on this generation have finished (bounded). */
  private drain(): Promise<void> {
    if (this.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, DRAIN_TIMEOUT_MS);
      this.drained.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Stop channels now (a bot must not poll twice), then let requests finish, then run `onUnload`s in reverse. */
  async dispose(options: { waitForRequests: boolean }): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.stopChannels();
    if (options.waitForRequests) await this.drain();
    for (const fn of [...this.ledger.unloads].reverse()) {
      await withTimeout(Promise.resolve().then(fn), UNLOAD_TIMEOUT_MS).catch((error) =>
        this.log.warn({ err: { message: String(error?.message ?? error) } }, 'onUnload failed or timed out'),
      );
    }
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

/** Reject after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, message = `timed out after ${ms} ms`): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
      timer.unref?.();
    }),
  ]);
}
