/**
 * Reading one collection file: parse, check its shape, and handle damage — move the file aside unchanged and log it;
 * a plain collection keeps (and writes back) its well-formed documents, a critical one keeps nothing (the server
 * refuses to start on it). A critical file that is missing while a damaged copy lies beside it is still damage: the
 * copy was never restored.
 */
import { readdir, rename } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { asidePath, checkShape, isAsideOf } from './damage.ts';
import type { DurableJSONFile } from './durable-file.ts';

/** What a load found wrong with a file, kept for the start-up check and the log. */
export interface DamageReport {
  collection: string;
  file: string;
  /** Where this load moved the damaged bytes; undefined when an earlier start did (`asideCopies` lists those). */
  movedTo?: string;
  problems: string[];
  asideCopies: string[];
}

export interface ReadResult<T> {
  schemaVersion: number;
  items: T[];
  /** Length of the file's JSON (the cache's measure of size). */
  bytes: number;
  damage?: DamageReport;
}

export interface ReadOptions {
  collection: string;
  critical: boolean;
  isValid?: (doc: unknown) => boolean;
  log: Logger;
}

export async function readCollectionFile<T extends { id: string }>(adapter: DurableJSONFile<unknown>, opts: ReadOptions): Promise<ReadResult<T>> {
  const file = adapter.file;
  const text = await adapter.readText();
  if (text === null) {
    const damage = opts.critical ? await unresolvedDamage(file, opts.collection) : undefined;
    return { schemaVersion: 0, items: [], bytes: 0, damage };
  }
  let check: ReturnType<typeof checkShape<T>>;
  try {
    check = checkShape<T>(JSON.parse(text), opts.isValid);
  } catch (error) {
    check = { items: [], schemaVersion: undefined, problems: [`not valid JSON (${(error as Error).message})`] };
  }
  const result: ReadResult<T> = { schemaVersion: check.schemaVersion ?? 0, items: check.items, bytes: text.length };
  if (!check.problems.length) return result;

  const movedTo = asidePath(file);
  await rename(file, movedTo);
  result.damage = { collection: opts.collection, file, movedTo, problems: check.problems, asideCopies: [movedTo] };
  opts.log.error({ file, movedTo, problems: check.problems.slice(0, 10) }, 'store file is damaged: moved aside');
  if (opts.critical) return { ...result, items: [], bytes: 0 };
  opts.log.warn({ file, kept: result.items.length }, 'store: keeping the well-formed documents of the damaged file');
  const repaired = JSON.stringify({ schemaVersion: result.schemaVersion, items: result.items });
  await adapter.writeText(repaired);
  return { ...result, bytes: repaired.length };
}

async function unresolvedDamage(file: string, collection: string): Promise<DamageReport | undefined> {
  const dir = path.dirname(file);
  const names = await readdir(dir).catch(() => [] as string[]);
  const asideCopies = names.filter((n) => isAsideOf(file, n)).sort().map((n) => path.join(dir, n));
  if (!asideCopies.length) return undefined;
  return { collection, file, problems: ['the file is missing and an earlier damaged copy was never restored'], asideCopies };
}
