/**
 * One SDK client per key and base URL, built on first use and reused: building a client per call meant header, logger
 * and option setup on every request (issue #16's profile showed the same for OpenAI). A changed key or base URL gets
 * a new client, so a key saved at run time still applies to the next call. Requests go out through `httpFetch`, which
 * holds far less per open stream than the global fetch (issue #16's heap diff).
 */
import type Anthropic from '@anthropic-ai/sdk';
import { httpFetch } from '../../core/plugin-api/index.ts';

export class ClientCache {
  private current: { key: string; client: Anthropic } | undefined;

  async get(apiKey: string, baseURL: string | undefined): Promise<Anthropic> {
    const key = `${apiKey}\u0000${baseURL ?? ''}`;
    if (this.current?.key === key) return this.current.client;
    // The SDK is imported on first use, so loading the plugin (server start, reload) stays fast.
    const { default: AnthropicClient } = await import('@anthropic-ai/sdk');
    const client = new AnthropicClient({ apiKey, baseURL: baseURL ?? null, fetch: httpFetch });
    this.current = { key, client };
    return client;
  }
}
