/**
 * The full-text index of a user persisted next to their log (`<user>.fts`: a header line, then the index's binary
 * snapshot, `text-snapshot.ts`), written at a clean shutdown so the next start loads it instead of re-indexing every
 * memory. It is trusted only once: taken (read and deleted) at load, and used only if the log has exactly the length
 * it had when the index was written, ends in the same bytes (a CRC of its last 64 KiB: a log rewritten or restored to
 * the same length is not the same log), the snapshot has the length and CRC the header gives (a damaged file is not
 * parsed) and the index holds exactly the log's entries. A crash therefore never leaves a stale index behind; the next
 * start just rebuilds.
 */
import { open, readFile, unlink } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { writeFileDurable } from '../store/durable-file.ts';
import type { UserPartition } from './persistence.ts';
import type { TextIndex } from './text-index.ts';

/**
 * 3: a binary snapshot after the header, whose length and CRC the header holds. Format 2 (minisearch JSON in
 * `<user>.fts.json`) is not read: it is removed, and that start rebuilds once.
 */
const FORMAT = 3;
const TAIL_BYTES = 65_536;

export function textIndexFile(partition: UserPartition): string {
  return partition.logFile.replace(/\.jsonl$/, '.fts');
}

/** Where format 2 kept the index (removed wherever it is found). */
function formerTextIndexFile(partition: UserPartition): string {
  return partition.logFile.replace(/\.jsonl$/, '.fts.json');
}

/** The log's length and the CRC of its last `TAIL_BYTES` bytes (zeros when there is no log). */
async function logStamp(partition: UserPartition): Promise<{ logBytes: number; tailCrc: number }> {
  const handle = await open(partition.logFile, 'r').catch(() => null);
  if (!handle) return { logBytes: 0, tailCrc: 0 };
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, TAIL_BYTES);
    const tail = Buffer.alloc(length);
    await handle.read(tail, 0, length, size - length);
    return { logBytes: size, tailCrc: crc32(tail) };
  } finally {
    await handle.close();
  }
}

/** The persisted index's snapshot if it matches the log as it is now, else null; the file is removed either way. */
export async function takePersistedText(partition: UserPartition): Promise<Uint8Array | null> {
  await unlink(formerTextIndexFile(partition)).catch(() => undefined);
  const file = textIndexFile(partition);
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch {
    return null;
  }
  await unlink(file).catch(() => undefined);
  const newline = raw.indexOf(0x0a);
  if (newline < 0) return null;
  try {
    const header = JSON.parse(raw.subarray(0, newline).toString('utf8')) as { format?: number; logBytes?: number; tailCrc?: number; bytes?: number; crc?: number };
    if (header.format !== FORMAT) return null;
    const snapshot = raw.subarray(newline + 1);
    if (header.bytes !== snapshot.byteLength || header.crc !== crc32(snapshot)) return null;
    const now = await logStamp(partition);
    if (header.logBytes !== now.logBytes || header.tailCrc !== now.tailCrc) return null;
    return snapshot;
  } catch {
    return null;
  }
}

/** Write the index for the next start (after the partition's queue has drained). */
export async function persistText(partition: UserPartition, text: TextIndex): Promise<void> {
  if (text.isBuilding || text.size === 0) return;
  const snapshot = await text.serialize();
  if (!snapshot) return;
  const header = JSON.stringify({ format: FORMAT, ...(await logStamp(partition)), bytes: snapshot.byteLength, crc: crc32(snapshot) });
  await writeFileDurable(textIndexFile(partition), Buffer.concat([Buffer.from(`${header}\n`), snapshot]));
}

export async function dropPersistedText(partition: UserPartition): Promise<void> {
  await unlink(textIndexFile(partition)).catch(() => undefined);
  await unlink(formerTextIndexFile(partition)).catch(() => undefined);
}
