/**
 * Accounts: users in the global `users` collection, scrypt hashes, JWTs and personal API keys, login throttling. Plan and role are always
 * read from the store (never trusted from a token), so an admin's change applies at once.
 */
import { randomUUID } from 'node:crypto';
import type { Collection, Plan, Role, User } from '../plugin-api/types.ts';
import { AppError, conflict, notFound, unauthorized } from '../errors.ts';
import { StartupRefusedError } from '../store/damage.ts';
import type { Store } from '../store/store.ts';
import { hashPassword, verifyAgainstNobody, verifyPassword } from './passwords.ts';
import { API_KEY_PREFIX, ApiKeys } from './api-keys.ts';
import { SignInThrottle, type ThrottleLimits } from './sign-in-throttle.ts';
import { signToken, verifyToken, type TokenClaims } from './tokens.ts';
import { SerialQueue } from '../plugin-api/serial.ts';
import type { Pool } from '../db/pool.ts';

/**
 * Several instances share the accounts (DATABASE_URL): nothing about a user is trusted from this process's memory —
 * a token's version, a password hash, a plan are read from the database on use — signups take a cluster-wide lock
 * (first account = admin, unique emails), and the sign-in throttle counts in PostgreSQL.
 */
export interface SharedAccounts {
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
  pool: Pool;
  /**
   * Tell the other instances that this user's record changed (committed): resolves once no instance answers the old
   * record from memory any more (see `verified`).
   */
  changed(userId: string): Promise<void>;
  /**
   * Account records held across requests for `verify`, coherent with every instance's changes: answered from memory
   * only while this instance provably heard every change notice, else read (core/cluster/pg-fence.ts). Absent: every
   * verification reads the record.
   */
  verified?: HeldAccounts;
}

/** What `verify` asks of the shared, fenced cache of account records. */
export interface HeldAccounts {
  load(id: string, read: () => Promise<UserRecord | undefined>): Promise<UserRecord | undefined>;
  forget(id: string): void;
}

/** A stored user: the public fields plus what never leaves the server. */
export type UserRecord = User & {
  emailLower: string;
  passwordHash: string;
  tokenVersion: number;
  updatedAt: number;
};

/** The shape every stored account must have; anything else in `users.json` is damage (see `assertIntact`). */
function isUserRecord(doc: unknown): boolean {
  const r = doc as Partial<UserRecord>;
  return (
    typeof r.email === 'string' &&
    typeof r.emailLower === 'string' &&
    typeof r.passwordHash === 'string' &&
    (r.role === 'admin' || r.role === 'user') &&
    (r.plan === 'free' || r.plan === 'pro' || r.plan === 'enterprise') &&
    typeof r.tokenVersion === 'number'
  );
}

/** The public view of a user record. */
export function publicUser(r: UserRecord): User {
  return {
    id: r.id,
    email: r.email,
    displayName: r.displayName,
    plan: r.plan,
    role: r.role,
    isAdmin: r.role === 'admin',
    createdAt: r.createdAt,
    ...(r.disabled ? { disabled: true } : {}),
  };
}

export class Accounts {
  private users: Collection<UserRecord>;
  private byEmail = new Map<string, string>();
  private cache = new Map<string, UserRecord>();
  private loaded: Promise<void> | undefined;
  /** Serialises signups so "first account becomes admin" and unique emails hold under concurrency. */
  private readonly signups = new SerialQueue();
  private readonly throttle: SignInThrottle;
  readonly apiKeys: ApiKeys;
  private verified = new Map<string, { claims: TokenClaims; until: number }>();
  /**
   * The accounts are in `cache` (one instance: every change goes through it from then on, so it is what `record`
   * would answer). Lets `verify` read a record without the two async frames and promises of `recordForAuth` →
   * `record` → `load` on every authenticated request (issue #16: the authenticated GET's profile).
   */
  private filled = false;

  constructor(private readonly store: Store, private readonly secret: Uint8Array, limits: Partial<ThrottleLimits> = {}, private readonly shared?: SharedAccounts) {
    // Critical: a damaged accounts file stops the server instead of starting with no accounts, where the next
    // anonymous signup would become the admin.
    this.users = store.collection<UserRecord>('users', { critical: true, isValid: isUserRecord });
    this.throttle = new SignInThrottle(limits, shared?.pool);
    this.apiKeys = new ApiKeys(store, undefined, !!shared);
  }

  /**
   * Refuse to start (`StartupRefusedError`) when the accounts file is damaged, or was and was never restored, or is
   * missing while other users' data exists. What remains is a truly fresh install, where the first signup is the admin.
   */
  async assertIntact(): Promise<void> {
    await this.store.assertCriticalIntact({ users: 'accounts' });
    if ((await this.users.count()) > 0 || !(await this.store.hasUserData())) return;
    throw new StartupRefusedError(this.store.missingCollectionRefusal('users', 'accounts'));
  }

