import { describe, expect, it } from 'vitest';
import {
  ipv6Network64,
  normalizeAddress,
  parseTrustedProxies,
  resolveClientAddress,
  TrustedProxiesError,
} from './client-address';

const resolve = (socketAddress: string | undefined, forwardedFor: string | string[] | undefined, trusted?: string) =>
  resolveClientAddress({ socketAddress, forwardedFor, trust: parseTrustedProxies(trusted) });

describe('client address: one spelling per address', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    [' 203.0.113.7 ', '203.0.113.7'],
    ['203.0.113.7:51234', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['::FFFF:cb00:7107', '203.0.113.7'],
    ['[::ffff:203.0.113.7]:443', '203.0.113.7'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['[2001:db8::1]:8443', '2001:db8::1'],
    ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['::1', '::1'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
  ])('%s → %s', (raw, expected) => {
    expect(normalizeAddress(raw)).toBe(expected);
  });

  it.each([
    '',
    'unknown',
    '203.0.113',
    '203.0.113.256',
    '203.000.113.7',
    '2001:db8::1::2',
    '[2001:db8::1',
    'evil.example.com',
    '1.2.3.4, 5.6.7.8',
    `${'1'.repeat(200)}`,
  ])('%j is not an address', (raw) => {
    expect(normalizeAddress(raw)).toBeNull();
  });

  it('groups IPv6 by /64 for the throttle', () => {
    expect(ipv6Network64('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(ipv6Network64('2001:db8:1:2::9')).toBe('2001:db8:1:2::/64');
    expect(ipv6Network64('203.0.113.7')).toBeNull();
  });
});

describe('client address: CUTOVER_TRUSTED_PROXIES', () => {
  it('parses nobody, a hop count and a list of ranges', () => {
    expect(parseTrustedProxies(undefined)).toEqual({ kind: 'none' });
    expect(parseTrustedProxies('')).toEqual({ kind: 'none' });
    expect(parseTrustedProxies('0')).toEqual({ kind: 'none' });
    expect(parseTrustedProxies('2')).toEqual({ kind: 'count', hops: 2 });
    const ranges = parseTrustedProxies('10.0.0.0/8, 192.0.2.1, 2001:db8::/32, ::ffff:172.16.0.0/108');
    expect(ranges.kind === 'ranges' && ranges.ranges.map((r) => [r.family, r.prefix])).toEqual([
      [4, 8],
      [4, 32],
      [6, 32],
      [4, 12],
    ]);
  });

  it.each([
    ['100', /0–99/],
    ['10.0.0.1/8', /host bits set \(did you mean 10\.0\.0\.0\/8\?\)/],
    ['10.0.0.0/33', /prefix length outside 0–32/],
    ['2001:db8::/129', /prefix length outside 0–128/],
    ['10.0.0.0/8,,10.1.0.0/16', /empty entry/],
    ['proxy.internal', /not an IP address or CIDR range/],
    ['10.0.0.0/8/9', /not an IP address or CIDR range/],
    ['10.0.0.0/-1', /not an IP address or CIDR range/],
    ['0.0.0.0/0', /trusts every address/],
    ['::/0', /trusts every address/],
    ['2001:db8::1/32', /host bits set \(did you mean 2001:db8::\/32\?\)/],
  ])('refuses %j with a message naming the problem', (raw, message) => {
    expect(() => parseTrustedProxies(raw)).toThrow(TrustedProxiesError);
    expect(() => parseTrustedProxies(raw)).toThrow(message);
  });
});

describe('client address: resolution', () => {
  it('trusts nobody by default: the socket address, whatever X-Forwarded-For says', () => {
    expect(resolve('198.51.100.4', '1.2.3.4')).toBe('198.51.100.4');
    expect(resolve('::ffff:198.51.100.4', '1.2.3.4, 5.6.7.8')).toBe('198.51.100.4');
    expect(resolve('2001:db8::5', undefined)).toBe('2001:db8::5');
    expect(resolve(undefined, '1.2.3.4')).toBe('unknown');
  });

  it('count form: the entry the nearest N hops vouch for, read from the right', () => {
    // Client 203.0.113.7 → proxy A (10.0.0.1) → proxy B (socket 10.0.0.2); the client put 6.6.6.6 in front.
    const header = '6.6.6.6, 203.0.113.7, 10.0.0.1';
    expect(resolve('10.0.0.2', header, '1')).toBe('10.0.0.1');
    expect(resolve('10.0.0.2', header, '2')).toBe('203.0.113.7');
    expect(resolve('10.0.0.2', header, '3')).toBe('6.6.6.6');
    // Fewer entries than hops: the leftmost one, still written by a trusted hop.
    expect(resolve('10.0.0.2', '203.0.113.7', '3')).toBe('203.0.113.7');
    expect(resolve('10.0.0.2', undefined, '1')).toBe('10.0.0.2');
  });

  it('range form: walks left only while the current hop is a trusted proxy', () => {
    const trusted = '10.0.0.0/8';
    expect(resolve('10.0.0.2', '6.6.6.6, 203.0.113.7, 10.0.0.1', trusted)).toBe('203.0.113.7');
    // Not from a trusted proxy: the header is the client's own words.
    expect(resolve('198.51.100.4', '203.0.113.7', trusted)).toBe('198.51.100.4');
    // Every hop trusted (an internal client): the leftmost.
    expect(resolve('10.0.0.2', '10.9.9.9, 10.0.0.1', trusted)).toBe('10.9.9.9');
    expect(resolve('::ffff:10.0.0.2', '203.0.113.7', trusted)).toBe('203.0.113.7');
    expect(resolve('10.0.0.2', '[2001:db8::7]:4711', trusted)).toBe('2001:db8::7');
    expect(resolve('2001:db8:ffff::1', '2001:db8:1::7, 198.51.100.9', '2001:db8:ffff::/48')).toBe('198.51.100.9');
    // A trusted proxy written with brackets and a port is still that proxy: the walk goes on past it.
    expect(resolve('10.0.0.2', '203.0.113.7, [::ffff:10.0.0.1]:80', trusted)).toBe('203.0.113.7');
    // An IPv6 range never covers an IPv4 hop, nor an IPv4 range an IPv6 one.
    expect(resolve('10.0.0.2', '203.0.113.7', '2001:db8::/32')).toBe('10.0.0.2');
    expect(resolve('2001:db8::2', '203.0.113.7', trusted)).toBe('2001:db8::2');
  });

  it('reads repeated headers (an array, or joined) as one list', () => {
    expect(resolve('10.0.0.2', ['6.6.6.6', '203.0.113.7'], '1')).toBe('203.0.113.7');
    expect(resolve('10.0.0.2', '6.6.6.6,203.0.113.7', '10.0.0.0/8')).toBe('203.0.113.7');
  });

  it('a malformed entry where a trusted proxy should have written an address stops at that proxy', () => {
    expect(resolve('10.0.0.2', 'unknown', '10.0.0.0/8')).toBe('10.0.0.2');
    expect(resolve('10.0.0.2', '203.0.113.7, garbage, 10.0.0.1', '10.0.0.0/8')).toBe('10.0.0.1');
    expect(resolve('10.0.0.2', '203.0.113.7, ', '1')).toBe('10.0.0.2');
    expect(resolve('10.0.0.2', '', '2')).toBe('10.0.0.2');
    expect(resolve('10.0.0.2', ',,,', '10.0.0.0/8')).toBe('10.0.0.2');
  });

  it('a header of thousands of entries costs no more than its last few', () => {
    const flood = `${Array.from({ length: 5_000 }, (_, i) => `10.1.${(i >> 8) & 255}.${i & 255}`).join(', ')}`;
    // Only the last 32 entries are read: entry 4,968 of 0–4,999 is the furthest a walk gets.
    expect(resolve('10.0.0.2', flood, '10.0.0.0/8')).toBe(`10.1.${4968 >> 8}.${4968 & 255}`);
  });
});
