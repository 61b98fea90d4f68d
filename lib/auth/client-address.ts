/**
 * Who is on the other end of a request (docs/architecture.md "Security"): the socket's address,
 * unless CUTOVER_TRUSTED_PROXIES says which reverse proxies in front of the console may name the
 * client in `X-Forwarded-For`. The header is read from the right — each proxy appends the address
 * it saw — and only as far as the hops are trusted: everything to the left of the first untrusted
 * hop was written by the client and can say anything. Pure functions, no I/O: the front server
 * (scripts/serve.ts) calls them for every request.
 *
 * The walk and the range matching are proxy-addr's (what Express uses for `trust proxy`); address
 * arithmetic is ipaddr.js's. What stays here, and why (docs/architecture.md "Hand-written, and
 * why"): one spelling per address, strict parsing of the setting with messages an operator can act
 * on, and a malformed entry ending the walk at the proxy that relayed it.
 */
import type { IncomingMessage } from 'node:http';
import { isIPv4, isIPv6 } from 'node:net';
import ipaddr from 'ipaddr.js';
import proxyaddr from 'proxy-addr';

/** Which proxies may speak for the client: nobody, the nearest N hops, or hops inside these ranges. */
export type TrustedProxies =
  | { kind: 'none' }
  | { kind: 'count'; hops: number }
  | { kind: 'ranges'; ranges: AddressRange[]; trusts: (address: string) => boolean };

export interface AddressRange {
  family: 4 | 6;
  prefix: number;
  /** The range in one spelling (`10.0.0.0/8`; a mapped IPv6 range as its IPv4 range). */
  cidr: string;
  /** As the operator wrote it, for messages. */
  text: string;
}

export class TrustedProxiesError extends Error {}

/** The address of a request whose socket is already gone (Node reports none). */
export const UNKNOWN_ADDRESS = 'unknown';

/** X-Forwarded-For entries looked at, at most: more hops than this is not a real proxy chain. */
const MAX_FORWARDED_ENTRIES = 32;

/**
 * What proxy-addr reads of a request (through `forwarded`): the socket's peer and the
 * X-Forwarded-For header. Its types ask for a whole IncomingMessage; this names the two fields it
 * reads, so the resolution stays a pure function of its inputs.
 */
type ForwardedRequest = Pick<IncomingMessage, 'headers'> & { socket: { remoteAddress: string } };
const forwardedChain = proxyaddr.all as (
  request: ForwardedRequest,
  trust: (address: string, hop: number) => boolean,
) => string[];

/**
 * One address in one spelling, or null when the text is not an address. Accepts what proxies
 * and sockets write: IPv6 in brackets, a port after the address, a zone id; an IPv4-mapped IPv6
 * address (`::ffff:10.1.2.3`, what a dual-stack socket reports) becomes plain IPv4, so one client
 * never counts as two. Validity is node:net's (strict: ipaddr.js also takes legacy forms such as
 * `0x7f.1`, which no proxy writes); the spelling is ipaddr.js's (RFC 5952 for IPv6).
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
  const address = ipaddr.process(withoutZone);
  return address instanceof ipaddr.IPv6 ? address.toRFC5952String() : address.toString();
}

/** The /64 network of an IPv6 address (a single host usually owns a whole /64), else null. */
export function ipv6Network64(address: string): string | null {
  if (!isIPv6(address)) return null;
  return `${ipaddr.IPv6.networkAddressFromCIDR(`${address}/64`).toRFC5952String()}/64`;
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
  // A /0 makes every client a proxy: X-Forwarded-For would be whatever the client wrote.
  if (prefix === 0) throw new TrustedProxiesError(`"${text}" trusts every address: name the proxies, or a hop count`);
  const parsed = ipaddr.parse(address);
  const network = normalizeAddress(
    parsed.kind() === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(`${address}/${prefix}`).toString()
      : ipaddr.IPv6.networkAddressFromCIDR(`${address}/${prefix}`).toRFC5952String(),
  );
  if (network !== address) {
    throw new TrustedProxiesError(`"${text}" has host bits set (did you mean ${network}/${prefix}?)`);
  }
  return { family, prefix, cidr: `${address}/${prefix}`, text: text.trim() };
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
  const ranges = parts.map(parseRange);
  const inRanges = proxyaddr.compile(ranges.map((range) => range.cidr));
  return { kind: 'ranges', ranges, trusts: (address) => inRanges(address, 0) };
}

/**
 * X-Forwarded-For as proxy-addr should read it: repeated headers (an array) joined, only the last
 * entries kept, and an empty entry kept as a malformed one (proxy-addr skips empty entries, but an
 * empty entry where a proxy should have written an address is not a reason to look further left).
 */
function forwardedHeader(header: string | string[] | undefined): string {
  if (header === undefined) return '';
  const joined = Array.isArray(header) ? header.join(',') : header;
  return joined
    .split(',')
    .slice(-MAX_FORWARDED_ENTRIES)
    .map((entry) => entry.trim() || UNKNOWN_ADDRESS)
    .join(',');
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
  // Hop 0 is the socket, hop i the i-th entry from the right. A hop is walked past only when it
  // is an address: a malformed entry is where the walk stops.
  const isProxy = (entry: string, hop: number): boolean => {
    const address = normalizeAddress(entry);
    if (address === null) return false;
    return trust.kind === 'count' ? hop < trust.hops : trust.trusts(address);
  };
  const chain = forwardedChain(
    { headers: { 'x-forwarded-for': forwardedHeader(params.forwardedFor) }, socket: { remoteAddress: socket } },
    isProxy,
  );
  // Every hop but the last was walked past, so only the last can be malformed.
  return normalizeAddress(chain.at(-1)) ?? normalizeAddress(chain.at(-2)) ?? socket;
}
