/**
 * Watches every plugin root with chokidar (atomic saves, saves by rename, new and removed folders; polling when
 * `PLUGINS_WATCH_POLL=1`, for network and container file systems) and reports, debounced per folder, which plugin
 * folder changed. The host decides what a change means (load, reload, unload).
 */
import path from 'node:path';
import type { FSWatcher } from 'chokidar';

export const WATCH_DEBOUNCE_MS = 200;

export interface PluginWatcherOptions {
  roots: string[];
  poll: boolean;
  /** Called once per burst of changes in one plugin folder (`root/folder`). */
  onChange(root: string, folder: string): void;
  onError?(error: unknown): void;
}

/** Editor droppings and folders no plugin change happens in. */
export function ignoredPath(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  if (!rel || rel.startsWith('..')) return false;
  const parts = rel.split(path.sep);
  const base = parts[parts.length - 1];
  return (
    parts.some((p) => p === 'node_modules' || p === '.git' || (p.startsWith('.') && p.length > 1)) ||
    base.endsWith('~') || /\.(swp|swx|tmp)$/.test(base) || base === '4913'
  );
}

/** The plugin folder a changed path belongs to: its first segment below the root. */
export function folderOf(root: string, file: string): string | undefined {
  const rel = path.relative(root, file);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep)[0];
}

export class PluginWatcher {
  private watcher: FSWatcher | undefined;
  private timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly opts: PluginWatcherOptions) {}

  /**
   * Resolves once the initial scan is done, so a change right after start is seen. chokidar is imported here, not at
   * the top: with `PLUGINS_WATCH=0` (the container default) the host does not need it (issue #16; mcp-client still
   * watches its config file with it).
   */
  async start(): Promise<void> {
    const roots = this.opts.roots.map((r) => path.resolve(r));
    const { watch } = await import('chokidar');
    this.watcher = watch(roots, {
      ignoreInitial: true,
      depth: 8,
      usePolling: this.opts.poll,
      interval: 250,
      binaryInterval: 500,
      ignored: (file: string) => roots.some((r) => ignoredPath(r, file)),
    });
    this.watcher.on('all', (_event, file) => this.changed(roots, file));
    this.watcher.on('error', (error) => this.opts.onError?.(error));
    return new Promise((resolve) => this.watcher!.once('ready', () => resolve()));
  }

  private changed(roots: string[], file: string): void {
    const root = roots.filter((r) => folderOf(r, file) !== undefined).sort((a, b) => b.length - a.length)[0];
    if (!root) return;
    const folder = folderOf(root, file)!;
    const key = path.join(root, folder);
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      this.opts.onChange(root, folder);
    }, WATCH_DEBOUNCE_MS));
  }

  async close(): Promise<void> {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await this.watcher?.close();
  }
}
