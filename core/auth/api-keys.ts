/**
 * Personal API keys for integrations: `aion_<43 random base64url chars>`, shown once at creation. Only the SHA-256 of
 * a key is stored (in the global `api-keys` collection) — enough for 256 random bits, where a slow password hash
 * would buy nothing and cost every request. A key acts as its owner on every endpoint, like a JWT, until revoked.
 * The last-used time is kept in memory on every use and written at most once a minute per key.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { ApiKeyInfo, Collection } from '../plugin-api/types.ts';
import { AppError, notFound } from '../errors.ts';
import type { Store } from '../store/store.ts';

/** Every key starts with this, so the bearer parser can tell a key from a JWT without a lookup. */
export const API_KEY_PREFIX = 'aion_';
const KEYS_PER_USER = 50;
const LAST_USED_WRITE_EVERY_MS = 60_000;

interface ApiKeyRecord extends ApiKeyInfo {
  userId: string;
  /** SHA-256 of the whole key, hex. */
  hash: string;
}

const hashOf = (key: string) => createHash('sha256').update(key).digest('hex');

const view = (r: ApiKeyRecord): ApiKeyInfo => ({ id: r.id, name: r.name, prefix: r.prefix, createdAt: r.createdAt, lastUsedAt: r.lastUsedAt });

export class ApiKeys {
  private keys: Collection<ApiKeyRecord>;
  private byHash = new Map<string, ApiKeyRecord>();
  private lastWritten = new Map<string, number>();
  private loaded: Promise<void> | undefined;
  private loadedAt = 0;

  /**
   * `shared`: other instances create and revoke keys in the same database, so a known key is confirmed by id on every
   * use (a revocation elsewhere applies at once) and an unknown one reloads the keys, at most once a second.
   */
  constructor(store: Store, private readonly onWriteError: (error: unknown) => void = () => {}, private readonly shared = false) {
    this.keys = store.collection<ApiKeyRecord>('api-keys');
  }

  private load(): Promise<void> {
    this.loaded ??= this.keys.all().then((all) => {
      this.byHash.clear();
      for (const r of all) this.byHash.set(r.hash, r);
      this.loadedAt = Date.now();
    });
    return this.loaded;
  }

  /** Shared mode: read the keys again (before a list or a create, and on an unknown key at most once a second). */
  private reload(force: boolean): Promise<void> {
    if (this.shared && (force || Date.now() - this.loadedAt >= 1_000)) this.loaded = undefined;
    return this.load();
  }

  /** A new key for `userId`; the returned `key` is the only time its secret is seen. */
  async create(userId: string, name: string): Promise<{ key: string; apiKey: ApiKeyInfo }> {
    await this.reload(true);
    if (this.own(userId).length >= KEYS_PER_USER) {
      throw new AppError(409, 'API_KEY_LIMIT', `At most ${KEYS_PER_USER} API keys per user; revoke one first`);
    }
    const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
    const record: ApiKeyRecord = { id: randomUUID(), userId, name, prefix: key.slice(0, 12), hash: hashOf(key), createdAt: Date.now(), lastUsedAt: null };
    await this.keys.insert(record);
    this.byHash.set(record.hash, record);
    return { key, apiKey: view(record) };
  }

  async list(userId: string): Promise<ApiKeyInfo[]> {
    await this.reload(true);
    return this.own(userId).map(view);
  }

  /** Revoke one of the caller's keys; another user's key id is simply not found. */
  async revoke(userId: string, id: string): Promise<void> {
    await this.reload(true);
    const record = this.own(userId).find((r) => r.id === id);
    if (!record) throw notFound('No such API key', 'API_KEY_NOT_FOUND');
    this.byHash.delete(record.hash);
    this.lastWritten.delete(record.id);
    await this.keys.delete(record.id);
  }

  /** The user id behind a key, or `undefined` for an unknown or revoked key. Notes the use. */
  async resolve(key: string): Promise<string | undefined> {
    if (!key.startsWith(API_KEY_PREFIX)) return undefined;
    await this.load();
    const hash = hashOf(key);
    if (this.shared && !this.byHash.has(hash)) await this.reload(false);
    const record = this.byHash.get(hash);
    if (!record) return undefined;
    if (this.shared && !(await this.keys.get(record.id))) {
      this.byHash.delete(hash); // revoked on another instance
      return undefined;
    }
    this.noteUse(record);
    return record.userId;
  }

  private noteUse(record: ApiKeyRecord): void {
    const now = Date.now();
    record.lastUsedAt = now;
    if (now - (this.lastWritten.get(record.id) ?? 0) < LAST_USED_WRITE_EVERY_MS) return;
    this.lastWritten.set(record.id, now);
    // Not awaited: the request does not wait for bookkeeping. `update` never recreates a key revoked meanwhile.
    this.keys.update(record.id, { lastUsedAt: now }).catch(this.onWriteError);
  }

  private own(userId: string): ApiKeyRecord[] {
    return [...this.byHash.values()].filter((r) => r.userId === userId).sort((a, b) => a.createdAt - b.createdAt);
  }
}
