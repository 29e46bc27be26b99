/**
 * Key material of this plugin: one random master secret in the plugin's folder (mode 600), from which an HMAC key (for
 * `state`) and an AES-256-GCM key (for tokens at rest) are derived with HKDF, so the two uses never share a key.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** An encrypted value as stored: base64 parts. */
export interface Sealed {
  v: 1;
  iv: string;
  tag: string;
  data: string;
}

/** The derived keys, with the operations that use them. */
export interface PluginKeys {
  sign(text: string): string;
  verify(text: string, signature: string): boolean;
  seal(value: unknown): Sealed;
  open<T>(sealed: Sealed): T;
}

/** Read the master secret from `dir/oauth.key`, creating it (mode 600) on first use. */
export async function loadKeys(dir: string): Promise<PluginKeys> {
  const file = path.join(dir, 'oauth.key');
  let master: Buffer;
  try {
    master = Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
    if (master.length < 32) throw new Error('short key');
  } catch (error: any) {
    if (error?.code !== 'ENOENT') throw new Error(`google-oauth: unreadable key file ${file}`);
    master = randomBytes(32);
    // `wx`: if another generation created it meanwhile, use theirs.
    try {
      await writeFile(file, master.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (e: any) {
      if (e?.code !== 'EEXIST') throw e;
      master = Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
    }
  }
  await chmod(file, 0o600).catch(() => {});
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, 32));
  const hmacKey = derive('aion google-oauth state');
  const encKey = derive('aion google-oauth tokens');
  const sign = (text: string) => createHmac('sha256', hmacKey).update(text).digest('base64url');
  return {
    sign,
    verify(text, signature) {
      const a = Buffer.from(sign(text));
      const b = Buffer.from(signature);
      return a.length === b.length && timingSafeEqual(a, b);
    },
    seal(value) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', encKey, iv);
      const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
      return { v: 1, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
    },
    open<T>(sealed: Sealed): T {
      const decipher = createDecipheriv('aes-256-gcm', encKey, Buffer.from(sealed.iv, 'base64'));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      const text = Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
      return JSON.parse(text) as T;
    },
  };
}
