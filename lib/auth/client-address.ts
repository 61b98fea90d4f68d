/**
 * Who is on the other end of a request (docs/architecture.md "Security"): the socket's address,
 * unless CUTOVER_TRUSTED_PROXIES says which reverse proxies in front of the console may name the
 * client in `X-Forwarded-For`. The header is read from the right — each proxy appends the address
 * it saw — and only as far as the hops are trusted: everything to the left of the first untrusted
 * hop was written by the client and can say anything. Pure functions, no I/O: the front server
 * (scripts/serve.ts) calls them for every request.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** Which proxies may speak for the client: nobody, the nearest N hops, or hops inside these ranges. */
export type TrustedProxies =
  | { kind: 'none' }
  | { kind: 'count'; hops: number }
  | { kind: 'ranges'; ranges: AddressRange[] };

export interface AddressRange {
  family: 4 | 6;
  /** The network address as a number (32 bits for IPv4, 128 for IPv6). */
  network: bigint;
  prefix: number;
  /** As the operator wrote it, for messages. */
  text: string;
}

export class TrustedProxiesError extends Error {}

/** The address of a request whose socket is already gone (Node reports none). */
export const UNKNOWN_ADDRESS = 'unknown';

/** X-Forwarded-For entries looked at, at most: more hops than this is not a real proxy chain. */
const MAX_FORWARDED_ENTRIES = 32;

function ipv4ToNumber(address: string): bigint {
  return address.split('.').reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n);
}

/** The eight 16-bit groups of a valid IPv6 address (an embedded IPv4 tail becomes the last two). */
function ipv6Groups(address: string): number[] {
  let text = address;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    const v4 = Number(ipv4ToNumber(last));
    tail.push(Math.floor(v4 / 0x10000), v4 % 0x10000);
    // "::ffff:1.2.3.4" → "::ffff" (+ two groups), "::1.2.3.4" → "::" (+ two groups).
    text = text.slice(0, lastColon + 1);
    if (!text.endsWith('::')) text = text.slice(0, -1);
  }
  const [head = '', rest] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16)));
  const left = parse(head);
  const right = [...parse(rest ?? ''), ...tail];
  const zeros = rest === undefined ? [] : new Array(8 - left.length - right.length).fill(0);
  return [...left, ...zeros, ...right];
}

/** RFC 5952 text: lower case, leading zeros dropped, the longest run of two or more zero groups as "::". */
function formatIpv6(groups: number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) length++;
    if (length > bestLength) [bestStart, bestLength] = [start, length];
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

function groupsToNumber(groups: number[]): bigint {
  return groups.reduce((value, group) => (value << 16n) | BigInt(group), 0n);
}

/**
 * One address in one spelling, or null when the text is not an address. Accepts what proxies
 * and sockets write: IPv6 in brackets, a port after the address, a zone id; an IPv4-mapped IPv6
 * address (`::ffff:10.1.2.3`, what a dual-stack socket reports) becomes plain IPv4, so one client
 * never counts as two.
 */
export function normalizeAddress(raw: string | null | undefined): string | null {
  if (!raw) return null;
  let text = raw.trim();
  if (text.length > 100) return null;
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
  if (bracketed?.[1]) text = bracketed[1];
  else if (/^[\d.]+:\d{1,5}$/.test(text)) text = text.slice(0, text.lastIndexOf(':'));
  if (isIPv4(text)) return text;
  const withoutZone = text.split('%')[0] ?? '';
  if (!isIPv6(withoutZone)) return null;
  const groups = ipv6Groups(withoutZone.toLowerCase());
  const mapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  if (mapped) {
    const [high = 0, low = 0] = groups.slice(6);
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  return formatIpv6(groups);
}

/** The /64 network of an IPv6 address (a single host usually owns a whole /64), else null. */
export function ipv6Network64(address: string): string | null {
  if (!isIPv6(address)) return null;
  const groups = ipv6Groups(address);
  return `${formatIpv6([...groups.slice(0, 4), 0, 0, 0, 0])}/64`;
}

function parseRange(text: string): AddressRange {
  const [addressText = '', prefixText, extra] = text.split('/');
  const address = normalizeAddress(addressText);
  if (!address || extra !== undefined || (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText))) {
    throw new TrustedProxiesError(`"${text}" is not an IP address or CIDR range`);
  }
  const family = isIPv4(address) ? 4 : 6;
  const bits = family === 4 ? 32 : 128;
  let prefix = prefixText === undefined ? bits : Number(prefixText);
  // "::ffff:10.0.0.0/104" is the IPv4 range 10.0.0.0/8 (mapped addresses are compared as IPv4).
  if (family === 4 && !isIPv4(addressText.trim()) && prefixText !== undefined) prefix -= 96;
  if (prefix < 0 || prefix > bits) throw new TrustedProxiesError(`"${text}" has a prefix length outside 0–${bits}`);
  const value = family === 4 ? ipv4ToNumber(address) : groupsToNumber(ipv6Groups(address));
  const hostBits = BigInt(bits - prefix);
  const network = (value >> hostBits) << hostBits;
  if (network !== value) {
    throw new TrustedProxiesError(
      `"${text}" has host bits set (did you mean ${formatAddressNumber(family, network)}/${prefix}?)`,
    );
  }
  return { family, network, prefix, text: text.trim() };
}

