import { domainToASCII } from 'node:url';
import { getDomain } from 'tldts';
import { countryOfTld } from './cctld.ts';
import { normalised, type Normalised } from './normalised.ts';

export interface EmailOptions {
  /** Provider rules documented by the provider (Gmail: dots and `+tag` ignored). Default true. */
  readonly providerRules?: boolean;
}

// Google documents that dots in a Gmail address do not matter, that `+anything` is delivered to the
// same inbox, and that googlemail.com is the same service. No other provider's rule is documented
// well enough to fold addresses together.
const GMAIL = new Set(['gmail.com', 'googlemail.com']);

/** Lower case, recomposed: lower-casing can leave a decomposed sequence, so NFC comes after it. */
const lower = (s: string): string => s.normalize('NFC').toLowerCase().normalize('NFC');

/**
 * An e-mail address as `local@domain`: trimmed, NFC, lower case, domain in ASCII (IDNA), Gmail's
 * documented equivalences applied unless turned off. An address without `@`, or whose domain IDNA
 * rejects, keeps its lower-cased form with `valid: false`.
 */
export function normaliseEmail(raw: string, opts: EmailOptions = {}): Normalised {
  const s = lower(raw.trim());
  const at = s.lastIndexOf('@');
  if (at <= 0 || at === s.length - 1) return normalised(s, { valid: false });
  let local = s.slice(0, at);
  const host = domainToASCII(s.slice(at + 1));
  if (!host) return normalised(s, { valid: false });
  let domain = host;
  if ((opts.providerRules ?? true) && GMAIL.has(host)) {
    local = local.split('+')[0]?.replaceAll('.', '') ?? '';
    domain = 'gmail.com';
  }
  if (!local) return normalised(`@${domain}`, { valid: false });
  return normalised(`${local}@${domain}`, {
    host: domain,
    domain: getDomain(domain) ?? undefined,
    country: countryOfTld(domain),
  });
}
