import { FormatRegistry, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type ValueError } from '@sinclair/typebox/compiler';
import { problem, type ErrorCode, type Problem } from '../../domain/errors.ts';
import {
  parseCountryCode,
  parseDate,
  parseInstant,
  parseMd5,
  parsePdq,
  parseSha1,
  parseSha256,
  type Instant,
} from '../../domain/ids.ts';
import type {
  Account,
  AssociatedAccount,
  Device,
  Email,
  EstimatedLocation,
  IpEvent,
  MediaFile,
  Person,
  Phone,
  ReferralDocument,
} from '../../domain/referral.ts';
import type { Parsed } from '../../domain/result.ts';
import { ReferralSchema } from './referral.schema.ts';
import { canonicalIp, isEmailAddress } from './values.ts';

if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', (v) => parseInstant(v) !== undefined);
if (!FormatRegistry.Has('date')) FormatRegistry.Set('date', (v) => parseDate(v) !== undefined);

const check = TypeCompiler.Compile(ReferralSchema);

type Raw = Static<typeof ReferralSchema>;

/** A copy of `o` without `keys`: the fields that need converting are then added back explicitly. */
function withoutKeys<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Omit<T, K> {
  const out: Partial<T> = { ...o };
  for (const k of keys) delete out[k];
  return out as Omit<T, K>;
}

/**
 * Parses one canonical JSON referral (already decoded from JSON). Every problem is reported with the
 * JSON Pointer of its field; nothing partial is returned.
 */
export function parseCanonical(value: unknown, basePath = ''): Parsed<ReferralDocument> {
  if (!check.Check(value)) {
    const problems: Problem[] = [];
    for (const e of check.Errors(value)) {
      problems.push(problem(codeOf(e), basePath + e.path, messageOf(e)));
      if (problems.length >= 50) break;
    }
    return { ok: false, problems };
  }
  const v = new Values(basePath);
  const doc = toDocument(value, v);
  return v.problems.length ? { ok: false, problems: v.problems } : { ok: true, value: doc };
}

/** Parses JSON text holding one referral. */
export function parseCanonicalText(text: string): Parsed<ReferralDocument> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return {
      ok: false,
      problems: [problem('malformed_input', '', `not valid JSON: ${(e as Error).message}`)],
    };
  }
  return parseCanonical(value);
}

function codeOf(e: ValueError): ErrorCode {
  const schema: TSchema = e.schema;
  if (schema.format === 'date-time' || schema.format === 'date') return 'invalid_date';
  if (
    e.message.startsWith('Expected required property') ||
    e.message.includes('additional properties') ||
    e.message.includes('Unexpected property')
  ) {
    return 'schema_violation';
  }
  return 'invalid_value';
}

function messageOf(e: ValueError): string {
  const schema: TSchema = e.schema;
  if (schema.format === 'date-time')
    return 'expected a date-time with an offset, e.g. 2025-06-14T21:37:05Z (and a real date)';
  if (schema.format === 'date') return 'expected a real date YYYY-MM-DD';
  return e.message;
}

/** Collects value problems while converting; paths are JSON Pointers under `base`. */
class Values {
  readonly problems: Problem[] = [];
  constructor(private readonly base: string) {}

  instant(s: string, path: string): Instant {
    const i = parseInstant(s);
    if (!i) this.problems.push(problem('invalid_date', this.base + path, 'impossible date-time'));
    return i ?? (s as Instant);
  }
  ip(s: string, path: string): string {
    const ip = canonicalIp(s);
    if (!ip)
      this.problems.push(
        problem('invalid_ip', this.base + path, `not an IPv4 or IPv6 address: ${JSON.stringify(s)}`),
      );
    return ip ?? s;
  }
  email(s: string, path: string): string {
    if (!isEmailAddress(s))
      this.problems.push(
        problem('invalid_email', this.base + path, `not an e-mail address: ${JSON.stringify(s)}`),
      );
    return s.trim();
  }
}