  private load(): Promise<void> {
    this.loaded ??= this.users.all().then((all) => {
      this.cache.clear();
      this.byEmail.clear();
      for (const u of all) {
        this.cache.set(u.id, u);
        this.byEmail.set(u.emailLower, u.id);
      }
      this.filled = true;
    });
    return this.loaded;
  }

  /** Shared mode: read every account again (signups and lists see other instances' accounts). */
  private async reloadShared(): Promise<void> {
    if (this.shared) this.loaded = undefined;
    await this.load();
  }

  /** A user's record: from memory on one instance, from the database (refreshing memory) when shared. */
  private async record(id: string): Promise<UserRecord | undefined> {
    await this.load();
    if (!this.shared) return this.cache.get(id);
    const fresh = await this.users.get(id);
    const old = this.cache.get(id);
    if (old && this.byEmail.get(old.emailLower) === id) this.byEmail.delete(old.emailLower);
    if (!fresh) {
      this.cache.delete(id);
      return undefined;
    }
    this.cache.set(id, fresh);
    this.byEmail.set(fresh.emailLower, id);
    return fresh;
  }

  /** The record behind a credential: from the fenced cache when shared and vouched for, else as `record`. */
  private recordForAuth(id: string): Promise<UserRecord | undefined> {
    const held = this.shared?.verified;
    return held ? held.load(id, () => this.record(id)) : this.record(id);
  }

  /** Another instance changed this user: refresh the copy (shared mode). */
  async refresh(userId: string): Promise<void> {
    // At once, before any await: an instance of an older release announces changes only this way (no fence notice).
    this.shared?.verified?.forget(userId);
    if (this.shared) await this.record(userId);
  }

  private async recordByEmail(emailLower: string): Promise<UserRecord | undefined> {
    await this.load();
    const id = this.byEmail.get(emailLower);
    if (!this.shared) return id ? this.cache.get(id) : undefined;
    const found = id ? await this.record(id) : undefined;
    if (found?.emailLower === emailLower) return found;
    await this.reloadShared(); // an account made (or renamed) on another instance
    const again = this.byEmail.get(emailLower);
    return again ? this.cache.get(again) : undefined;
  }

  private async token(r: UserRecord): Promise<string> {
    return signToken({ sub: r.id, email: r.email, plan: r.plan, isAdmin: r.role === 'admin', tv: r.tokenVersion }, this.secret);
  }

  async signup(input: { email: string; password: string; displayName?: string }): Promise<{ user: User; token: string }> {
    const passwordHash = await hashPassword(input.password);
    const run = async () => {
      await this.load();
      const emailLower = input.email.trim().toLowerCase();
      if (this.byEmail.has(emailLower)) throw conflict('An account with this email already exists', 'EMAIL_EXISTS');
      const first = this.cache.size === 0;
      const now = Date.now();
      const record: UserRecord = {
        id: randomUUID(),
        email: input.email.trim(),
        emailLower,
        displayName: input.displayName?.trim() || input.email.split('@')[0],
        plan: first ? 'enterprise' : 'free',
        role: first ? 'admin' : 'user',
        isAdmin: first,
        createdAt: now,
        updatedAt: now,
        passwordHash,
        tokenVersion: 0,
      };
      this.cache.set(record.id, record);
      this.byEmail.set(emailLower, record.id);
      try {
        await this.users.insert(record);
      } catch (error) {
        this.cache.delete(record.id);
        this.byEmail.delete(emailLower);
        throw error;
      }
      // Nobody holds a record that did not exist: the others only refresh their lists, nothing to wait for.
      void this.shared?.changed(record.id).catch(() => undefined);
      return { user: publicUser(record), token: await this.token(record) };
    };
    const shared = this.shared;
    if (!shared) return this.signups.run(run);
    return this.signups.run(() => shared.withLock('accounts-signup', async () => {
      await this.reloadShared();
      return run();
    }));
  }

  async login(input: { email: string; password: string }, address: string): Promise<{ user: User; token: string }> {
    await this.load();
    const emailLower = input.email.trim().toLowerCase();
    return this.throttle.guard(emailLower, address, async () => {
      const record = await this.recordByEmail(emailLower);
      const ok = record ? await verifyPassword(input.password, record.passwordHash) : await verifyAgainstNobody(input.password);
      if (!ok || !record) throw unauthorized('Invalid email or password', 'INVALID_CREDENTIALS');
      if (record.disabled) throw new AppError(403, 'ACCOUNT_DISABLED', 'This account is disabled; ask an admin');
      return { user: publicUser(record), token: await this.token(record) };
    });
  }

  /** Signup from a client address: counted against that address's hourly signup budget first. */
  async signupFrom(address: string, input: { email: string; password: string; displayName?: string }): Promise<{ user: User; token: string }> {
    await this.throttle.signup(address);
    return this.signup(input);
  }

