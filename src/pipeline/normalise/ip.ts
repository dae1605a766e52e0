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
 * An IP address in canonical text: IPv4 dotted decimal, IPv6 compressed lower case (RFC 5952),
 * IPv4-mapped IPv6 unwrapped to IPv4. Only strict forms are read (no `10.1`, no octal `010.0.0.1`,
 * which ipaddr would silently reinterpret); anything else keeps its lower-cased text with `valid: false`.
 */
export function normaliseIp(raw: string, possibleProxy?: boolean): Normalised {
  const s = raw.trim().replace(/^\[(.*)\]$/, '$1');
  const proxy = possibleProxy === true ? true : undefined;
  if (!ipaddr.IPv4.isValidFourPartDecimal(s) && !(s.includes(':') && ipaddr.IPv6.isValid(s))) {
    return normalised(s.toLowerCase(), { valid: false, proxy });
  }
  const addr = ipaddr.process(s);
  return normalised(addr.toString(), { ipRange: ipRangeOf(addr), proxy });
}
