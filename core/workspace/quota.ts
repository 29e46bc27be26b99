/**
 * Workspace disk quota: how much a workspace holds (allocated blocks, like `du`, links not followed), cached per
 * workspace for a short while and adjusted by the writes made through the API, recounted after every code run.
 * Writes through the API that would pass the quota get 413 `QUOTA_EXCEEDED`; executed code gets RLIMIT_FSIZE at the
 * room left, is recounted every second while it runs (and stopped past the quota) and once after; a workspace left
 * over the quota refuses API writes until files go.
 */
import { lstat, opendir } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.ts';

/** Entries counted at most (a pathological tree is then reported as at least this big). */
const MAX_ENTRIES = 1_000_000;
/** How long a count is trusted (API writes adjust it meanwhile; code runs recount). */
const TTL_MS = 60_000;
/** Workspaces whose count is kept. */
const MAX_CACHED = 1000;
const BLOCK = 4096;

/** Bytes a file of `size` bytes takes on disk, roughly (whole blocks). */
export const allocated = (size: number) => Math.ceil(size / BLOCK) * BLOCK;

/** Allocated bytes below `root` (dirs included, symlinks not followed). */
export async function diskUsage(root: string): Promise<number> {
  let total = 0;
  let entries = 0;
  const pending = [root];
  while (pending.length && entries < MAX_ENTRIES) {
    const dir = pending.pop()!;
    const handle = await opendir(dir).catch(() => undefined);
    if (!handle) continue;
    for await (const entry of handle) {
      if (++entries > MAX_ENTRIES) break;
      const abs = path.join(dir, entry.name);
      const st = await lstat(abs).catch(() => undefined);
      if (!st) continue;
      total += st.blocks !== undefined ? st.blocks * 512 : allocated(st.size);
      if (st.isDirectory()) pending.push(abs);
    }
  }
  return total;
}

const mb = (bytes: number) => Math.ceil(bytes / 1024 / 1024);

export const quotaExceeded = (used: number, quota: number) =>
  new AppError(413, 'QUOTA_EXCEEDED', `Workspace disk quota exceeded (${mb(used)} MB of ${mb(quota)} MB); remove files first`, undefined, undefined, {
    usedBytes: used,
    quotaBytes: quota,
  });

/** Cached per-workspace usage. */
export class WorkspaceUsage {
  private readonly cache = new Map<string, { bytes: number; at: number }>();

  async bytes(root: string): Promise<number> {
    const hit = this.cache.get(root);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.bytes;
    return this.recount(root);
  }

  async recount(root: string): Promise<number> {
    const bytes = await diskUsage(root);
    this.cache.delete(root);
    this.cache.set(root, { bytes, at: Date.now() });
    if (this.cache.size > MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
    return bytes;
  }

  /** A write through the API changed the workspace by `delta` bytes. */
  adjust(root: string, delta: number): void {
    const hit = this.cache.get(root);
    if (hit) hit.bytes = Math.max(0, hit.bytes + delta);
  }

  /**
   * Throws 413 `QUOTA_EXCEEDED` when replacing `oldBytes` (allocated) by a `newSize`-byte file would pass `quota`;
   * returns the change to record. Shrinking a file is always allowed.
   */
  async admit(root: string, quota: number, oldBytes: number, newSize: number): Promise<number> {
    const delta = allocated(newSize) - oldBytes;
    if (quota <= 0 || delta <= 0) return delta;
    const used = await this.bytes(root);
    if (used + delta > quota) throw quotaExceeded(used + delta, quota);
    return delta;
  }
}

/** How often a running execution's workspace is recounted. */
export const WATCH_INTERVAL_MS = 1000;

/**
 * Recounts `root` every second while code runs and calls `onOver` once it passes `quota` — the bound for a run that
 * writes many files, each under RLIMIT_FSIZE. Returns the stop function. One count at a time: a slow count of a big
 * workspace delays the next instead of piling up.
 */
export function watchQuota(usage: WorkspaceUsage, root: string, quota: number, onOver: () => void): () => void {
  if (quota <= 0) return () => {};
  let busy = false;
  let stopped = false;
  const timer = setInterval(async () => {
    if (busy || stopped) return;
    busy = true;
    try {
      if ((await usage.recount(root)) > quota && !stopped) {
        stopped = true;
        onOver();
      }
    } finally {
      busy = false;
    }
  }, WATCH_INTERVAL_MS);
  timer.unref?.();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
