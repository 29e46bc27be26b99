/**
 * The full-text index of a user persisted next to their log (`<user>.fts.json`), written at a clean shutdown so the
 * next start loads it instead of re-indexing every memory. It is trusted only once: taken (read and deleted) at load,
 * and used only if the log has exactly the length it had when the index was written and the index holds exactly the
 * log's entries. A crash therefore never leaves a stale index behind; the next start just rebuilds.
 */
import { readFile, stat, unlink } from 'node:fs/promises';
import { writeFileDurable } from '../store/durable-file.ts';
import type { UserPartition } from './persistence.ts';
import type { TextIndex } from './text-index.ts';

const FORMAT = 1;

export function textIndexFile(partition: UserPartition): string {
  return partition.logFile.replace(/\.jsonl$/, '.fts.json');
}

async function logBytes(partition: UserPartition): Promise<number> {
  return stat(partition.logFile).then((s) => s.size, () => 0);
}

/** The persisted index's JSON if it matches the log as it is now, else null; the file is removed either way. */
export async function takePersistedText(partition: UserPartition): Promise<string | null> {
  const file = textIndexFile(partition);
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch {
    return null;
  }
  await unlink(file).catch(() => undefined);
  const newline = raw.indexOf('\n');
  if (newline < 0) return null;
  try {
    const header = JSON.parse(raw.slice(0, newline)) as { format?: number; logBytes?: number };
    if (header.format !== FORMAT || header.logBytes !== (await logBytes(partition))) return null;
  } catch {
    return null;
  }
  return raw.slice(newline + 1);
}

/** Write the index for the next start (after the partition's queue has drained). */
export async function persistText(partition: UserPartition, text: TextIndex): Promise<void> {
  if (text.isBuilding || text.size === 0) return;
  const header = JSON.stringify({ format: FORMAT, logBytes: await logBytes(partition) });
  await writeFileDurable(textIndexFile(partition), `${header}\n${await text.serialize()}`);
}

export async function dropPersistedText(partition: UserPartition): Promise<void> {
  await unlink(textIndexFile(partition)).catch(() => undefined);
}
