/**
 * Pure logic of `TRUST_PROXY`: which hop of `X-Forwarded-For` is the client, for each form of the setting, and the
 * spoofing attempts that must not move it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressBucket, clientAddress, parseTrustProxy } from '../../core/http/client-address.ts';

const off = parseTrustProxy(undefined);

test('off (default, "false", "0"): the header is ignored', () => {
  for (const v of [undefined, '', 'false', '0']) assert.equal(clientAddress('10.0.0.5', '1.2.3.4', parseTrustProxy(v)), '10.0.0.5');
  assert.equal(clientAddress('::ffff:127.0.0.1', '1.2.3.4', off), '127.0.0.1', 'IPv4-mapped addresses are normalised');
});

test('a hop count takes the address the outermost trusted proxy saw', () => {
  const one = parseTrustProxy('1');
  assert.equal(clientAddress('10.0.0.5', '203.0.113.9', one), '203.0.113.9');
  assert.equal(clientAddress('10.0.0.5', '6.6.6.6, 203.0.113.9', one), '203.0.113.9', 'a client-written hop is not believed');
  assert.equal(clientAddress('10.0.0.5', '6.6.6.6, 203.0.113.9, 10.0.0.4', parseTrustProxy('2')), '203.0.113.9');
  assert.equal(clientAddress('10.0.0.5', undefined, one), '10.0.0.5');
  assert.equal(clientAddress('10.0.0.5', 'not-an-ip', one), '10.0.0.5', 'garbage never becomes an address');
});

test('true trusts the whole chain (left-most address)', () => {
  assert.equal(clientAddress('10.0.0.5', '203.0.113.9, 10.0.0.4', parseTrustProxy('true')), '203.0.113.9');
});

test('a CIDR list walks left only through trusted proxies', () => {
  const list = parseTrustProxy('10.0.0.0/8, 192.168.1.1, ::1');
  assert.equal(clientAddress('10.0.0.5', '6.6.6.6, 203.0.113.9, 10.9.9.9', list), '203.0.113.9');
  assert.equal(clientAddress('198.51.100.7', '203.0.113.9', list), '198.51.100.7', 'a peer that is not our proxy cannot forward');
  assert.equal(clientAddress('::1', '2001:db8::1', list), '2001:db8::1');
  assert.equal(clientAddress('192.168.1.1', '10.0.0.1', list), '10.0.0.1', 'all trusted: the left-most hop');
  assert.equal(clientAddress('127.0.0.1', '203.0.113.9', parseTrustProxy('loopback')), '203.0.113.9');
});

test('bad settings are refused with a message naming the entry', () => {
  assert.throws(() => parseTrustProxy('10.0.0.0/33'), /"10\.0\.0\.0\/33"/);
  assert.throws(() => parseTrustProxy('proxy.example.com'), /TRUST_PROXY/);
});

test('limits count IPv4 addresses one by one and IPv6 per /64', () => {
  assert.equal(addressBucket('203.0.113.9'), '203.0.113.9');
  assert.equal(addressBucket('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(addressBucket('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
  assert.equal(addressBucket('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(addressBucket('::1'), '0:0:0:0::/64');
  assert.equal(addressBucket('64:ff9b::192.0.2.1'), '64:ff9b:0:0::/64');
});
