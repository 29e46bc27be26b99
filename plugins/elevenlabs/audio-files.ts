/**
 * Audio files made by text-to-speech: kept in `DATA_DIR/audio` under random names, each recorded in its owner's
 * `tts-audio` collection, so a lookup by another user finds nothing (404). Names are checked strictly before any path
 * is built from them.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError, type PluginStore } from '../../core/plugin-api/index.ts';

/** Extensions served, with their content types (the original AION's list). */
export const AUDIO_TYPES: Record<string, string> = {
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  ogg: 'audio/ogg',
  m4a: 'audio/mp4',
  opus: 'audio/opus',
};

/** One file's record in its owner's collection (id = file name). */
export interface AudioRecord {
  id: string;
  createdAt: number;
  bytes: number;
  format: string;
  voice: string;
  chars: number;
}

const COLLECTION = 'tts-audio';
const SAFE_NAME = /^[A-Za-z0-9_-]{1,128}\.([a-z0-9]{1,5})$/;

/** Refuse names with `/`, `\`, `..`, an unknown extension, or anything outside `[A-Za-z0-9_-]` → 400. */
export function checkName(name: string): { name: string; ext: string } {
  const m = SAFE_NAME.exec(name);
  if (name.includes('/') || name.includes('\\') || name.includes('..') || !m || !AUDIO_TYPES[m[1]]) {
    throw new AppError(400, 'INVALID_FILENAME', 'invalid filename');
  }
  return { name, ext: m[1] };
}

export class AudioFiles {
  /** The file of a saved name (names are generated here, never taken from a request). */
  pathOf(name: string): string {
    return path.join(this.dir, name);
  }

  constructor(
    readonly dir: string,
    private readonly store: PluginStore,
  ) {}

  /** Write a new file for `userId`; returns its name. */
  async save(userId: string, data: Buffer, meta: Omit<AudioRecord, 'id' | 'createdAt' | 'bytes'>): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const name = `${randomBytes(16).toString('base64url')}.${meta.format}`;
    await writeFile(path.join(this.dir, name), data, { mode: 0o600, flag: 'wx' });
    await this.store.forUser(userId).collection<AudioRecord>(COLLECTION).insert({ id: name, createdAt: Date.now(), bytes: data.length, ...meta });
    return name;
  }

  /** The path and size of `userId`'s file `name`; 404 when it is not theirs or gone. */
  async open(userId: string, name: string): Promise<{ file: string; size: number; ext: string }> {
    const { ext } = checkName(name);
    const record = await this.store.forUser(userId).collection<AudioRecord>(COLLECTION).get(name);
    if (!record) throw new AppError(404, 'NOT_FOUND', 'not found');
    const file = path.join(this.dir, name);
    try {
      const s = await stat(file);
      if (!s.isFile()) throw new Error('not a file');
      return { file, size: s.size, ext };
    } catch {
      await this.store.forUser(userId).collection<AudioRecord>(COLLECTION).delete(name);
      throw new AppError(404, 'NOT_FOUND', 'not found');
    }
  }

  /** Delete files and records older than `maxAgeMs`; returns how many files went. */
  async cleanup(maxAgeMs: number, now = Date.now()): Promise<number> {
    const cutoff = now - maxAgeMs;
    for (const userId of await this.store.usersWith(COLLECTION)) {
      await this.store.forUser(userId).collection<AudioRecord>(COLLECTION).deleteWhere((r) => r.createdAt < cutoff);
    }
    let removed = 0;
    let names: string[] = [];
    try {
      names = await readdir(this.dir);
    } catch {
      return 0;
    }
    for (const name of names) {
      if (!SAFE_NAME.test(name)) continue;
      const file = path.join(this.dir, name);
      const s = await stat(file).catch(() => undefined);
      if (s?.isFile() && s.mtimeMs < cutoff) {
        await rm(file, { force: true });
        removed++;
      }
    }
    return removed;
  }
}
