/**
 * The client's address behind reverse proxies. `X-Forwarded-For` is written by whoever sent the request, so it is
 * believed only as far as the `TRUST_PROXY` setting says the hops to its right are our own proxies:
 *
 * - unset, `false`, `0`: the header is ignored; the address is the socket's peer (the default);
 * - `true`: every hop is trusted; the left-most address of the header is the client (only when nothing but the proxy
 *   can reach the server);
 * - a hop count `n`: the last `n` hops are our proxies; the client is the address the outermost of them saw;
 * - a comma list of addresses or CIDRs (and the names `loopback`, `linklocal`, `uniquelocal`): walking from the socket
 *   leftwards, the first address that is not a trusted proxy is the client.
 */
import { BlockList, isIP } from 'node:net';

export type ProxyTrust =
  | { kind: 'none' }
  | { kind: 'all' }
  | { kind: 'hops'; hops: number }
  | { kind: 'list'; trusted: BlockList; source: string };

const NAMED: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** Parse `TRUST_PROXY`; a value that is none of the accepted forms throws, naming the bad entry. */
export function parseTrustProxy(value: string | undefined): ProxyTrust {
  const text = (value ?? '').trim();
  if (text === '' || /^(false|0|off|no)$/i.test(text)) return { kind: 'none' };
  if (/^(true|on|yes)$/i.test(text)) return { kind: 'all' };
  if (/^\d+$/.test(text)) return { kind: 'hops', hops: Number(text) };
  const trusted = new BlockList();
  for (const raw of text.split(',')) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    for (const cidr of NAMED[entry] ?? [entry]) addEntry(trusted, cidr, raw.trim());
  }
  return { kind: 'list', trusted, source: text };
}

function addEntry(list: BlockList, cidr: string, original: string): void {
  const [address, prefixText, extra] = cidr.split('/');
  const family = isIP(address);
  const bad = () => new Error(`TRUST_PROXY: "${original}" is not an IP address, a CIDR, a hop count, true/false, or loopback/linklocal/uniquelocal`);
  if (!family || extra !== undefined) throw bad();
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (prefixText === undefined) return list.addAddress(address, type);
  const prefix = Number(prefixText);
  if (!/^\d+$/.test(prefixText) || prefix > (family === 4 ? 32 : 128)) throw bad();
  list.addSubnet(address, prefix, type);
}

/** `::ffff:1.2.3.4` → `1.2.3.4`; anything that is not an IP address → `undefined`. */
export function normalizeAddress(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  let a = raw.trim();
  if (a.startsWith('[') && a.includes(']')) a = a.slice(1, a.indexOf(']'));
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  if (mapped) a = mapped[1];
  return isIP(a) ? a : undefined;
}

function isTrusted(list: BlockList, address: string): boolean {
  return list.check(address, isIP(address) === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The client address for one request. `forwardedFor` is the raw `X-Forwarded-For` header. A hop that is not a valid
 * IP address was not written by a trusted proxy, so the walk stops at the hop to its right.
 */
export function clientAddress(socketAddress: string | undefined, forwardedFor: string | undefined, trust: ProxyTrust): string {
  const peer = normalizeAddress(socketAddress) ?? socketAddress ?? '';
  if (trust.kind === 'none' || !forwardedFor) return peer;
  // Right to left: the socket's peer first, then what each proxy says it saw.
  const hops = forwardedFor.split(',').map((h) => h.trim()).filter(Boolean).reverse();
  let client = peer;
  for (let i = 0; i < hops.length; i++) {
    if (trust.kind === 'hops' && i >= trust.hops) break;
    if (trust.kind === 'list' && (!isIP(client) || !isTrusted(trust.trusted, client))) break;
    const next = normalizeAddress(hops[i]);
    if (!next) break;
    client = next;
  }
  return client;
}

/**
 * The unit a limit counts per: an IPv4 address, or the /64 network of an IPv6 address — one subscriber usually gets a
 * whole /64, so counting single IPv6 addresses would let one attacker rotate through billions of them.
 */
export function addressBucket(address: string): string {
  if (isIP(address) !== 6) return address;
  const [head, tail = ''] = address.toLowerCase().split('::');
  const headParts = head ? head.split(':') : [];
  const tailParts = address.includes('::') && tail ? tail.split(':') : [];
  const width = (parts: string[]) => parts.reduce((n, p) => n + (p.includes('.') ? 2 : 1), 0);
  const zeros = address.includes('::') ? 8 - width(headParts) - width(tailParts) : 0;
  const groups = [...headParts, ...Array<string>(Math.max(0, zeros)).fill('0'), ...tailParts];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
