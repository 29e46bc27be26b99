/**
 * SDK clients reused per key and base URL: building one per call meant header, logger and option setup on every
 * request (issue #16's profile: `openai` 10 % and `undici` 11.5 % of server time over short streams). A changed key or
 * base URL is a different entry, so a key saved at run time applies to the next call; the map is small and bounded.
 * Requests go out through `httpFetch` (node:http keep-alive agents), which holds far less per open stream than the
 * global fetch (issue #16's heap diff).
 */
import type OpenAI from 'openai';
import { httpFetch } from '../../core/plugin-api/index.ts';

const MAX_CLIENTS = 32;
const clients = new Map<string, OpenAI>();

/** The client for this key and base URL (`undefined`: the SDK's default). The SDK is imported on first use. */
export async function openAIClient(apiKey: string, baseURL: string | undefined): Promise<OpenAI> {
  const key = `${apiKey}\u0000${baseURL ?? ''}`;
  const cached = clients.get(key);
  if (cached) return cached;
  const { default: OpenAIClient } = await import('openai');
  const client = new OpenAIClient({ apiKey, baseURL: baseURL ?? null, fetch: httpFetch });
  if (clients.size >= MAX_CLIENTS) clients.delete(clients.keys().next().value!);
  clients.set(key, client);
  return client;
}
