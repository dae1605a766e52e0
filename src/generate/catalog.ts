/**
 * The invented world the synthetic scenario is drawn from: countries (with fictional phone ranges and
 * real city names, which identify nobody), providers (services with example.* domains) and a neutral
 * vocabulary for nicknames. Nothing here names a real person or describes any content.
 */
import type { Reporter } from '../domain/referral.ts';
import type { Prng } from './prng.ts';
import { weighted } from './prng.ts';

/** Every free-text field starts with this: no content is ever described. */
export const PLACEHOLDER = '[synthetic placeholder]';

export interface PhoneNumber {
  /** As a provider would show it, with the national trunk prefix where the country uses one. */
  readonly national: string;
  /** `+` and digits. */
  readonly e164: string;
}

/** A block of `size` numbers; `make(k)` is the k-th (0 ≤ k < size). */
export interface PhoneRange {
  readonly size: number;
  readonly make: (k: number) => PhoneNumber;
}

export interface CountryInfo {
  readonly code: string;
  readonly callingCode: string;
  readonly cities: readonly { readonly city: string; readonly region: string }[];
  /** Numbers persons of this country may get, handed out without repeats (see identifiers.ts). */
  readonly phoneRanges: readonly PhoneRange[];
}

const pad = (k: number, n: number): string => String(k).padStart(n, '0');

/** `count` areas × 10^digits numbers; `make(area, digits)` formats one. */
function areas(
  list: readonly string[],
  digits: number,
  make: (area: string, x: string) => PhoneNumber,
): PhoneRange {
  const per = 10 ** digits;
  return {
    size: list.length * per,
    make: (k) => make(list[Math.floor(k / per)] ?? '', pad(k % per, digits)),
  };
}

// NANP area codes: NXX without N11 service codes and without the reserved N9X block.
const US_AREAS: readonly string[] = Array.from({ length: 800 }, (_, i) => 200 + i)
  .filter((a) => a % 100 !== 11 && Math.floor(a / 10) % 10 !== 9)
  .map(String);

/**
 * Phone numbers come from ranges reserved for drama/fiction where the regulator has them (UK Ofcom
 * 07700 900xxx and the 0xx 496 0xxx-style landline blocks, US 555-0100–0199, France ARCEP's six
 * "fiction" blocks, Australia 0491 570 xxx and (0x) 5550 xxxx); elsewhere they are clearly invented: an
 * area code followed by a run of zeros no operator assigns, as in NCMEC's own Italian example
 * (06 0000 xxxx). These ranges are small, so identifiers.ts hands each number out at most once.
 */
