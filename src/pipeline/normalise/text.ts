import type { Normalised } from './normalised.ts';

/** Service user ids and group ids: compared as given, after NFC and trimming (case may matter). */
export function normaliseText(raw: string): Normalised {
  return { value: raw.normalize('NFC').trim() };
}

/** Device ids keep their type, upper-cased, beside the value: `IMEI:…`, `MAC:…`. */
export function normaliseDeviceId(idType: string, idValue: string): Normalised {
  return { value: `${idType.trim().toUpperCase()}:${idValue.trim()}` };
}
