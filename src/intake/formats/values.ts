import ipaddr from 'ipaddr.js';

/**
 * The canonical text of an IP address, or undefined when it is not one: IPv4-mapped IPv6 unwrapped to
 * IPv4 (so `::ffff:203.0.113.5` and `203.0.113.5` are one selector), IPv6 compressed (RFC 5952).
 */
export function canonicalIp(s: string): string | undefined {
  const t = s.trim();
  if (!ipaddr.isValid(t)) return undefined;
  // ipaddr accepts legacy IPv4 forms (octal, hex, fewer parts); providers write dotted quads.
  if (!t.includes(':') && !ipaddr.IPv4.isValidFourPartDecimal(t)) return undefined;
  return ipaddr.process(t).toString();
}

/** A syntactic e-mail check: one `@`, a non-empty local part, a dotted domain, no spaces, ≤ 254 chars. */
export function isEmailAddress(s: string): boolean {
  const t = s.trim();
  if (t.length > 254 || /\s/.test(t)) return false;
  const at = t.indexOf('@');
  if (at <= 0 || at !== t.lastIndexOf('@') || at > 64) return false;
  const domain = t.slice(at + 1);
  return /^[^.@]+(\.[^.@]+)+$/.test(domain);
}
