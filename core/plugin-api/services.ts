/** The services and timers contracts: named services between plugins, timers counted on a generation. */


/**
 * Named services handed from one plugin to another. The providing plugin declares
 * `"capabilities": { "services": { "provide": ["name"] } }`, the using one `"use": ["name"]`.
 */
export interface ServicesApi {
  /** Offer `impl` under `name` (removed when this generation unloads; calls into it count as in flight). */
  provide<T extends object>(name: string, impl: T): void;
  /** The current implementation of `name`, looked up at each call (so a reload of the provider is picked up). */
  use<T>(name: string): T | undefined;
}

/** The `google-credentials` service (provided by `google-oauth`, used by `provider-gemini`). */
export interface GoogleCredentialsService {
  /** A valid OAuth access token for the Gemini API, or `undefined` when no Google account is connected. */
  accessToken(): string | undefined;
  /** The Google Cloud project calls are billed to (`x-goog-user-project`). */
  project(): string | undefined;
}

/**
 * The `outbound-address` service (provided by `web-tools`, used by `browser`): the one place that decides where an
 * outbound connection may go. Resolves `hostname`, refuses loopback, private, link-local and metadata addresses unless
 * an admin listed the host in `web_allow_private_hosts` (403 `PRIVATE_ADDRESS_BLOCKED`), and answers the address to
 * connect to (connect to exactly that one, so a second DNS answer cannot differ).
 */
export interface OutboundAddressService {
  approve(hostname: string): Promise<{ address: string; family: number }>;
}

/** Opaque timer handle of `ctx.timers`. */
export type TimerHandle = unknown;

/** Timers whose callbacks run counted on this generation and that are cleared when it unloads. */
export interface TimersApi {
  setTimeout(fn: () => unknown, ms: number): TimerHandle;
  setInterval(fn: () => unknown, ms: number): TimerHandle;
  clear(handle: TimerHandle | undefined): void;
}
