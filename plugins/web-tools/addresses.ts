/**
 * Which network addresses an outbound fetch may reach. Loopback, private, shared, link-local (cloud metadata), multicast,
 * reserved and documentation ranges are refused, in IPv4 and IPv6 — IPv4-mapped, NAT64 and 6to4 forms are judged by
 * the IPv4 address they carry. Node's `net.BlockList` does the prefix matching.
 */
import { BlockList, isIP } from 'node:net';

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8], ['100::', 64],
  ['2001:db8::', 32], ['2001::', 23],
] as const) blocked.addSubnet(net, bits, 'ipv6');

/** The IPv4 address an IPv6 address embeds (mapped `::ffff:a.b.c.d`, compatible, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`). */
function embeddedV4(v6: string): string | undefined {
  const lower = v6.toLowerCase();
  const dotted = /^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const groups = expand(lower);
  if (!groups) return undefined;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  if (groups.slice(0, 5).every((g) => g === 0) && (groups[5] === 0xffff || groups[5] === 0)) return v4(groups[6], groups[7]);
  if (groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((g) => g === 0)) return v4(groups[6], groups[7]);
  if (groups[0] === 0x2002) return v4(groups[1], groups[2]);
  return undefined;
}

/** Eight 16-bit groups of an IPv6 address (no zone, no dotted tail), or undefined. */
function expand(v6: string): number[] | undefined {
  if (v6.includes('.')) return undefined;
  const [head, tail] = v6.split('::');
  const parse = (s: string) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const h = parse(head);
  const t = tail === undefined ? [] : parse(tail);
  const fill = 8 - h.length - t.length;
  if (fill < 0 || (tail === undefined && fill !== 0)) return undefined;
  return [...h, ...Array(fill).fill(0), ...t];
}

/** True when `address` (an IP literal) is one an outbound fetch must not reach. */
export function isPrivateAddress(address: string): boolean {
  const ip = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(ip);
  if (family === 4) return blocked.check(ip, 'ipv4');
  if (family === 6) {
    const v4 = embeddedV4(ip);
    if (v4) return blocked.check(v4, 'ipv4');
    return blocked.check(ip, 'ipv6');
  }
  return true; // not an address at all: refuse
}