export const COUNTRIES: readonly CountryInfo[] = [
  {
    code: 'US',
    callingCode: '+1',
    cities: [
      { city: 'New York', region: 'NY' },
      { city: 'Chicago', region: 'IL' },
      { city: 'Houston', region: 'TX' },
      { city: 'Seattle', region: 'WA' },
    ],
    phoneRanges: [areas(US_AREAS, 2, (a, x) => ({ national: `${a}-555-01${x}`, e164: `+1${a}55501${x}` }))],
  },
  {
    code: 'GB',
    callingCode: '+44',
    cities: [
      { city: 'London', region: 'England' },
      { city: 'Manchester', region: 'England' },
      { city: 'Glasgow', region: 'Scotland' },
      { city: 'Cardiff', region: 'Wales' },
    ],
    phoneRanges: [
      areas(['07700 900'], 3, (a, x) => ({ national: `${a}${x}`, e164: `+447700900${x}` })),
      areas(['020 7946 0'], 3, (a, x) => ({ national: `${a}${x}`, e164: `+442079460${x}` })),
      areas(['0161 496 0'], 3, (a, x) => ({ national: `${a}${x}`, e164: `+441614960${x}` })),
      areas(['0131 496 0'], 3, (a, x) => ({ national: `${a}${x}`, e164: `+441314960${x}` })),
      areas(['0141 496 0'], 3, (a, x) => ({ national: `${a}${x}`, e164: `+441414960${x}` })),
      areas(['0113 496 0'], 3, (a, x) => ({ national: `${a}${x}`, e164: `+441134960${x}` })),
      areas(['029 2018 0'], 3, (a, x) => ({ national: `${a}${x}`, e164: `+442920180${x}` })),
    ],
  },
  {
    code: 'IT',
    callingCode: '+39',
    cities: [
      { city: 'Roma', region: 'Lazio' },
      { city: 'Milano', region: 'Lombardia' },
      { city: 'Napoli', region: 'Campania' },
      { city: 'Torino', region: 'Piemonte' },
    ],
    // Italian numbers keep their leading 0 after the country code.
    phoneRanges: [
      areas(['06', '02', '011', '055', '081'], 4, (a, x) => ({
        national: `${a} 0000 ${x}`,
        e164: `+39${a}0000${x}`,
      })),
    ],
  },
  {
    code: 'DE',
    callingCode: '+49',
    cities: [
      { city: 'Berlin', region: 'Berlin' },
      { city: 'München', region: 'Bayern' },
      { city: 'Hamburg', region: 'Hamburg' },
      { city: 'Köln', region: 'Nordrhein-Westfalen' },
    ],
    phoneRanges: [
      areas(['30', '89', '40', '221', '69'], 4, (a, x) => ({
        national: `0${a} 0000 ${x}`,
        e164: `+49${a}0000${x}`,
      })),
    ],
  },
  {
    code: 'FR',
    callingCode: '+33',
    cities: [
      { city: 'Paris', region: 'Île-de-France' },
      { city: 'Lyon', region: 'Auvergne-Rhône-Alpes' },
      { city: 'Marseille', region: "Provence-Alpes-Côte d'Azur" },
      { city: 'Lille', region: 'Hauts-de-France' },
    ],
    phoneRanges: [
      areas(['01 99 00', '02 61 91', '03 53 01', '04 65 71', '05 36 49', '06 39 98'], 4, (a, x) => ({
        national: `${a} ${x.slice(0, 2)} ${x.slice(2)}`,
        e164: `+33${a.slice(1).replaceAll(' ', '')}${x}`,
      })),
    ],
  },
  {
    code: 'ES',
    callingCode: '+34',
    cities: [
      { city: 'Madrid', region: 'Comunidad de Madrid' },
      { city: 'Barcelona', region: 'Cataluña' },
      { city: 'Valencia', region: 'Comunitat Valenciana' },
      { city: 'Sevilla', region: 'Andalucía' },
    ],
    phoneRanges: [
      areas(['91', '93', '96', '95'], 4, (a, x) => ({
        national: `${a} 000 ${x.slice(0, 2)} ${x.slice(2)}`,
        e164: `+34${a}000${x}`,
      })),
    ],
  },
  {
    code: 'NL',
    callingCode: '+31',
    cities: [
      { city: 'Amsterdam', region: 'Noord-Holland' },
      { city: 'Rotterdam', region: 'Zuid-Holland' },
      { city: 'Utrecht', region: 'Utrecht' },
    ],
    phoneRanges: [
      areas(['20', '10', '30'], 4, (a, x) => ({ national: `0${a} 000 ${x}`, e164: `+31${a}000${x}` })),
    ],
  },
  {
    code: 'PL',
    callingCode: '+48',
    cities: [
      { city: 'Warszawa', region: 'Mazowieckie' },
      { city: 'Kraków', region: 'Małopolskie' },
      { city: 'Gdańsk', region: 'Pomorskie' },
    ],
    phoneRanges: [
      areas(['22', '12', '58'], 4, (a, x) => ({
        national: `${a} 000 ${x.slice(0, 2)} ${x.slice(2)}`,
        e164: `+48${a}000${x}`,
      })),
    ],
  },
  {
    code: 'BR',
    callingCode: '+55',
    cities: [
      { city: 'São Paulo', region: 'SP' },
      { city: 'Rio de Janeiro', region: 'RJ' },
      { city: 'Belo Horizonte', region: 'MG' },
    ],
    phoneRanges: [
      areas(['11', '21', '31'], 4, (a, x) => ({ national: `(${a}) 0000-${x}`, e164: `+55${a}0000${x}` })),
    ],
  },
  {
    code: 'AU',
    callingCode: '+61',
    cities: [
      { city: 'Sydney', region: 'NSW' },
      { city: 'Melbourne', region: 'VIC' },
    ],
    phoneRanges: [
      areas(['0491 570 '], 3, (a, x) => ({ national: `${a}${x}`, e164: `+61491570${x}` })),
      areas(['2', '3'], 4, (a, x) => ({ national: `(0${a}) 5550 ${x}`, e164: `+61${a}5550${x}` })),
    ],
  },
];

