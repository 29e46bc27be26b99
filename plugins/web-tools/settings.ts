/** web-tools settings (`POST /api/config/settings { "web-tools": { … } }`). */
import { z } from 'zod';

const Url = z.string().url().max(500);

export const SettingsSchema = z.object({
  /** `auto`: Brave when BRAVE_API_KEY is set, else SearXNG when a URL is set, else DuckDuckGo. */
  search_engine: z.enum(['auto', 'duckduckgo', 'searxng', 'brave']).default('auto'),
  duckduckgo_url: Url.default('https://html.duckduckgo.com'),
  /** SearXNG base URL (else `SEARXNG_URL`). */
  searxng_url: Url.optional(),
  brave_url: Url.default('https://api.search.brave.com'),
  /** Hosts web_fetch (and the browser) may reach although they are loopback/private (admin decision). */
  web_allow_private_hosts: z.array(z.string().min(1).max(253)).max(100).default([]),
  fetch_timeout_ms: z.number().int().min(1000).max(120_000).default(15_000),
  fetch_max_bytes: z.number().int().min(1024).max(20_000_000).default(2_000_000),
  /** Markdown returned to the model, at most. */
  fetch_max_chars: z.number().int().min(500).max(200_000).default(20_000),
  max_redirects: z.number().int().min(0).max(20).default(5),
});

export type Settings = z.infer<typeof SettingsSchema>;
