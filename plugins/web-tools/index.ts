/**
 * Web tools: `web_search` (DuckDuckGo, SearXNG or Brave) and `web_fetch` (a page as readable Markdown). Fetches refuse
 * loopback, private, link-local and metadata addresses — after DNS resolution and on every redirect — unless the admin
 * lists the host in `web_allow_private_hosts`. Also `POST /api/web/fetch` (search is a tool only).
 */
import { z } from 'zod';
import { definePlugin, type OutboundAddressService, type PluginContext } from '../../core/plugin-api/index.ts';
import { cut, htmlToMarkdown } from './readable.ts';
import { approvedAddress, safeFetch } from './safe-fetch.ts';
import { webSearch } from './search.ts';
import { SettingsSchema, type Settings } from './settings.ts';
import { AppError } from '../../core/plugin-api/index.ts';

const SearchInput = z.object({
  query: z.string().max(500).describe('What to search for'),
  max_results: z.number().int().min(1).max(20).default(8).describe('Number of results (default 8)'),
});
const FetchInput = z.object({
  url: z.string().max(4096).describe('The http(s) URL to read'),
  prompt: z.string().max(2000).optional().describe('What to look for in the page (returned with it, to read it with that in mind)'),
});

const TEXTUAL = /^(text\/|application\/(json|xml|xhtml\+xml|javascript|ld\+json|rss\+xml|atom\+xml))/i;

export function fetchReadable(ctx: PluginContext<Settings>, url: string, prompt: string | undefined, signal?: AbortSignal) {
  const s = ctx.settings.get();
  return safeFetch(url, {
    allowPrivateHosts: s.web_allow_private_hosts, maxBytes: s.fetch_max_bytes, timeoutMs: s.fetch_timeout_ms,
    maxRedirects: s.max_redirects, userAgent: 'Mozilla/5.0 (compatible; AION web_fetch)',
  }, signal).then(async (page) => {
    const type = page.contentType.split(';')[0].trim() || 'text/html';
    if (!TEXTUAL.test(type)) throw new AppError(415, 'UNSUPPORTED_CONTENT', `web_fetch reads text pages; this one is ${type}`);
    const isHtml = /html/i.test(type) || (!page.contentType && /<html/i.test(page.body));
    const { title, markdown } = isHtml ? await htmlToMarkdown(page.body, page.url) : { title: '', markdown: page.body };
    const content = cut(markdown, s.fetch_max_chars);
    return {
      url: page.url, status_code: page.status, title, content: content.text,
      truncated: content.truncated || page.truncated, ...(prompt ? { prompt } : {}),
    };
  });
}

export default definePlugin({
  name: 'web-tools',
  version: '1.0.0',
  description: 'web_search (DuckDuckGo, SearXNG, Brave) and web_fetch (readable Markdown) with private addresses refused',
  settings: SettingsSchema,
  setup(ctx) {
    // The one outbound address policy; the browser plugin connects through it too.
    const policy: OutboundAddressService = { approve: (hostname) => approvedAddress({ hostname }, { allowPrivateHosts: ctx.settings.get().web_allow_private_hosts }) };
    ctx.services.provide('outbound-address', policy);
    const env = () => ({ brave: ctx.secrets.get('BRAVE_API_KEY'), searxng: ctx.secrets.get('SEARXNG_URL') });
    ctx.tools.register({
      name: 'web_search',
      description: 'Search the web. Returns titles, URLs and snippets.',
      input: SearchInput,
      risk: 'network',
      run: (args, call) => webSearch(args.query, args.max_results, ctx.settings.get(), env(), call.signal),
    });
    ctx.tools.register({
      name: 'web_fetch',
      description: 'Read a web page as Markdown (the main text, without menus and ads). Private and local addresses are refused.',
      input: FetchInput,
      risk: 'network',
      run: (args, call) => fetchReadable(ctx, args.url, args.prompt, call.signal),
    });
    ctx.routes.post('/web/fetch', { summary: 'A web page as Markdown (as the web_fetch tool)', body: FetchInput }, (_c, { body }) =>
      fetchReadable(ctx, body.url, body.prompt),
    );
  },
});
