/** Shared setup for the memory store tests: a temp data dir and a silent logger. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { MemoryStore, type MemoryStoreOptions } from '../../core/memory/index.ts';

export const silentLog = pino({ level: 'silent' });

/** A fresh temp folder; removed by the returned cleanup. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'aion-memory-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Open a loaded store on `dir`. */
export async function openStore(dir: string, extra: Partial<MemoryStoreOptions> = {}): Promise<MemoryStore> {
  const store = new MemoryStore({ dataDir: dir, log: silentLog, ...extra });
  await store.load();
  await store.whenIndexed();
  return store;
}