function toDocument(r: Raw, v: Values): ReferralDocument {
  const i = r.incident;
  return {
    ...(r.sourceRef !== undefined && { sourceRef: r.sourceRef }),
    ...(r.countryHint !== undefined && { countryHint: parseCountryCode(r.countryHint) }),
    incident: {
      type: i.type,
      occurredAt: v.instant(i.occurredAt, '/incident/occurredAt'),
      ...(i.occurredAtDescription !== undefined && { occurredAtDescription: i.occurredAtDescription }),
      ...(i.platform !== undefined && { platform: i.platform }),
      ...(i.escalation !== undefined && { escalation: i.escalation }),
      annotations: i.annotations ?? [],
      ...(i.batchedReason !== undefined && { batchedReason: i.batchedReason }),
    },
    internet: (r.internet ?? []).map((d, n) => {
      const p = `/internet/${n}`;
      return {
        ...withoutKeys(d, ['emails', 'phone', 'ipEvents', 'addresses']),
        ...(d.emails && { emails: d.emails.map((e, k) => email(e, v, `${p}/emails/${k}`)) }),
        ...(d.phone && { phone: phone(d.phone, v, `${p}/phone`) }),
        ...(d.ipEvents && { ipEvents: d.ipEvents.map((e, k) => ipEvent(e, v, `${p}/ipEvents/${k}`)) }),
        ...(d.addresses && { addresses: d.addresses }),
      };
    }),
    ...(r.lawEnforcement && {
      lawEnforcement: {
        ...withoutKeys(r.lawEnforcement, ['officer', 'servedLegalProcessCountry']),
        ...(r.lawEnforcement.officer && {
          officer: person(r.lawEnforcement.officer, v, '/lawEnforcement/officer'),
        }),
        ...(r.lawEnforcement.servedLegalProcessCountry && {
          servedLegalProcessCountry: parseCountryCode(r.lawEnforcement.servedLegalProcessCountry),
        }),
      },
    }),
    reporter: {
      ...withoutKeys(r.reporter, ['person', 'contact']),
      person: person(r.reporter.person, v, '/reporter/person'),
      ...(r.reporter.contact && { contact: person(r.reporter.contact, v, '/reporter/contact') }),
    },
    reportedPersons: (r.reportedPersons ?? []).map((a, n) => account(a, v, `/reportedPersons/${n}`)),
    intendedRecipients: (r.intendedRecipients ?? []).map((a, n) => account(a, v, `/intendedRecipients/${n}`)),
    victims: (r.victims ?? []).map((x, n) => ({
      ...withoutKeys(x, ['ipEvents', 'estimatedLocation']),
      ipEvents: (x.ipEvents ?? []).map((e, k) => ipEvent(e, v, `/victims/${n}/ipEvents/${k}`)),
      ...(x.estimatedLocation && {
        estimatedLocation: location(x.estimatedLocation, v, `/victims/${n}/estimatedLocation`),
      }),
    })),
    files: (r.files ?? []).map((f, n) => file(f, v, `/files/${n}`)),
    ...(r.additionalInfo !== undefined && { additionalInfo: r.additionalInfo }),
  };
}

type RawAccount = NonNullable<Raw['reportedPersons']>[number];
type RawAssociated = NonNullable<RawAccount['associatedAccounts']>[number];

function account(a: RawAccount | RawAssociated, v: Values, p: string): Account {
  return {
    ...withoutKeys(a, [
      'person',
      'displayNames',
      'profileUrls',
      'ipEvents',
      'devices',
      'priorReports',
      'estimatedLocation',
      'associatedAccounts',
    ]),
    ...(a.person && { person: person(a.person, v, `${p}/person`) }),
    displayNames: a.displayNames ?? [],
    profileUrls: a.profileUrls ?? [],
    ipEvents: (a.ipEvents ?? []).map((e, k) => ipEvent(e, v, `${p}/ipEvents/${k}`)),
    devices: (a.devices ?? []).map((d, k) => device(d, v, `${p}/devices/${k}`)),
    priorReports: a.priorReports ?? [],
    ...(a.estimatedLocation && {
      estimatedLocation: location(a.estimatedLocation, v, `${p}/estimatedLocation`),
    }),
    associatedAccounts: ('type' in a ? [] : (a.associatedAccounts ?? [])).map((x, k): AssociatedAccount => ({
      ...account(x, v, `${p}/associatedAccounts/${k}`),
      type: x.type,
      ...(x.platform !== undefined && { platform: x.platform }),
    })),
  };
}

