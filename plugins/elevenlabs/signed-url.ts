/**
 * Short-lived signed audio URLs, so `<audio src>` (which cannot send a bearer token) plays a user's file: an HMAC-SHA256
 * over the path, the expiry and the user id, with a random key kept in this plugin's state (never sent anywhere).
 * A URL works for its own file and user until it expires; anything altered is refused. Never an open URL.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PluginStore } from '../../core/plugin-api/index.ts';

const KEY = 'audio-url-key';
const ID = /^[A-Za-z0-9_-]{1,128}$/;

export type Verdict = { ok: true; userId: string } | { ok: false; reason: 'expired' | 'invalid' };

export class AudioUrlSigner {
  private key?: Buffer;
  constructor(private readonly store: PluginStore) {}

  private async secret(): Promise<Buffer> {
    if (this.key) return this.key;
    let stored = await this.store.plugin.get<string>(KEY);
    if (!stored) {
      stored = randomBytes(32).toString('base64url');
      await this.store.plugin.set(KEY, stored);
    }
    this.key = Buffer.from(stored, 'base64url');
    return this.key;
  }

  private async mac(path: string, exp: number, userId: string): Promise<Buffer> {
    return createHmac('sha256', await this.secret()).update(`${path}\n${exp}\n${userId}`).digest();
  }

  /** `/api/audio/NAME?exp=…&uid=…&sig=…`, valid for `ttlMs`. */
  async sign(userId: string, name: string, ttlMs: number, now = Date.now()): Promise<string> {
    const path = `/api/audio/${name}`;
    const exp = Math.floor((now + ttlMs) / 1000);
    const sig = (await this.mac(path, exp, userId)).toString('base64url');
    return `${path}?exp=${exp}&uid=${encodeURIComponent(userId)}&sig=${sig}`;
  }

  /** Check the query of a request for `name`. */
  async verify(name: string, query: { exp?: unknown; uid?: unknown; sig?: unknown }, now = Date.now()): Promise<Verdict> {
    const exp = Number(query.exp);
    const uid = typeof query.uid === 'string' ? query.uid : '';
    const sig = typeof query.sig === 'string' ? Buffer.from(query.sig, 'base64url') : Buffer.alloc(0);
    if (!Number.isSafeInteger(exp) || !ID.test(uid) || sig.length !== 32) return { ok: false, reason: 'invalid' };
    const expected = await this.mac(`/api/audio/${name}`, exp, uid);
    if (!timingSafeEqual(sig, expected)) return { ok: false, reason: 'invalid' };
    if (exp * 1000 < now) return { ok: false, reason: 'expired' };
    return { ok: true, userId: uid };
  }
}
