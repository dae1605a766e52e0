import { parse } from 'tldts';
import { parseCountryCode, type CountryCode } from '../../domain/ids.ts';

/**
 * Two-letter ICANN TLDs that name no country here:
 * - not an ISO 3166-1 country: `ac` (Ascension, part of SH), `eu` (European Union), `su` (former USSR);
 * - ccTLDs Google documents as treated like generic TLDs because they are mostly registered for the
 *   letters, not the place (`.io`, `.tv`, `.me`, …): a country from them would mislead jurisdiction.
 * `uk` is the one ccTLD that differs from its ISO code (GB); `gb` itself maps to GB as usual.
 */
const NOT_A_COUNTRY = ['ac', 'eu', 'su'];
const USED_GENERICALLY = 'ad ai as bz cc cd co dj fm io la me ms nu sc sr tk tv ws'.split(' ');
const NO_COUNTRY: ReadonlySet<string> = new Set([...NOT_A_COUNTRY, ...USED_GENERICALLY]);
const RENAMED: ReadonlyMap<string, string> = new Map([['uk', 'GB']]);

/**
 * The country of a host's or public suffix's ccTLD (`example.it` → IT, `co.uk` → GB), or undefined for
 * generic TLDs (`.com`, `.org`), reserved test names (`.example`, `.test`, `.invalid`, `.localhost`),
 * labels outside the ICANN section of the Public Suffix List, and the exceptions above.
 */
export function countryOfTld(publicSuffixOrHost: string): CountryCode | undefined {
  const host = publicSuffixOrHost.trim().toLowerCase().replace(/\.$/, '');
  const tld = host.slice(host.lastIndexOf('.') + 1);
  if (!/^[a-z]{2}$/.test(tld) || NO_COUNTRY.has(tld)) return undefined;
  // Only delegated ccTLDs are in the ICANN section; `.zz` or retired `.yu` fall to the default rule.
  if (!parse(`x.${tld}`).isIcann) return undefined;
  return parseCountryCode(RENAMED.get(tld) ?? tld);
}
