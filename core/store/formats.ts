/**
 * How a collection's documents are kept on disk. Two formats behind one interface:
 *
 * - `JsonFormat` — the whole collection as one lowdb JSON file `{ schemaVersion, items: [...] }`, rewritten durably
 *   (temp file, fsync, rename, fsync of the folder) on every write. For small, rarely written collections.
 * - `LogFormat` (`log-format.ts`) — an append-only log, one record a line; a write appends the changed documents and
 *   fsyncs once, and the log is compacted (rewritten whole) when most of it is dead. For partitions that grow by
 *   appending (messages of a conversation, TBWO receipts).
 */
import type { ReadOptions, ReadResult } from './collection-file.ts';
import { readCollectionFile } from './collection-file.ts';
import { DurableJSONFile } from './durable-file.ts';
import { deepFreeze } from './freeze.ts';
import { rememberStoredJson, storedJson } from '../plugin-api/stored-json.ts';

/** The state a write must make durable. Items are frozen documents. */
export interface StoredState<T> {
  schemaVersion: number;
  items: readonly T[];
}

/** One change since the last write, for formats that append. */
export type Change = { put: object } | { del: string };

export interface CollectionFormat<T> {
  read(opts: ReadOptions): Promise<ReadResult<T>>;
  /** Make `state` durable; `changes` are the mutations since the last successful write. Returns the stored size. */
  write(state: StoredState<T>, changes: Change[]): Promise<number>;
  /** Remove every file of the collection. */
  remove(): Promise<void>;
}

/**
 * The JSON of a frozen stored document (computed once: a rewrite costs one stringify of what changed plus a join). The
 * texts are kept in the plugin API's table, so a plugin answering with stored documents reuses them.
 */
export const docJson: (doc: object) => string = storedJson;

/**
 * A frozen copy of `doc` through its JSON, which is remembered as its `docJson`: one stringify serves both the copy and
 * the write (a structured clone and then a stringify were two passes over every new message). The copy is what a
 * restart reads back, so memory and disk agree (`undefined` fields left out, as the file leaves them out).
 */
export function frozenJsonCopy<T extends object>(doc: T): T {
  const json = JSON.stringify(doc);
  const copy = deepFreeze(JSON.parse(json) as T);
  rememberStoredJson(copy, json);
  return copy;
}

/** The whole collection in one JSON file. */
export class JsonFormat<T extends { id: string }> implements CollectionFormat<T> {
  private readonly adapter: DurableJSONFile<unknown>;
  constructor(readonly file: string) {
    this.adapter = new DurableJSONFile(file);
  }

  read(opts: ReadOptions): Promise<ReadResult<T>> {
    return readCollectionFile<T>(this.adapter, opts);
  }

  async write(state: StoredState<T>): Promise<number> {
    const text = `{"schemaVersion":${state.schemaVersion},"items":[${state.items.map((d) => docJson(d)).join(',')}]}`;
    await this.adapter.writeText(text);
    return text.length;
  }

  async remove(): Promise<void> {
    const { rm } = await import('node:fs/promises');
    await rm(this.file, { force: true });
  }
}
