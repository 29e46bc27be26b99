/**
 * The OAuth `state`: `<nonce>.<expiry>.<hmac>`, valid 5 minutes and usable once. The PKCE verifier and the redirect
 * URI stay on the server, sealed, in a pending record keyed by the nonce; consuming the state deletes that record, so a
 * replayed callback finds nothing.
 */
import { randomBytes } from 'node:crypto';
import { SerialQueue, type PluginStore } from '../../core/plugin-api/index.ts';
import type { PluginKeys, Sealed } from './keys.ts';

/** How long a consent page may stay open. */
export const STATE_TTL_MS = 5 * 60_000;

/** What the callback needs to finish the flow. */
export interface PendingFlow {
  codeVerifier: string;
  redirectUri: string;
  userId: string;
}

/** Why a state was refused; sent to the opener window and used as the error code. */
export type StateError = 'invalid_state' | 'state_expired' | 'state_used';

type PendingMap = Record<string, { exp: number; sealed: Sealed }>;

export class StateStore {
  private readonly writes = new SerialQueue();
  constructor(
    private readonly keys: PluginKeys,
    private readonly store: PluginStore['plugin'],
  ) {}

  /** Issue a new state for `flow`. */
  issue(flow: PendingFlow, now = Date.now()): Promise<string> {
    const nonce = randomBytes(18).toString('base64url');
    const exp = now + STATE_TTL_MS;
    const payload = `${nonce}.${exp}`;
    return this.locked(async () => {
      const pending = this.prune(await this.load(), now);
      pending[nonce] = { exp, sealed: this.keys.seal(flow) };
      await this.store.set('pending', pending);
      return `${payload}.${this.keys.sign(payload)}`;
    });
  }

  /** Check and consume a state: the flow, or why it was refused. */
  consume(state: string | undefined, now = Date.now()): Promise<PendingFlow | StateError> {
    const m = /^([A-Za-z0-9_-]{16,64})\.(\d{10,16})\.([A-Za-z0-9_-]{20,100})$/.exec(state ?? '');
    if (!m || !this.keys.verify(`${m[1]}.${m[2]}`, m[3])) return Promise.resolve('invalid_state');
    const [, nonce, expText] = m;
    return this.locked(async () => {
      const pending = await this.load();
      const record = pending[nonce];
      delete pending[nonce];
      await this.store.set('pending', this.prune(pending, now));
      if (Number(expText) < now) return 'state_expired';
      if (!record) return 'state_used';
      return this.keys.open<PendingFlow>(record.sealed);
    });
  }

  private async load(): Promise<PendingMap> {
    return { ...((await this.store.get<PendingMap>('pending')) ?? {}) };
  }

  private prune(pending: PendingMap, now: number): PendingMap {
    for (const [k, v] of Object.entries(pending)) if (v.exp < now) delete pending[k];
    return pending;
  }

  /** One read-modify-write at a time, so two callbacks with one state cannot both win. */
  private locked<T>(run: () => Promise<T>): Promise<T> {
    return this.writes.run(run);
  }
}