  /**
   * The user behind a token; `undefined` for an invalid, expired, revoked or orphaned token. Verified signatures are
   * cached briefly (the claims of a token never change); revocation and the user record are checked on every call —
   * against the record in memory, which shared instances keep coherent through the change fence.
   */
  async verify(token: string): Promise<User | undefined> {
    if (token.startsWith(API_KEY_PREFIX)) return this.verifyApiKey(token);
    const now = Date.now();
    let cached = this.verified.get(token);
    if (!cached || cached.until <= now) {
      const claims = await verifyToken(token, this.secret);
      if (!claims) return undefined;
      if (this.verified.size >= 10_000) this.verified.clear();
      cached = { claims, until: Math.min(now + 60_000, claims.exp * 1000) };
      this.verified.set(token, cached);
    }
    const { claims } = cached;
    const record = !this.shared && this.filled ? this.cache.get(claims.sub) : await this.recordForAuth(claims.sub);
    if (!record || record.tokenVersion !== claims.tv || record.disabled) return undefined;
    return publicUser(record);
  }

  /** A personal API key → its owner (an unknown or revoked key → `undefined`). */
  private async verifyApiKey(key: string): Promise<User | undefined> {
    const userId = await this.apiKeys.resolve(key);
    if (!userId) return undefined;
    const record = await this.recordForAuth(userId);
    return record && !record.disabled ? publicUser(record) : undefined;
  }

  async get(id: string): Promise<User | undefined> {
    const r = await this.record(id);
    return r && publicUser(r);
  }

  async firstAdmin(): Promise<User | undefined> {
    await this.reloadShared();
    // A disabled admin is nobody's owner: channels acting as the owner (an unlinked Alexa skill) skip it.
    const admins = [...this.cache.values()].filter((u) => u.role === 'admin' && !u.disabled).sort((a, b) => a.createdAt - b.createdAt);
    return admins[0] && publicUser(admins[0]);
  }

  async list(): Promise<User[]> {
    await this.reloadShared();
    return [...this.cache.values()].sort((a, b) => a.createdAt - b.createdAt).map(publicUser);
  }

  count(): number {
    return this.cache.size;
  }

  private async save(record: UserRecord): Promise<UserRecord> {
    record.updatedAt = Date.now();
    this.cache.set(record.id, record);
    this.shared?.verified?.forget(record.id);
    await this.users.put(record);
    // Revocation in force everywhere before the caller hears of it: a logout acknowledged here rejects the old token
    // on every instance's very next request.
    await this.shared?.changed(record.id);
    return record;
  }

  async updateProfile(userId: string, patch: { displayName?: string; email?: string }): Promise<User> {
    const current = await this.record(userId);
    if (!current) throw notFound('User not found');
    const next = { ...current };
    if (patch.email !== undefined) {
      const emailLower = patch.email.trim().toLowerCase();
      const owner = this.byEmail.get(emailLower);
      if (owner && owner !== userId) throw conflict('An account with this email already exists', 'EMAIL_EXISTS');
      this.byEmail.delete(current.emailLower);
      this.byEmail.set(emailLower, userId);
      next.email = patch.email.trim();
      next.emailLower = emailLower;
    }
    if (patch.displayName !== undefined) next.displayName = patch.displayName.trim();
    return publicUser(await this.save(next));
  }

  async changePassword(userId: string, oldPassword: string, newPassword: string): Promise<void> {
    const current = await this.record(userId);
    if (!current) throw notFound('User not found');
    if (!(await verifyPassword(oldPassword, current.passwordHash))) {
      throw unauthorized('The current password is wrong', 'INVALID_CREDENTIALS');
    }
    await this.save({ ...current, passwordHash: await hashPassword(newPassword), tokenVersion: current.tokenVersion + 1 });
  }

  /**
   * Revoke every token of the user (the token version moves on) and issue one for the new version — sign-out and
   * token refresh. The user's other sessions sign in again.
   */
  async rotateTokens(userId: string): Promise<{ user: User; token: string }> {
    const current = await this.record(userId);
    if (!current) throw notFound('User not found');
    const saved = await this.save({ ...current, tokenVersion: current.tokenVersion + 1 });
    return { user: publicUser(saved), token: await this.token(saved) };
  }

  async adminUpdate(userId: string, patch: { plan?: Plan; role?: Role; disabled?: boolean }): Promise<User> {
    const current = await this.record(userId);
    if (!current) throw notFound('User not found');
    const next = { ...current, ...(patch.plan ? { plan: patch.plan } : {}), ...(patch.role ? { role: patch.role, isAdmin: patch.role === 'admin' } : {}) };
    if (patch.disabled !== undefined) next.disabled = patch.disabled;
    // Disabling moves the token version on, so a re-enabled account signs in afresh instead of reviving old tokens.
    if (patch.disabled && !current.disabled) next.tokenVersion = current.tokenVersion + 1;
    const activeAdmin = (u: UserRecord) => u.role === 'admin' && !u.disabled;
    if (activeAdmin(current) && !activeAdmin(next)) {
      await this.reloadShared();
      const admins = [...this.cache.values()].filter(activeAdmin);
      if (admins.length <= 1) throw new AppError(409, 'LAST_ADMIN', 'The last admin cannot be demoted or disabled');
    }
    return publicUser(await this.save(next));
  }
}
