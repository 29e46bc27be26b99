/**
 * A fenced cache whose notices name a group of entries rather than one entry: the store's joined reads of one owner
 * (a conversation with its messages, the list with its counters) are all dropped by a notice naming that owner, since
 * any write of the owner's conversations or messages may change any of them.
 *
 * The rules are FencedCache's (fenced-cache.ts): answered only while the fence vouches that every notice committed
 * until a moment ago has been heard; a read overtaken by a notice of its group is handed to its caller but not kept;
 * entries are re-read after `maxAgeMs` even without a notice. Pure bookkeeping, no I/O.
 */
import type { FenceTrust } from './fenced-cache.ts';

interface Held<V> {
  value: V;
  at: number;
  bytes: number;
}

export interface FencedGroupsOptions {
  /** Entries kept over all groups; the group filled least recently goes first beyond it. */
  maxEntries: number;
  /** Their weight (as `load`'s caller weighs them) over all groups, bounded the same way. */
  maxBytes: number;
  maxAgeMs: number;
}

/** Groups forgotten are remembered (for reads in flight) up to this many, then summarised by a floor. */
const FORGOTTEN_KEPT = 4_096;

export class FencedGroups<V> {
  private readonly groups = new Map<string, Map<string, Held<V>>>();
  private entries = 0;
  private bytes = 0;
  /** Moves on with every forget and clear; a read remembers where it started. */
  private counter = 0;
  /** When each group was last forgotten (a counter value) — older ones pruned into `floor`. */
  private readonly forgottenAt = new Map<string, number>();
  /** Every group counts as forgotten at `floor` or later (after a clear, or once `forgottenAt` was pruned). */
  private floor = 0;

  constructor(private readonly trust: FenceTrust, private readonly options: FencedGroupsOptions) {}

  /** The held value when the fence vouches for it (and it is young enough), else undefined. */
  get(group: string, key: string): V | undefined {
    const entries = this.groups.get(group);
    const held = entries?.get(key);
    if (!held || !this.trust.trusted()) return undefined;
    if (performance.now() - held.at > this.options.maxAgeMs) {
      entries!.delete(key);
      this.entries--;
      this.bytes -= held.bytes;
      return undefined;
    }
    return held.value;
  }

  /**
   * Read through: the held value when vouched for, else `read()`, kept only if no notice of the group overtook it —
   * and only if `weigh` (bytes, default 0) finds it small enough: an entry over a quarter of `maxBytes` is not kept.
   */
  async load(group: string, key: string, read: () => Promise<V | undefined>, weigh: (value: V) => number = () => 0): Promise<V | undefined> {
    const hit = this.get(group, key);
    if (hit !== undefined) return hit;
    const startedAt = this.counter;
    const readAt = performance.now();
    // Kept only when trusted from start to end: a read begun before trust may predate a change nobody announced.
    const trustedAtStart = this.trust.trusted();
    const value = await read();
    if (value !== undefined && trustedAtStart && this.trust.trusted() && this.lastForgotten(group) <= startedAt) {
      const bytes = weigh(value);
      if (bytes <= this.options.maxBytes / 4) this.keep(group, key, { value, at: readAt, bytes });
    }
    return value;
  }

  /** A notice for `group` (or this instance changed it): none of its entries is answered again. */
  forget(group: string): void {
    this.counter++;
    this.drop(group);
    this.forgottenAt.delete(group);
    this.forgottenAt.set(group, this.counter);
    if (this.forgottenAt.size > FORGOTTEN_KEPT) {
      // Summarise: reads that started before now count as overtaken for every group (safe, and rare).
      this.floor = this.counter;
      this.forgottenAt.clear();
    }
  }

  /** Notices may have been missed: drop everything, and keep no read that started before. */
  clear(): void {
    this.counter++;
    this.floor = this.counter;
    this.forgottenAt.clear();
    this.groups.clear();
    this.entries = 0;
    this.bytes = 0;
  }

  get size(): number {
    return this.entries;
  }

  /** The weight of what is held. */
  get weight(): number {
    return this.bytes;
  }

  private lastForgotten(group: string): number {
    return Math.max(this.floor, this.forgottenAt.get(group) ?? 0);
  }

  private drop(group: string): void {
    const held = this.groups.get(group);
    if (!held) return;
    this.entries -= held.size;
    for (const h of held.values()) this.bytes -= h.bytes;
    this.groups.delete(group);
  }

  private keep(group: string, key: string, entry: Held<V>): void {
    let held = this.groups.get(group);
    if (held) this.groups.delete(group); // re-inserted below: most recently filled last
    else held = new Map();
    this.groups.set(group, held);
    const replaced = held.get(key);
    if (replaced) this.bytes -= replaced.bytes;
    else this.entries++;
    held.set(key, entry);
    this.bytes += entry.bytes;
    while (this.entries > this.options.maxEntries || this.bytes > this.options.maxBytes) {
      const oldest = this.groups.keys().next().value!;
      this.drop(oldest);
    }
  }
}
