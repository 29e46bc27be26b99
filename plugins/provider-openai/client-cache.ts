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
/**
 * The client on its way, per key and base URL: the entry is made before the SDK's import resolves, so the calls that
 * arrive while it loads share one client. A cache of finished clients only let 1,000 streams started together on a
 * fresh server each import, build and keep a client of their own — and `send.ts` then built each one's first-attempt
 * request once more (issue #16: the 1,000 open streams' burst).
 */
const clients = new Map<string, Promise<OpenAI>>();

/** The client for this key and base URL (`undefined`: the SDK's default). The SDK is imported on first use. */
export function openAIClient(apiKey: string, baseURL: string | undefined): Promise<OpenAI> {
  const key = `${apiKey}\u0000${baseURL ?? ''}`;
  const cached = clients.get(key);
  if (cached) return cached;
  const client = import('openai').then(({ default: OpenAIClient }) => new OpenAIClient({ apiKey, baseURL: baseURL ?? null, fetch: httpFetch }));
  if (clients.size >= MAX_CLIENTS) clients.delete(clients.keys().next().value!);
  clients.set(key, client);
  // A failed import is not kept: the next call tries again, as before.
  client.catch(() => clients.get(key) === client && clients.delete(key));
  return client;
}
