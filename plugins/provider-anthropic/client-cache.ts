/**
 * One SDK client per key and base URL, built on first use and reused: building a client per call meant header, logger
 * and option setup on every request (issue #16's profile showed the same for OpenAI). A changed key or base URL gets
 * a new client, so a key saved at run time still applies to the next call. Requests go out through `httpFetch`, which
 * holds far less per open stream than the global fetch (issue #16's heap diff).
 */
import type Anthropic from '@anthropic-ai/sdk';
import { httpFetch } from '../../core/plugin-api/index.ts';

export class ClientCache {
  /**
   * The client on its way: set before the SDK's import resolves, so calls that arrive while it loads (a burst of
   * streams on a fresh server) share one client instead of each building and keeping its own (issue #16).
   */
  private current: { key: string; client: Promise<Anthropic> } | undefined;

  get(apiKey: string, baseURL: string | undefined): Promise<Anthropic> {
    const key = `${apiKey}\u0000${baseURL ?? ''}`;
    if (this.current?.key === key) return this.current.client;
    // The SDK is imported on first use, so loading the plugin (server start, reload) stays fast.
    const client = import('@anthropic-ai/sdk').then(({ default: AnthropicClient }) => new AnthropicClient({ apiKey, baseURL: baseURL ?? null, fetch: httpFetch }));
    const entry = { key, client };
    this.current = entry;
    // A failed import is not kept: the next call tries again, as before.
    client.catch(() => {
      if (this.current === entry) this.current = undefined;
    });
    return client;
  }
}
