/**
 * The vault key, kept outside the store: `CREDENTIALS_KEY` (64 hex digits or base64 of 32 bytes; any other text is
 * stretched with scrypt), else `DATA_DIR/credentials.key`, created once with mode 600. A store backup alone therefore
 * cannot be decrypted.
 */
import { randomBytes, scryptSync } from 'node:crypto';
import { chmod, open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../core/plugin-api/index.ts';

export function keyFromText(text: string): Buffer {
  const t = text.trim();
  if (/^[0-9a-f]{64}$/i.test(t)) return Buffer.from(t, 'hex');
  const b64 = Buffer.from(t, 'base64');
  if (b64.length === 32 && /^[A-Za-z0-9+/]+=*$/.test(t)) return b64;
  return scryptSync(t, 'aion-credentials-v1', 32);
}

export async function loadKey(dataDir: string, envKey: string | undefined, log: Logger): Promise<Buffer> {
  if (envKey) return keyFromText(envKey);
  const file = path.join(dataDir, 'credentials.key');
  try {
    const handle = await open(file, 'wx', 0o600);
    const key = randomBytes(32);
    await handle.writeFile(key.toString('hex'));
    await handle.sync();
    await handle.close();
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const info = await stat(file);
  if ((info.mode & 0o077) !== 0) {
    log.warn('credentials.key was readable by others; its mode is set to 600');
    await chmod(file, 0o600);
  }
  return keyFromText(await readFile(file, 'utf8'));
}