function formatAddressNumber(family: 4 | 6, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((shift) => Number((value >> shift) & 0xffn)).join('.');
  return formatIpv6([...Array(8).keys()].map((i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn)));
}

/**
 * CUTOVER_TRUSTED_PROXIES: unset, empty or "0" → trust nobody; a whole number N → the nearest N
 * hops are proxies; otherwise a comma-separated list of addresses or CIDR ranges of the proxies.
 * Throws TrustedProxiesError with the offending part.
 */
export function parseTrustedProxies(raw: string | null | undefined): TrustedProxies {
  const text = (raw ?? '').trim();
  if (text === '' || text === '0') return { kind: 'none' };
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops > 99) throw new TrustedProxiesError(`${text} proxy hops is more than any real chain (0–99)`);
    return { kind: 'count', hops };
  }
  const parts = text.split(',').map((part) => part.trim());
  if (parts.some((part) => part === '')) throw new TrustedProxiesError(`"${text}" has an empty entry`);
  return { kind: 'ranges', ranges: parts.map(parseRange) };
}

function inRanges(address: string, ranges: AddressRange[]): boolean {
  const family = isIPv4(address) ? 4 : isIPv6(address) ? 6 : 0;
  if (family === 0) return false;
  const value = family === 4 ? ipv4ToNumber(address) : groupsToNumber(ipv6Groups(address));
  return ranges.some((range) => {
    if (range.family !== family) return false;
    const hostBits = BigInt((family === 4 ? 32 : 128) - range.prefix);
    return (value >> hostBits) << hostBits === range.network;
  });
}

/** The entries of X-Forwarded-For (repeated headers arrive joined with ", " or as an array), nearest last. */
function forwardedEntries(header: string | string[] | undefined): string[] {
  if (header === undefined) return [];
  const joined = Array.isArray(header) ? header.join(',') : header;
  return joined.split(',').slice(-MAX_FORWARDED_ENTRIES);
}

/**
 * The client's address. The socket's peer is the nearest hop; X-Forwarded-For is consulted only
 * while the current hop is a trusted proxy, walking from its right end. A malformed entry where a
 * trusted proxy should have written an address ends the walk at that proxy: the address it
 * relayed is unknown, and the proxy's own address is the most that is known for sure.
 */
export function resolveClientAddress(params: {
  socketAddress: string | undefined;
  forwardedFor: string | string[] | undefined;
  trust: TrustedProxies;
}): string {
  const socket = normalizeAddress(params.socketAddress) ?? UNKNOWN_ADDRESS;
  const { trust } = params;
  if (trust.kind === 'none' || socket === UNKNOWN_ADDRESS) return socket;
  const entries = forwardedEntries(params.forwardedFor);
  let current = socket;
  if (trust.kind === 'count') {
    for (let hop = 1; hop <= trust.hops; hop++) {
      const next = normalizeAddress(entries[entries.length - hop]);
      // Fewer entries than proxies: the leftmost one was still written by a trusted hop.
      if (!next) return current;
      current = next;
    }
    return current;
  }
  for (let index = entries.length - 1; index >= 0; index--) {
    if (!inRanges(current, trust.ranges)) return current;
    const next = normalizeAddress(entries[index]);
    if (!next) return current;
    current = next;
  }
  return current;
}
