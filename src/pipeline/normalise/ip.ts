import ipaddr from 'ipaddr.js';
import type { IpRange } from '../../domain/identifier.ts';
import { normalised, type Normalised } from './normalised.ts';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

// ipaddr files the documentation blocks under `reserved`; they are checked first, by name.
const DOCUMENTATION: readonly [Address, number][] = [
  ipaddr.parseCIDR('192.0.2.0/24'), // TEST-NET-1, RFC 5737
  ipaddr.parseCIDR('198.51.100.0/24'), // TEST-NET-2
  ipaddr.parseCIDR('203.0.113.0/24'), // TEST-NET-3
  ipaddr.parseCIDR('2001:db8::/32'), // RFC 3849
  ipaddr.parseCIDR('3fff::/20'), // RFC 9637, the newer IPv6 documentation block
];

/**
 * ipaddr's range names (its typings list fewer than it returns, so this is a lookup, not a switch).
 * 6to4 and Teredo addresses are routed to a real client, so they count as public; NAT64 (rfc6052),
 * IPv4-translated (rfc6145), anycast relays (amt, as112), ORCHID, drone tags, segment routing, discard
 * and benchmarking locate nobody: reserved. Site-local (deprecated fec0::/10) was private use.
 */
const RANGES: Readonly<Record<string, IpRange>> = {
  unicast: 'public',
  '6to4': 'public',
  teredo: 'public',
  private: 'private',
  uniqueLocal: 'private',
  deprecatedSiteLocal: 'private',
  carrierGradeNat: 'cgnat',
  loopback: 'loopback',
  linkLocal: 'link-local',
  multicast: 'multicast',
  unspecified: 'unspecified',
};

/** The range an address sits in; anything ipaddr names that is not listed above is `reserved`. */
export function ipRangeOf(addr: Address): IpRange {
  for (const [net, bits] of DOCUMENTATION) {
    if (net.kind() === addr.kind() && addr.match(net, bits)) return 'documentation';
  }
  return RANGES[addr.range()] ?? 'reserved';
}

/**
 * IPv4 special ranges as integer masks, documentation first, then ipaddr's own table in its order (a test
 * checks the two agree on random addresses): the same answers as `ipRangeOf` without building an address
 * object, for most addresses in a referral are IPv4.
 */
const V4_TABLE: readonly (readonly [string, IpRange])[] = [
  ['192.0.2.0/24', 'documentation'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['0.0.0.0/8', 'unspecified'],
  ['255.255.255.255/32', 'reserved'],
  ['224.0.0.0/4', 'multicast'],
  ['169.254.0.0/16', 'link-local'],
  ['127.0.0.0/8', 'loopback'],
  ['100.64.0.0/10', 'cgnat'],
  ['10.0.0.0/8', 'private'],
  ['172.16.0.0/12', 'private'],
  ['192.168.0.0/16', 'private'],
  ['192.0.0.0/24', 'reserved'],
  ['192.88.99.0/24', 'reserved'],
  ['198.18.0.0/15', 'reserved'],
  ['240.0.0.0/4', 'reserved'],
  ['192.175.48.0/24', 'reserved'],
  ['192.31.196.0/24', 'reserved'],
  ['192.52.193.0/24', 'reserved'],
];
const V4_RANGES = V4_TABLE.map(([cidr, range]) => {
  const [net, bits] = ipaddr.IPv4.parseCIDR(cidr);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return { net: (v4Int(net.octets) & mask) >>> 0, mask, range };
});

function v4Int(octets: readonly number[]): number {
  return (
    (((octets[0] ?? 0) << 24) | ((octets[1] ?? 0) << 16) | ((octets[2] ?? 0) << 8) | (octets[3] ?? 0)) >>> 0
  );
}

/** A canonical dotted quad: four decimal octets without leading zeros. */
const DOTTED_QUAD =
  /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** The range of a canonical dotted quad, by integer comparison. */
export function ipv4RangeOf(octets: readonly number[]): IpRange {
  const x = v4Int(octets);
  for (const r of V4_RANGES) if ((x & r.mask) >>> 0 === r.net) return r.range;
  return 'public';
}

/**
 * An IP address in canonical text: IPv4 dotted decimal, IPv6 compressed lower case (RFC 5952),
 * IPv4-mapped IPv6 unwrapped to IPv4. Only strict forms are read (no `10.1`, no octal `010.0.0.1`,
 * which ipaddr would silently reinterpret); anything else keeps its lower-cased text with `valid: false`.
 */
export function normaliseIp(raw: string, possibleProxy?: boolean): Normalised {
  const s = raw.trim().replace(/^\[(.*)\]$/, '$1');
  const proxy = possibleProxy === true ? true : undefined;
  const quad = DOTTED_QUAD.exec(s);
  if (quad) return normalised(s, { ipRange: ipv4RangeOf(quad.slice(1, 5).map(Number)), proxy });
  let addr: Address;
  // IPv6 first: ipaddr's IPv4 check of IPv6 text fails by throwing, which costs more than the parse.
  if (s.includes(':')) {
    // One parse (isValid, then process, would be two): most of this stage's cost is IPv6 text.
    try {
      const v6 = ipaddr.IPv6.parse(s);
      addr = v6.isIPv4MappedAddress() ? v6.toIPv4Address() : v6;
    } catch {
      return normalised(s.toLowerCase(), { valid: false, proxy });
    }
  } else if (ipaddr.IPv4.isValidFourPartDecimal(s)) addr = ipaddr.IPv4.parse(s);
  else return normalised(s.toLowerCase(), { valid: false, proxy });
  return normalised(addr.toString(), { ipRange: ipRangeOf(addr), proxy });
}
