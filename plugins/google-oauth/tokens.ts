/**
 * The connected Google account: tokens sealed at rest in the plugin's store, the current access token kept in this
 * generation's memory only (never in `process.env`, never on disk) and handed to the Gemini provider through the
 * `google-credentials` service, and refreshed before it expires. A refresh refused with `invalid_grant` (revoked, expired, password changed) turns the status to
 * `reauthorize` and withdraws the published token.
 */
import type { Logger, PluginStore, SecretsApi } from '../../core/plugin-api/index.ts';
import { createClient, oauthErrorCode } from './client.ts';
import type { PluginKeys, Sealed } from './keys.ts';

/** Refresh this long before expiry (less for short-lived tokens). */
const REFRESH_MARGIN_MS = 5 * 60_000;
/** After a failed refresh that may be transient (network, 5xx), try again after this long. */
const RETRY_MS = 60_000;
/** Longest delay `setTimeout` accepts. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface StoredTokens {
  access_token?: string | null;
  refresh_token?: string | null;
  expiry_date?: number | null;
  scope?: string | null;
}

export type ConnectionStatus = 'connected' | 'reauthorize' | 'disconnected';

/** What is stored unsealed: nothing secret. */
interface Meta {
  status: ConnectionStatus;
  email?: string;
  scopes: string[];
  expiresAt: number | null;
  connectedAt: number;
  lastError?: string;
}

export class TokenManager {
  private timer: NodeJS.Timeout | undefined;
  /** The access token the Gemini provider may use now; `undefined` when none is valid. */
  private current: { token: string; expiresAt: number } | undefined;
  private disposed = false;

  constructor(
    private readonly keys: PluginKeys,
    private readonly store: PluginStore['plugin'],
    private readonly secrets: SecretsApi,
    private readonly log: Logger,
  ) {}

  /** On setup: publish a still-valid token and plan the next refresh. */
  async start(): Promise<void> {
    const meta = await this.meta();
    if (meta?.status !== 'connected') return;
    const tokens = await this.tokens();
    if (tokens?.access_token && (tokens.expiry_date ?? 0) > Date.now()) this.publish(tokens.access_token, tokens.expiry_date ?? 0);
    this.schedule(tokens?.expiry_date ?? 0);
  }

  /** Save the tokens of a finished consent and publish the access token. */
  async connect(tokens: StoredTokens, email: string | undefined): Promise<void> {
    const previous = await this.tokens();
    // Google sends a refresh token only with `prompt=consent`; keep an earlier one if it was left out.
    const saved: StoredTokens = { ...tokens, refresh_token: tokens.refresh_token ?? previous?.refresh_token ?? null };
    await this.store.set('tokens', this.keys.seal(saved));
    await this.store.set<Meta>('meta', {
      status: 'connected',
      email,
      scopes: (tokens.scope ?? '').split(/\s+/).filter(Boolean),
      expiresAt: tokens.expiry_date ?? null,
      connectedAt: Date.now(),
    });
    if (tokens.access_token) this.publish(tokens.access_token, tokens.expiry_date ?? 0);
    this.schedule(tokens.expiry_date ?? 0);
  }

  /** Forget the account (and revoke the refresh token at Google, best effort). */
  async disconnect(): Promise<void> {
    const tokens = await this.tokens();
    this.clearTimer();
    this.withdraw();
    await this.store.delete('tokens');
    await this.store.delete('meta');
    const token = tokens?.refresh_token ?? tokens?.access_token;
    if (token) {
      try {
        const client = await createClient(this.secrets);
        await Promise.race([client.revokeToken(token), new Promise((r) => setTimeout(r, 5_000).unref())]);
      } catch (error) {
        this.log.warn({ code: oauthErrorCode(error) }, 'google-oauth: revoking the token failed');
      }
    }
  }

