/**
 * Selectors for synthetic persons: phone numbers, e-mail addresses, device ids and IP addresses.
 * Each is unique to one person by construction (a counter through a bijection), except IPv4 addresses:
 * the documentation ranges hold only 762 of them, so they behave like carrier-grade NAT gateways and
 * reassigned home lines, shared by unrelated people — exactly what a linker must not mistake for identity.
 */
import type { CountryInfo, PhoneNumber } from './catalog.ts';
import { mix32 } from './prng.ts';
import type { Prng } from './prng.ts';

/** A prime larger than any range: stepping by it visits every number of a range once, in a scattered order. */
const STEP = 1_000_003;

/** Hands out each fictional number of a country at most once; `undefined` once a country's ranges run out. */
export class PhoneBook {
  private readonly used = new Map<string, number>();
  private readonly offsets = new Map<string, number>();

  constructor(private readonly rng: Prng) {}

  next(country: CountryInfo): PhoneNumber | undefined {
    const total = country.phoneRanges.reduce((n, r) => n + r.size, 0);
    const c = this.used.get(country.code) ?? 0;
    if (c >= total) return undefined;
    this.used.set(country.code, c + 1);
    let offset = this.offsets.get(country.code);
    if (offset === undefined) {
      offset = this.rng.int(total);
      this.offsets.set(country.code, offset);
    }
    let k = (c * STEP + offset) % total;
    for (const r of country.phoneRanges) {
      if (k < r.size) return r.make(k);
      k -= r.size;
    }
    return undefined;
  }
}

/** RFC 5952 text form: lowercase, no leading zeros, the longest run (≥ 2) of zero groups as `::`. */
export function formatIpv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < groups.length;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** A 2001:db8::/32 address whose third and fourth groups encode a unique token (so no two persons share one). */
export function uniqueIpv6(rng: Prng, token: number): string {
  const t = mix32(token);
  return formatIpv6([
    0x2001,
    0x0db8,
    t >>> 16,
    t & 0xffff,
    rng.int(0x10000),
    rng.int(0x10000),
    rng.int(0x10000),
    rng.int(0x10000),
  ]);
}

/** Addresses that carriers share between many subscribers at once (the classic CGNAT trap). */
export const CGNAT_GATEWAYS: readonly string[] = Array.from({ length: 24 }, (_, i) => `203.0.113.${i + 1}`);

/** The rest of the IPv4 documentation space: "home" lines, which also get reassigned to other people. */
export const HOME_IPV4: readonly string[] = [
  ...Array.from({ length: 254 }, (_, i) => `192.0.2.${i + 1}`),
  ...Array.from({ length: 254 }, (_, i) => `198.51.100.${i + 1}`),
  ...Array.from({ length: 230 }, (_, i) => `203.0.113.${i + 25}`),
];

/** CGNAT hands each subscriber a block of ports; 126 blocks of 512 fit above the well-known ports. */
export const PORT_BLOCKS = 126;
export const PORT_BLOCK_SIZE = 512;

export function portInBlock(rng: Prng, block: number): number {
  return 1024 + (block % PORT_BLOCKS) * PORT_BLOCK_SIZE + rng.int(PORT_BLOCK_SIZE);
}

export type DeviceKind = 'IMEI' | 'Android ID' | 'IDFV';

export interface DeviceIdentity {
  readonly idType: DeviceKind;
  readonly idValue: string;
}

/** Device ids that cannot belong to a real handset: IMEIs start with the unallocated TAC prefix 00. */
export function deviceId(rng: Prng, token: number): DeviceIdentity {
  const t = mix32(token);
  const hex = t.toString(16).padStart(8, '0');
  switch (rng.int(3)) {
    case 0:
      return { idType: 'IMEI', idValue: `00${String(t).padStart(10, '0')}${rng.digits(3)}` };
    case 1:
      return { idType: 'Android ID', idValue: `${hex}${rng.hex(8)}` };
    default: {
      const r = rng.hex(24).toUpperCase();
      const h = hex.toUpperCase();
      return {
        idType: 'IDFV',
        idValue: `${h}-${r.slice(0, 4)}-${r.slice(4, 8)}-${r.slice(8, 12)}-${r.slice(12, 24)}`,
      };
    }
  }
}
