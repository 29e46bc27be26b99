/**
 * Sign-in and signup throttling on rate-limiter-flexible, shaped so that an attacker cannot lock the owner out:
 *
 * - failed logins are counted per account *and* address pair (10 per 15 min): guessing one account's password from
 *   one address stops there, while the owner signing in from anywhere else is untouched;
 * - a wider budget per address (100 failures per 15 min) stops one address from guessing across many accounts;
 * - a successful login is never counted: it clears its pair and gives back its point of the address budget;
 * - signups are limited per address (`SIGNUP_RATE_LIMIT` an hour, default 10).
 *
 * An "address" is an IPv4 address or an IPv6 /64 (see `addressBucket`).
 *
 * One instance: the limiters live in memory; a restart forgets them. Several instances on one database (a `pool` is
 * given): rate-limiter-flexible's PostgreSQL limiter counts in the tables of migration 040, so an attacker spreading
 * attempts over the instances behind a load balancer gets the same budget as against one.
 */
import { createRequire } from 'node:module';
import type * as Limiters from 'rate-limiter-flexible';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { createHash } from 'node:crypto';
import type { Pool } from '../db/pool.ts';
import { tooMany } from '../errors.ts';
import { addressBucket } from '../http/client-address.ts';
import { KeyedSerialQueue } from '../plugin-api/serial.ts';

/** The three limiters by file: the package's entry loads all of its ~25 backends (MongoDB, Redis, cluster IPC …) and
 * ~60 Node built-ins, a third of its import time (issue #16). */
const requireLimiter = createRequire(import.meta.url);
const RateLimiterMemory = requireLimiter('rate-limiter-flexible/lib/RateLimiterMemory.js') as typeof Limiters.RateLimiterMemory;
/** Only several instances on one database use it: loaded then, not at every start (7 of the 12 modules this file
 * loaded — the store-backed limiters' base classes and blocked-keys cache — for a single instance that never needs them). */
const postgresLimiter = () => requireLimiter('rate-limiter-flexible/lib/RateLimiterPostgres.js') as typeof Limiters.RateLimiterPostgres;
const RateLimiterRes = requireLimiter('rate-limiter-flexible/lib/RateLimiterRes.js') as typeof Limiters.RateLimiterRes;

export interface ThrottleLimits {
  /** Failed logins per account and address in `loginWindowSeconds`. */
  pairFailures: number;
  /** Failed logins per address (any accounts) in `loginWindowSeconds`. */
  addressFailures: number;
  loginWindowSeconds: number;
  /** Signups per address and hour; 0 = unlimited. */
  signupsPerHour: number;
}

export const DEFAULT_LIMITS: ThrottleLimits = { pairFailures: 10, addressFailures: 100, loginWindowSeconds: 15 * 60, signupsPerHour: 10 };

export class SignInThrottle {
  private readonly pair: RateLimiterAbstract;
  private readonly address: RateLimiterAbstract;
  private readonly signups: RateLimiterAbstract | undefined;
  private readonly limits: ThrottleLimits;
  private readonly perKey = new KeyedSerialQueue();

  constructor(limits: Partial<ThrottleLimits> = {}, pool?: Pool) {
    const l = (this.limits = { ...DEFAULT_LIMITS, ...limits });
    const RateLimiterPostgres = pool ? postgresLimiter() : undefined;
    const limiter = (keyPrefix: string, points: number, duration: number): RateLimiterAbstract =>
      RateLimiterPostgres
        ? new RateLimiterPostgres({ storeClient: pool, storeType: 'pool', tableName: `aion_rl_${keyPrefix.replace('-', '_')}`, tableCreated: true, keyPrefix, points, duration })
        : new RateLimiterMemory({ keyPrefix, points, duration });
    this.pair = limiter('login-pair', l.pairFailures, l.loginWindowSeconds);
    this.address = limiter('login-addr', l.addressFailures, l.loginWindowSeconds);
    this.signups = l.signupsPerHour > 0 ? limiter('signup-addr', l.signupsPerHour, 3600) : undefined;
  }

  /**
   * Run one login attempt under the limits: `attempt` checks the password and throws when it is wrong (a failure,
   * counted), or returns (a success, which clears the pair and is not counted). Attempts of one pair run one after
   * another, so a concurrent burst cannot slip past the check before its failures are counted; the address budget is
   * taken before the check and given back on success, for the same reason across accounts.
   */
  guard<T>(emailLower: string, clientAddress: string, attempt: () => Promise<T>): Promise<T> {
    const address = addressBucket(clientAddress);
    // Hashed: fixed length and no NUL, as the PostgreSQL limiter's varchar(255) key needs; unambiguous as before.
    const pairKey = createHash('sha256').update(emailLower).update('\u0000').update(address).digest('base64url');
    return this.serial(pairKey, async () => {
      // The pair's point is taken before the check (atomic in the shared store, so attempts spread over several
      // instances cannot all pass a check before any is counted) and given back by deleting the pair on success.
      try {
        await this.pair.consume(pairKey);
      } catch (rejection) {
        throw refused(msOf(rejection));
      }
      try {
        await this.address.consume(address);
      } catch (rejection) {
        await this.pair.reward(pairKey, 1);
        throw refused(msOf(rejection));
      }
      const result = await attempt(); // a failure keeps both points
      await this.pair.delete(pairKey);
      await this.address.reward(address, 1);
      return result;
    });
  }

  /** Runs `task` after every earlier task of the same key has settled. */
  private serial<T>(key: string, task: () => Promise<T>): Promise<T> {
    return this.perKey.run(key, task);
  }

  /** Count one signup from `address`; 429 when the hourly budget is spent. */
  async signup(clientAddress: string): Promise<void> {
    if (!this.signups) return;
    try {
      await this.signups.consume(addressBucket(clientAddress));
    } catch (rejection) {
      throw tooMany('Too many accounts created from this address; try again later', msOf(rejection) / 1000);
    }
  }
}

function msOf(rejection: unknown): number {
  return rejection instanceof RateLimiterRes ? rejection.msBeforeNext : 60_000;
}

function refused(ms: number) {
  return tooMany('Too many failed sign-in attempts; try again later', ms / 1000);
}