  /** The view for `GET /oauth/google/status`. */
  async status(): Promise<{ connected: boolean; status: ConnectionStatus; email?: string; expiresAt: number | null; scopes: string[]; error?: string }> {
    const meta = await this.meta();
    if (!meta) return { connected: false, status: 'disconnected', expiresAt: null, scopes: [] };
    return {
      connected: meta.status === 'connected',
      status: meta.status,
      ...(meta.email ? { email: meta.email } : {}),
      expiresAt: meta.expiresAt,
      scopes: meta.scopes,
      ...(meta.lastError ? { error: meta.lastError } : {}),
    };
  }

  /** Refresh now. Exposed for the timer; failures are recorded, never thrown. */
  async refresh(): Promise<void> {
    const tokens = await this.tokens();
    const before = (await this.meta())?.connectedAt;
    if (!tokens?.refresh_token) return this.mark('reauthorize', 'no refresh token');
    try {
      const client = await createClient(this.secrets);
      client.setCredentials({ refresh_token: tokens.refresh_token });
      const { credentials } = await client.refreshAccessToken();
      // Disconnected or connected anew while the request ran: this answer belongs to tokens that are gone.
      const meta = await this.meta();
      if (this.disposed || !meta || meta.connectedAt !== before) return;
      const next: StoredTokens = { ...tokens, ...credentials, refresh_token: credentials.refresh_token ?? tokens.refresh_token };
      await this.store.set('tokens', this.keys.seal(next));
      await this.store.set<Meta>('meta', { ...meta, status: 'connected', expiresAt: next.expiry_date ?? null, lastError: undefined });
      if (next.access_token) this.publish(next.access_token, next.expiry_date ?? 0);
      this.schedule(next.expiry_date ?? 0);
    } catch (error) {
      if (this.disposed || (await this.meta())?.connectedAt !== before) return;
      const code = oauthErrorCode(error);
      if (code === 'invalid_grant' || code === 'unauthorized_client' || code === 'invalid_client') {
        this.log.warn({ code }, 'google-oauth: refresh refused, the admin must connect again');
        return this.mark('reauthorize', code);
      }
      this.log.warn({ code: code ?? 'network' }, 'google-oauth: refresh failed, retrying');
      this.timer = setTimeout(() => void this.refresh(), RETRY_MS).unref();
    }
  }

  /** Stop the timer; withdraw the token only if this generation published it. */
  dispose(): void {
    this.disposed = true;
    this.clearTimer();
    this.withdraw();
  }

  private async mark(status: ConnectionStatus, lastError: string): Promise<void> {
    this.withdraw();
    const meta = await this.meta();
    if (meta) await this.store.set<Meta>('meta', { ...meta, status, lastError });
  }

  private schedule(expiry: number): void {
    this.clearTimer();
    if (this.disposed) return;
    const left = expiry - Date.now();
    const margin = Math.min(REFRESH_MARGIN_MS, Math.max(0, left / 2));
    const delay = Math.min(Math.max(left - margin, 1_000), MAX_TIMER_MS);
    this.timer = setTimeout(() => void this.refresh(), delay).unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The token for the `google-credentials` service: only while it has not expired. */
  accessToken(): string | undefined {
    const c = this.current;
    return c && (c.expiresAt === 0 || c.expiresAt > Date.now()) ? c.token : undefined;
  }

  private publish(accessToken: string, expiresAt = 0): void {
    this.current = { token: accessToken, expiresAt };
  }

  private withdraw(): void {
    this.current = undefined;
  }

  private async tokens(): Promise<StoredTokens | undefined> {
    const sealed = await this.store.get<Sealed>('tokens');
    if (!sealed) return undefined;
    try {
      return this.keys.open<StoredTokens>(sealed);
    } catch {
      this.log.warn('google-oauth: stored tokens cannot be decrypted (key file changed?)');
      return undefined;
    }
  }

  private meta(): Promise<Meta | undefined> {
    return this.store.get<Meta>('meta');
  }
}
