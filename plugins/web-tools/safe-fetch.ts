/**
 * An outbound GET that cannot be turned against the host (SSRF). The host name is resolved once, every address is
 * checked, and the connection is made to exactly the checked address (the `lookup` hook hands the socket the address
 * we approved — no second resolution an attacker's DNS could answer differently). Redirects are followed by hand, each
 * hop checked again. Bodies are capped in bytes and the whole fetch in time.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import type * as Http from 'node:http';
import type * as Https from 'node:https';
import { createRequire } from 'node:module';
import { isIP, type LookupFunction } from 'node:net';
import zlib from 'node:zlib';
import { AppError, badRequest } from '../../core/plugin-api/index.ts';
import { isPrivateAddress } from './addresses.ts';


/**
 * Built-ins through `require`, not `import`: the ES module facade of `node:http` reads every export, and its WebSocket
 * getters load undici with tls and http2 (~9 MB resident in a bare process); this plugin must not be what loads them
 * into every server at start (issue #16).
 */
const requireBuiltin = createRequire(import.meta.url);
const http = requireBuiltin('node:http') as typeof Http;
/** `node:https` (and with it tls, ~7 MB resident) on the first https fetch, not when the plugin loads (issue #16). */
const https = (): typeof Https => requireBuiltin('node:https') as typeof Https;
type IncomingMessage = Http.IncomingMessage;

export interface FetchPolicy {
  /** Host names (or IP literals) an admin allowed although they are private. */
  allowPrivateHosts: string[];
  maxBytes: number;
  timeoutMs: number;
  maxRedirects: number;
  userAgent: string;
}

export interface FetchedPage {
  url: string;
  status: number;
  contentType: string;
  body: string;
  truncated: boolean;
}

export const blockedAddress = (host: string) =>
  new AppError(403, 'PRIVATE_ADDRESS_BLOCKED', `Fetching ${host} is not allowed: it is a loopback, private, link-local or metadata address (an admin can allow the host in web_allow_private_hosts)`);

function parseTarget(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badRequest('Not a valid URL', undefined, 'INVALID_URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badRequest('Only http and https URLs can be fetched', undefined, 'INVALID_URL');
  if (url.username || url.password) throw badRequest('URLs with credentials are not fetched', undefined, 'INVALID_URL');
  return url;
}

/** The address to connect to, after the checks (the browser plugin's proxy uses it too). */
export async function approvedAddress(url: Pick<URL, 'hostname'>, policy: Pick<FetchPolicy, 'allowPrivateHosts'>): Promise<{ address: string; family: number }> {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const allowed = policy.allowPrivateHosts.some((h) => h.toLowerCase() === host);
  const family = isIP(host);
  const addresses = family ? [{ address: host, family }] : await dnsLookup(host, { all: true, verbatim: true }).catch(() => {
    throw new AppError(502, 'DNS_FAILED', `Could not resolve ${host}`);
  });
  if (!addresses.length) throw new AppError(502, 'DNS_FAILED', `Could not resolve ${host}`);
  // Every address must pass: a name that resolves to one public and one private address is refused.
  if (!allowed && addresses.some((a) => isPrivateAddress(a.address))) throw blockedAddress(host);
  return addresses[0];
}

function request(url: URL, pinned: { address: string; family: number }, policy: FetchPolicy, signal: AbortSignal): Promise<IncomingMessage> {
  const lookup: LookupFunction = (_host, options, cb) => {
    if ((options as { all?: boolean }).all) (cb as any)(null, [pinned]);
    else cb(null, pinned.address, pinned.family);
  };
  const mod = url.protocol === 'https:' ? https() : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(url, {
      method: 'GET', lookup, signal, agent: false,
      headers: { 'user-agent': policy.userAgent, accept: 'text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5', 'accept-encoding': 'gzip, deflate, br' },
    }, resolve);
    req.on('error', reject);
    req.end();
  });
}

async function readCapped(res: IncomingMessage, maxBytes: number): Promise<{ body: Buffer; truncated: boolean }> {
  const enc = String(res.headers['content-encoding'] ?? '').toLowerCase();
  const stream = enc === 'gzip' ? res.pipe(zlib.createGunzip()) : enc === 'deflate' ? res.pipe(zlib.createInflate()) : enc === 'br' ? res.pipe(zlib.createBrotliDecompress()) : res;
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    parts.push(chunk);
    size += chunk.length;
    if (size >= maxBytes) {
      res.destroy(); // stop downloading: the cap is reached (a decompression bomb stops here too)
      return { body: Buffer.concat(parts).subarray(0, maxBytes), truncated: true };
    }
  }
  return { body: Buffer.concat(parts), truncated: false };
}

/** GET `raw` under `policy`; throws coded 4xx/5xx errors for refused, unreachable or slow targets. */
export async function safeFetch(raw: string, policy: FetchPolicy, outer?: AbortSignal): Promise<FetchedPage> {
  const signal = AbortSignal.any([AbortSignal.timeout(policy.timeoutMs), ...(outer ? [outer] : [])]);
  let url = parseTarget(raw);
  try {
    for (let hop = 0; ; hop++) {
      const res = await request(url, await approvedAddress(url, policy), policy, signal);
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        if (hop >= policy.maxRedirects) throw new AppError(502, 'TOO_MANY_REDIRECTS', `More than ${policy.maxRedirects} redirects`);
        url = parseTarget(new URL(res.headers.location, url).toString());
        continue;
      }
      const { body, truncated } = await readCapped(res, policy.maxBytes);
      const contentType = String(res.headers['content-type'] ?? '');
      const charset = /charset=([\w-]+)/i.exec(contentType)?.[1] ?? 'utf-8';
      let text: string;
      try {
        text = new TextDecoder(charset).decode(body);
      } catch {
        text = body.toString('utf8');
      }
      return { url: url.toString(), status, contentType, body: text, truncated };
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (signal.aborted) throw new AppError(504, 'FETCH_TIMEOUT', `The page did not answer within ${policy.timeoutMs} ms`);
    throw new AppError(502, 'FETCH_FAILED', `Could not fetch ${url.hostname}: ${(error as NodeJS.ErrnoException).code ?? 'connection failed'}`);
  }
}
