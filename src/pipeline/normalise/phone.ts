import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { parseCountryCode } from '../../domain/ids.ts';
import { normalised, type Normalised } from './normalised.ts';

/**
 * A phone number in E.164 (`+390600000101`), read with the referral's country calling code when it
 * has one (`+39`, `39`), else from a leading `+`; without either the country is unknown and the digits
 * are kept as they are. Italian numbers keep their leading 0; a national trunk 0 (UK `07700…`) goes.
 *
 * facts.country is libphonenumber's country, or for a number it cannot place in one (it rejects the
 * UK drama range 07700 900xxx, for one) the main country of the calling code (+44 → GB, +1 → US).
 * facts.numberType is given only for valid numbers.
 */
export function normalisePhone(number: string, countryCallingCode?: string): Normalised {
  const digits = number.replace(/\D/g, '');
  if (!digits) return { value: '' };
  if (number.trim().startsWith('+')) return e164(`+${digits}`);
  const cc = countryCallingCode?.replace(/\D/g, '') ?? '';
  // `+44 07700…` rather than the national digits with a default calling code: libphonenumber strips
  // the trunk prefix either way, and this is half the cost for calling codes shared by several regions.
  return /^[1-9]\d{0,2}$/.test(cc) ? e164(`+${cc}${digits}`) : { value: digits };
}

/** `plus` is `+` and digits. */
function e164(plus: string): Normalised {
  let p = parsePhoneNumberFromString(plus);
  if (!p) return normalised(plus, { valid: false });
  // libphonenumber strips a national prefix even after a country code (`+1 1…`, `+44 0…`), so a
  // degenerate number can shrink again when its own E.164 is read back: read until it stops changing.
  // Each pass shortens the number, so this ends; nearly every `+` number is unchanged and skips it.
  for (let i = 0; i < 32 && p.number !== plus; i++) {
    const again = parsePhoneNumberFromString(p.number);
    if (!again || again.number === p.number) break;
    p = again;
  }
  const country = p.country ?? p.getPossibleCountries()[0];
  const valid = p.isValid();
  return normalised(p.number, {
    country: country ? parseCountryCode(country) : undefined,
    numberType: valid ? p.getType() : undefined,
    valid,
  });
}
