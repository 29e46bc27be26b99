/**
 * Web search on three engines: DuckDuckGo's no-key HTML endpoint, a SearXNG instance's JSON API, Brave's Search API.
 * The base URLs are settings (the engines are the admin's choice, so they are not subject to the private-address rule —
 * a self-hosted SearXNG lives on the LAN).
 */
import { AppError, badRequest } from '../../core/plugin-api/index.ts';
import { loadDomParser } from './parsers.ts';
import type { Settings } from './settings.ts';

export interface SearchResult {
  title: string;
  url: string;
  snippet: string;
}

export type Engine = 'duckduckgo' | 'searxng' | 'brave';

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36';

export function pickEngine(s: Settings, env: { brave?: string; searxng?: string }): Engine {
  if (s.search_engine !== 'auto') return s.search_engine;
  if (env.brave) return 'brave';
  if (s.searxng_url || env.searxng) return 'searxng';
  return 'duckduckgo';
}

async function get(url: string, init: RequestInit, engine: string, signal: AbortSignal): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal, redirect: 'follow' });
  } catch {
    throw new AppError(502, 'SEARCH_FAILED', signal.aborted ? `${engine} did not answer in time` : `${engine} could not be reached`);
  }
  if (!res.ok) throw new AppError(502, 'SEARCH_FAILED', `${engine} answered ${res.status}`);
  return res;
}

/** DuckDuckGo wraps result links as `/l/?uddg=<target>`. */
function unwrapDdg(href: string): string {
  try {
    const u = new URL(href, 'https://duckduckgo.com');
    return u.pathname === '/l/' && u.searchParams.get('uddg') ? u.searchParams.get('uddg')! : u.toString();
  } catch {
    return href;
  }
}

async function duckduckgo(query: string, max: number, s: Settings, signal: AbortSignal): Promise<SearchResult[]> {
  const res = await get(`${s.duckduckgo_url.replace(/\/$/, '')}/html/`, {
    method: 'POST',
    headers: { 'user-agent': UA, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ q: query }).toString(),
  }, 'DuckDuckGo', signal);
  const html = await res.text();
  const { document } = (await loadDomParser())(html);
  const out: SearchResult[] = [];
  for (const body of document.querySelectorAll('.result__body, .result')) {
    const a = body.querySelector('a.result__a');
    if (!a) continue;
    out.push({ title: a.textContent?.trim() ?? '', url: unwrapDdg(a.getAttribute('href') ?? ''), snippet: body.querySelector('.result__snippet')?.textContent?.trim() ?? '' });
    if (out.length >= max) break;
  }
  return out;
}

async function searxng(query: string, max: number, base: string, signal: AbortSignal): Promise<SearchResult[]> {
  const url = new URL('search', base.endsWith('/') ? base : `${base}/`);
  url.search = new URLSearchParams({ q: query, format: 'json' }).toString();
  const data: any = await (await get(url.toString(), { headers: { accept: 'application/json', 'user-agent': UA } }, 'SearXNG', signal)).json().catch(() => ({}));
  return (Array.isArray(data.results) ? data.results : []).slice(0, max).map((r: any) => ({ title: String(r.title ?? ''), url: String(r.url ?? ''), snippet: String(r.content ?? '') }));
}

async function brave(query: string, max: number, s: Settings, key: string, signal: AbortSignal): Promise<SearchResult[]> {
  const url = new URL('/res/v1/web/search', s.brave_url);
  url.search = new URLSearchParams({ q: query, count: String(Math.min(max, 20)) }).toString();
  const res = await get(url.toString(), { headers: { accept: 'application/json', 'x-subscription-token': key } }, 'Brave Search', signal);
  const data: any = await res.json().catch(() => ({}));
  return (data?.web?.results ?? []).slice(0, max).map((r: any) => ({ title: String(r.title ?? ''), url: String(r.url ?? ''), snippet: String(r.description ?? '').replace(/<\/?strong>/g, '') }));
}

export async function webSearch(query: string, max: number, s: Settings, env: { brave?: string; searxng?: string }, outer: AbortSignal) {
  const q = query.trim();
  if (!q) throw badRequest('query is required', undefined, 'INVALID_QUERY');
  const engine = pickEngine(s, env);
  const signal = AbortSignal.any([outer, AbortSignal.timeout(s.fetch_timeout_ms)]);
  let results: SearchResult[];
  if (engine === 'brave') {
    if (!env.brave) throw new AppError(503, 'SEARCH_NOT_CONFIGURED', 'BRAVE_API_KEY is not set');
    results = await brave(q, max, s, env.brave, signal);
  } else if (engine === 'searxng') {
    const base = s.searxng_url ?? env.searxng;
    if (!base) throw new AppError(503, 'SEARCH_NOT_CONFIGURED', 'No SearXNG URL is set (SEARXNG_URL or the searxng_url setting)');
    results = await searxng(q, max, base, signal);
  } else results = await duckduckgo(q, max, s, signal);
  return { query: q, engine, results, count: results.length };
}
