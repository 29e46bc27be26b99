/**
 * The Telegram plugin's durable state in `ctx.store.plugin`: the chat whitelist, the pairing code, link codes, which
 * chat acts as which account, and which AION conversation each chat writes into.
 */
import { randomInt, timingSafeEqual } from 'node:crypto';
import { SerialQueue, type PluginContext } from '../../core/plugin-api/index.ts';

/** A link code stays valid this long. */
export const LINK_CODE_TTL_MS = 10 * 60_000;

// No 0/O, 1/I/L: codes are typed by hand on a phone.
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** A random code of `length` characters (about 5 bits each). */
export function randomCode(length = 8): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/** Compare codes in constant time, ignoring case and surrounding spaces. */
export function sameCode(a: string, b: string): boolean {
  const x = Buffer.from(a.trim().toUpperCase());
  const y = Buffer.from(b.trim().toUpperCase());
  return x.length === y.length && timingSafeEqual(x, y);
}

type LinkCodes = Record<string, { userId: string; expiresAt: number }>;

/** Typed access to the plugin's keys; every read-modify-write runs one at a time. */
export class TelegramState {
  private readonly mutations = new SerialQueue();
  constructor(private readonly store: PluginContext['store']['plugin']) {}

  /** Run `fn` after every earlier mutation (one JSON file: no lost updates). */
  private locked<T>(fn: () => Promise<T>): Promise<T> {
    return this.mutations.run(fn);
  }

  async allowedIds(): Promise<string[]> {
    return (await this.store.get<string[]>('allowed_ids')) ?? [];
  }

  async isAllowed(chatId: string): Promise<boolean> {
    return (await this.allowedIds()).includes(chatId);
  }

  setAllowedIds(ids: string[]): Promise<void> {
    return this.locked(() => this.store.set('allowed_ids', [...new Set(ids)]));
  }

  /** Add the first owner, but only while the whitelist is still empty (two racing pairings: one wins). */
  pairOwner(chatId: string): Promise<boolean> {
    return this.locked(async () => {
      if ((await this.allowedIds()).length) return false;
      await this.store.set('allowed_ids', [chatId]);
      await this.store.delete('pairing_code');
      return true;
    });
  }

  /** The pairing code; made on first use and replaced after a successful pairing. */
  pairingCode(): Promise<string> {
    return this.locked(async () => {
      const existing = await this.store.get<string>('pairing_code');
      if (existing) return existing;
      const code = randomCode();
      await this.store.set('pairing_code', code);
      return code;
    });
  }

  /** A fresh link code for `userId` (replacing that user's earlier one). */
  issueLinkCode(userId: string): Promise<{ code: string; expiresAt: number }> {
    return this.locked(async () => {
      const now = Date.now();
      const codes = this.live(await this.store.get<LinkCodes>('link_codes'), now);
      for (const [code, v] of Object.entries(codes)) if (v.userId === userId) delete codes[code];
      const code = randomCode();
      codes[code] = { userId, expiresAt: now + LINK_CODE_TTL_MS };
      await this.store.set('link_codes', codes);
      return { code, expiresAt: now + LINK_CODE_TTL_MS };
    });
  }

  /** The user's still valid link code, if any. */
  async currentLinkCode(userId: string): Promise<{ code: string; expiresAt: number } | undefined> {
    const codes = this.live(await this.store.get<LinkCodes>('link_codes'), Date.now());
    const hit = Object.entries(codes).find(([, v]) => v.userId === userId);
    return hit ? { code: hit[0], expiresAt: hit[1].expiresAt } : undefined;
  }

  /** Use a link code once → its user id. */
  redeemLinkCode(code: string): Promise<string | undefined> {
    return this.locked(async () => {
      const codes = this.live(await this.store.get<LinkCodes>('link_codes'), Date.now());
      const key = Object.keys(codes).find((k) => sameCode(k, code));
      if (!key) return undefined;
      const { userId } = codes[key];
      delete codes[key];
      await this.store.set('link_codes', codes);
      return userId;
    });
  }

  private live(codes: LinkCodes | undefined, now: number): LinkCodes {
    return Object.fromEntries(Object.entries(codes ?? {}).filter(([, v]) => v.expiresAt > now));
  }

  /** The account a chat is linked to (`undefined` = the first admin). */
  async linkedUser(chatId: string): Promise<string | undefined> {
    return (await this.store.get<Record<string, string>>('links'))?.[chatId];
  }

  link(chatId: string, userId: string | undefined): Promise<void> {
    return this.locked(async () => {
      const links = (await this.store.get<Record<string, string>>('links')) ?? {};
      if (userId) links[chatId] = userId;
      else delete links[chatId];
      await this.store.set('links', links);
    });
  }

  /** The conversation of a chat for one account. */
  async conversation(chatId: string, userId: string): Promise<string | undefined> {
    return (await this.store.get<Record<string, string>>('conversations'))?.[`${chatId}:${userId}`];
  }

  setConversation(chatId: string, userId: string, conversationId: string): Promise<void> {
    return this.locked(async () => {
      const map = (await this.store.get<Record<string, string>>('conversations')) ?? {};
      map[`${chatId}:${userId}`] = conversationId;
      await this.store.set('conversations', map);
    });
  }
}
