import { getDomain } from 'tldts';
import { countryOfTld } from './cctld.ts';
import { normalised, type Normalised } from './normalised.ts';

// A scheme is `name:` not followed by a port: `www.example.com:8080/x` has none, `mailto:x` has one.
const SCHEME = /^[a-z][a-z0-9+.-]*:(?!\d+(?:[/?#]|$))/i;

/**
 * A URL in WHATWG form (lower-case scheme and host, punycode host, default port dropped) without its
 * fragment; path and query as given. A bare host (`www.example.com/x`) is read as `http://`.
 * Unparseable: the trimmed text with `valid: false`.
 */
export function normaliseUrl(raw: string): Normalised {
  const s = raw.trim();
  if (!s) return { value: s };
  const text = SCHEME.test(s) ? s : s.startsWith('//') ? `http:${s}` : `http://${s}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return normalised(s, { valid: false });
  }
  url.hash = '';
  const host = url.hostname;
  const isName = host !== '' && !host.startsWith('[') && !/^[\d.]+$/.test(host);
  return normalised(url.href, {
    host: host || undefined,
    domain: isName ? (getDomain(host) ?? undefined) : undefined,
    country: isName ? countryOfTld(host) : undefined,
  });
}