type RawPerson = NonNullable<Raw['reporter']['person']>;

function person(x: RawPerson, v: Values, p: string): Person {
  return {
    ...withoutKeys(x, ['phones', 'emails', 'addresses']),
    phones: (x.phones ?? []).map((ph, k) => phone(ph, v, `${p}/phones/${k}`)),
    emails: (x.emails ?? []).map((e, k) => email(e, v, `${p}/emails/${k}`)),
    addresses: x.addresses ?? [],
  };
}

function phone(x: NonNullable<RawPerson['phones']>[number], v: Values, p: string): Phone {
  const { verifiedAt, ...rest } = x;
  return { ...rest, ...(verifiedAt && { verifiedAt: v.instant(verifiedAt, `${p}/verifiedAt`) }) };
}

function email(x: NonNullable<RawPerson['emails']>[number], v: Values, p: string): Email {
  const { verifiedAt, address, ...rest } = x;
  return {
    ...rest,
    address: v.email(address, `${p}/address`),
    ...(verifiedAt && { verifiedAt: v.instant(verifiedAt, `${p}/verifiedAt`) }),
  };
}

type RawIpEvent = NonNullable<RawAccount['ipEvents']>[number];

function ipEvent(x: RawIpEvent, v: Values, p: string): IpEvent {
  const { at, address, ...rest } = x;
  return { ...rest, address: v.ip(address, `${p}/address`), ...(at && { at: v.instant(at, `${p}/at`) }) };
}

function device(x: NonNullable<RawAccount['devices']>[number], v: Values, p: string): Device {
  const { at, ...rest } = x;
  return { ...rest, ...(at && { at: v.instant(at, `${p}/at`) }) };
}

function location(x: NonNullable<RawAccount['estimatedLocation']>, v: Values, p: string): EstimatedLocation {
  const { countryCode, at, ...rest } = x;
  const cc = countryCode === undefined ? undefined : parseCountryCode(countryCode);
  return { ...rest, ...(cc && { countryCode: cc }), ...(at && { at: v.instant(at, `${p}/at`) }) };
}

function file(f: NonNullable<Raw['files']>[number], v: Values, p: string): MediaFile {
  const h = f.hashes ?? {};
  const md5 = h.md5 === undefined ? undefined : parseMd5(h.md5);
  const sha1 = h.sha1 === undefined ? undefined : parseSha1(h.sha1);
  const sha256 = h.sha256 === undefined ? undefined : parseSha256(h.sha256);
  const pdq = h.pdq === undefined ? undefined : parsePdq(h.pdq);
  return {
    ...withoutKeys(f, [
      'uploadedAt',
      'relevance',
      'annotations',
      'hashes',
      'ipEvent',
      'devices',
      'details',
      'additionalInfo',
    ]),
    ...(f.uploadedAt && { uploadedAt: v.instant(f.uploadedAt, `${p}/uploadedAt`) }),
    relevance: f.relevance ?? 'Reported',
    annotations: f.annotations ?? [],
    hashes: {
      ...(md5 && { md5 }),
      ...(sha1 && { sha1 }),
      ...(sha256 && { sha256 }),
      ...(pdq && { pdq }),
      ...(pdq && h.pdqQuality !== undefined && { pdqQuality: h.pdqQuality }),
      other: (h.other ?? []).map((o) => ({ type: o.type.toUpperCase(), value: o.value })),
    },
    ...(f.ipEvent && { ipEvent: ipEvent(f.ipEvent, v, `${p}/ipEvent`) }),
    devices: (f.devices ?? []).map((d, k) => device(d, v, `${p}/devices/${k}`)),
    details: f.details ?? [],
    additionalInfo: f.additionalInfo ?? [],
  };
}