function country(code: string): CountryInfo {
  const c = COUNTRIES.find((x) => x.code === code);
  if (!c) throw new Error(`unknown country ${code}`);
  return c;
}

/** Where suspects live: loosely shaped like a European hub's inflow plus the large reporting countries. */
export const COUNTRY_WEIGHTS = weighted<CountryInfo>([
  [country('US'), 18],
  [country('GB'), 12],
  [country('IT'), 12],
  [country('DE'), 12],
  [country('FR'), 10],
  [country('ES'), 8],
  [country('BR'), 8],
  [country('NL'), 6],
  [country('PL'), 6],
  [country('AU'), 3],
]);

export type ProviderKind = 'chat' | 'photo' | 'drive' | 'mail' | 'game';

export interface Provider {
  /** The `espService` value and the key accounts are grouped by in truth.json. */
  readonly service: string;
  readonly kind: ProviderKind;
  readonly host: string;
  readonly platforms: readonly string[];
  readonly reporter: {
    readonly firstName: string;
    readonly lastName: string;
    readonly email: string;
    readonly legalEmail: string;
    readonly phone: string;
    readonly callingCode: string;
    readonly street: string;
    readonly city: string;
    readonly zipCode: string;
    readonly state?: string;
    readonly nonUsaState?: string;
    readonly country: string;
  };
  /** A service user id made from a unique 32-bit token (so two accounts never share one). */
  readonly userId: (token: number, rng: Prng) => string;
}

const hex8 = (n: number): string => n.toString(16).padStart(8, '0');

export const PROVIDERS: readonly Provider[] = [
  {
    service: 'ExampleChat',
    kind: 'chat',
    host: 'chat.example.com',
    platforms: ['ExampleChat for Android', 'ExampleChat for iOS', 'ExampleChat Web'],
    reporter: {
      firstName: 'Alex',
      lastName: 'Placeholder',
      email: 'trust-safety@chat.example.com',
      legalEmail: 'le-requests@chat.example.com',
      phone: '555-555-0100',
      callingCode: '+1',
      street: '1 Example Way',
      city: 'Springfield',
      zipCode: '00000',
      state: 'CA',
      country: 'US',
    },
    userId: (token, rng) => `usr_${rng.hex(2)}${hex8(token)}`,
  },
  {
    service: 'PhotoShare Example',
    kind: 'photo',
    host: 'photos.example.com',
    platforms: ['PhotoShare Example for Android', 'PhotoShare Example for iOS', 'PhotoShare Example Web'],
    reporter: {
      firstName: 'Sam',
      lastName: 'Example',
      email: 'child-safety@photos.example.com',
      legalEmail: 'legal@photos.example.com',
      phone: '01 000 0000',
      callingCode: '+353',
      street: '2 Example Quay',
      city: 'Dublin',
      zipCode: 'D00 X000',
      nonUsaState: 'Leinster',
      country: 'IE',
    },
    // Long numeric ids, as large social networks use.
    userId: (token) => `1784${String(token).padStart(10, '0')}`,
  },
  {
    service: 'ExampleCloud Drive',
    kind: 'drive',
    host: 'drive.example.net',
    platforms: ['ExampleCloud Drive Desktop', 'ExampleCloud Drive Web'],
    reporter: {
      firstName: 'Jordan',
      lastName: 'Sample',
      email: 'abuse@drive.example.net',
      legalEmail: 'lawenforcement@drive.example.net',
      phone: '206-555-0111',
      callingCode: '+1',
      street: '3 Example Plaza',
      city: 'Seattle',
      zipCode: '00000',
      state: 'WA',
      country: 'US',
    },
    userId: (token, rng) => `dr-${token.toString(36).padStart(7, '0')}${rng.hex(3)}`,
  },
  {
    service: 'ExampleMail',
    kind: 'mail',
    host: 'mail.example.org',
    platforms: ['ExampleMail Web', 'ExampleMail for Android'],
    reporter: {
      firstName: 'Robin',
      lastName: 'Placeholder',
      email: 'safety@mail.example.org',
      legalEmail: 'legal@mail.example.org',
      phone: '020 000 0000',
      callingCode: '+31',
      street: 'Voorbeeldstraat 1',
      city: 'Amsterdam',
      zipCode: '0000 AA',
      nonUsaState: 'Noord-Holland',
      country: 'NL',
    },
    userId: (token) => `mb-${hex8(token)}`,
  },
  {
    service: 'Example Arena',
    kind: 'game',
    host: 'arena.example.com',
    platforms: ['Example Arena (PC)', 'Example Arena (console)'],
    reporter: {
      firstName: 'Casey',
      lastName: 'Example',
      email: 'player-safety@arena.example.com',
      legalEmail: 'legal@arena.example.com',
      phone: '512-555-0123',
      callingCode: '+1',
      street: '4 Example Court',
      city: 'Austin',
      zipCode: '00000',
      state: 'TX',
      country: 'US',
    },
    userId: (token) => `PLYR-${String(token).padStart(10, '0')}`,
  },
];

/** The reporter block a provider puts in every report (one shared, immutable object per provider). */
function reporterOf(p: Provider): Reporter {
  const r = p.reporter;
  return {
    person: {
      firstName: r.firstName,
      lastName: r.lastName,
      phones: [{ number: r.phone, countryCallingCode: r.callingCode, type: 'Business' }],
      emails: [{ address: r.email, type: 'Business', verified: true }],
      addresses: [
        {
          type: 'Business',
          street: r.street,
          city: r.city,
          zipCode: r.zipCode,
          state: r.state,
          nonUsaState: r.nonUsaState,
          country: r.country,
        },
      ],
    },
    contact: {
      firstName: 'Legal',
      lastName: 'Response Desk',
      phones: [],
      emails: [{ address: r.legalEmail, type: 'Work' }],
      addresses: [],
    },
    companyTemplate: `${PLACEHOLDER} company template of ${p.service}`,
    termsOfService: `${PLACEHOLDER} terms of service of ${p.service}`,
    legalUrl: `https://${p.host}/legal/law-enforcement`,
  };
}

export const REPORTERS: ReadonlyMap<Provider, Reporter> = new Map(PROVIDERS.map((p) => [p, reporterOf(p)]));

function provider(kind: ProviderKind): Provider {
  const p = PROVIDERS.find((x) => x.kind === kind);
  if (!p) throw new Error(`unknown provider kind ${kind}`);
  return p;
}

/** How often a new account is on each service: the messaging service dominates, as in DESIGN.md's operation. */
export const PROVIDER_WEIGHTS = weighted<Provider>([
  [provider('chat'), 40],
  [provider('photo'), 25],
  [provider('drive'), 15],
  [provider('mail'), 10],
  [provider('game'), 10],
]);

export const PHOTO_PROVIDER = provider('photo');

/** Neutral words only: nicknames are built from these and must never read as anything but a handle. */
export const NICK_FIRST: readonly string[] = [
  'night',
  'blue',
  'silver',
  'quiet',
  'lucky',
  'red',
  'dark',
  'cold',
  'wild',
  'green',
  'swift',
  'lone',
  'iron',
  'golden',
  'misty',
  'urban',
  'cosmic',
  'retro',
  'pixel',
  'neon',
  'frozen',
  'rusty',
  'sunny',
  'stormy',
  'hidden',
  'north',
  'polar',
  'solar',
  'echo',
  'velvet',
];

export const NICK_SECOND: readonly string[] = [
  'owl',
  'fox',
  'river',
  'storm',
  'wolf',
  'rider',
  'coder',
  'gamer',
  'falcon',
  'panda',
  'tiger',
  'shadow',
  'hawk',
  'comet',
  'viper',
  'raven',
  'sailor',
  'ghost',
  'knight',
  'drifter',
  'wave',
  'moon',
  'star',
  'bear',
  'lynx',
  'otter',
  'racer',
  'pilot',
  'sparrow',
  'dragon',
];

export const EMAIL_DOMAINS: readonly string[] = ['example.com', 'example.net', 'example.org'];
