import { Type, type TLiteral, type TSchema, type TUnion } from '@sinclair/typebox';
import {
  CAPTURE_EVENTS,
  FILE_ANNOTATIONS,
  INCIDENT_TYPES,
  INDUSTRY_CLASSES,
  INTERNET_KINDS,
  REPORT_ANNOTATIONS,
} from '../../domain/referral.ts';

/**
 * JSON Schema of the canonical referral (`conduit.referral/1`), published at `/api/v1/schemas/referral`
 * and in docs/referral.schema.json. Unknown properties are rejected so a misspelt field is an error,
 * not silently lost. Values are checked further (dates, IPs, e-mails) by the canonical parser.
 */
const Str = (max: number) => Type.String({ maxLength: max });
const Text = Str(100_000);
const DateTime = Type.String({
  format: 'date-time',
  description: 'xs:dateTime with an offset, e.g. 2025-06-14T21:37:05+02:00',
});
const Bool = Type.Boolean();
const Opt = <T extends TSchema>(t: T) => Type.Optional(t);
const list = <T extends TSchema>(t: T, maxItems = 1000) => Type.Array(t, { maxItems });
// Typed as the union of its literals (TypeBox infers only `string` from a mapped array).
const oneOf = <const T extends readonly string[]>(values: T) =>
  Type.Union(values.map((v) => Type.Literal(v))) as TUnion<TLiteral<T[number]>[]>;
const Hex = (n: number) => Type.String({ pattern: `^[0-9a-fA-F]{${n}}$` });
const Strict = { additionalProperties: false } as const;

const Phone = Type.Object(
  {
    number: Str(50),
    countryCallingCode: Opt(Type.String({ pattern: '^\\+[0-9]{1,3}$' })),
    extension: Opt(Type.String({ pattern: '^[0-9]{1,10}$' })),
    type: Opt(Str(50)),
    verified: Opt(Bool),
    verifiedAt: Opt(DateTime),
  },
  Strict,
);
const Email = Type.Object(
  { address: Str(255), type: Opt(Str(50)), verified: Opt(Bool), verifiedAt: Opt(DateTime) },
  Strict,
);
const Address = Type.Object(
  {
    type: Opt(Str(50)),
    street: Opt(Str(255)),
    city: Opt(Str(100)),
    zipCode: Opt(Str(20)),
    state: Opt(Str(2)),
    nonUsaState: Opt(Str(100)),
    country: Opt(Str(100)),
  },
  Strict,
);
const Person = Type.Object(
  {
    firstName: Opt(Str(100)),
    lastName: Opt(Str(100)),
    phones: Opt(list(Phone)),
    emails: Opt(list(Email)),
    addresses: Opt(list(Address)),
    age: Opt(Type.Integer({ minimum: 0, maximum: 150 })),
    dateOfBirth: Opt(Type.String({ format: 'date' })),
  },
  Strict,
);
const IpEvent = Type.Object(
  {
    address: Str(64),
    event: Opt(oneOf(CAPTURE_EVENTS)),
    at: Opt(DateTime),
    possibleProxy: Opt(Bool),
    port: Opt(Type.Integer({ minimum: 1, maximum: 65535 })),
  },
  Strict,
);
const Device = Type.Object(
  { idType: Str(255), idValue: Str(2083), event: Opt(oneOf(CAPTURE_EVENTS)), at: Opt(DateTime) },
  Strict,
);
const Location = Type.Object(
  {
    city: Opt(Str(255)),
    region: Opt(Str(255)),
    countryCode: Opt(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9]$' })),
    verified: Opt(Bool),
    at: Opt(DateTime),
  },
  Strict,
);
const accountProps = {
  person: Opt(Person),
  espIdentifier: Opt(Str(255)),
  espService: Opt(Str(100)),
  screenName: Opt(Str(256)),
  displayNames: Opt(list(Str(256))),
  profileUrls: Opt(list(Str(2083))),
  profileBio: Opt(Text),
  ipEvents: Opt(list(IpEvent, 10_000)),
  devices: Opt(list(Device)),
  groupIdentifier: Opt(Str(255)),
  priorReports: Opt(list(Type.String({ pattern: '^[0-9]{1,19}$' }))),
  compromised: Opt(Bool),
  thirdParty: Opt(Bool),
  temporarilyDisabled: Opt(Bool),
  permanentlyDisabled: Opt(Bool),
  estimatedLocation: Opt(Location),
  vehicleDescription: Opt(Str(300)),
  additionalInfo: Opt(Text),
};
const AssociatedAccount = Type.Object(
  {
    ...accountProps,
    type: Str(50),
    platform: Opt(Str(256)),
    associatedAccounts: Opt(Type.Array(Type.Never(), { maxItems: 0 })),
  },
  Strict,
);
const Account = Type.Object({ ...accountProps, associatedAccounts: Opt(list(AssociatedAccount)) }, Strict);
const Victim = Type.Object(
  {
    age: Opt(Type.Integer({ minimum: 0, maximum: 150 })),
    espIdentifier: Opt(Str(255)),
    espService: Opt(Str(100)),
    screenName: Opt(Str(256)),
    ipEvents: Opt(list(IpEvent)),
    estimatedLocation: Opt(Location),
    additionalInfo: Opt(Text),
  },
  Strict,
);
const InternetDetail = Type.Object(
  {
    kind: oneOf(INTERNET_KINDS),
    urls: Opt(list(Str(2083))),
    thirdPartyHostedContent: Opt(Bool),
    emails: Opt(list(Email)),
    name: Opt(Str(255)),
    client: Opt(Str(255)),
    content: Opt(Text),
    phone: Opt(Phone),
    latitude: Opt(Type.Number({ minimum: -90, maximum: 90 })),
    longitude: Opt(Type.Number({ minimum: -180, maximum: 180 })),
    addresses: Opt(list(Address)),
    ipEvents: Opt(list(IpEvent, 10_000)),
    fileNames: Opt(Text),
    additionalInfo: Opt(Text),
  },
  Strict,
);
const MediaFile = Type.Object(
  {
    fileId: Opt(Str(255)),
    fileName: Opt(Str(2056)),
    originalFileName: Opt(Str(2056)),
    uploadedAt: Opt(DateTime),
    location: Opt(Str(2083)),
    viewedByEsp: Opt(Bool),
    exifViewedByEsp: Opt(Bool),
    publiclyAvailable: Opt(Bool),
    relevance: Opt(oneOf(['Reported', 'Supplemental Reported'])),
    annotations: Opt(list(oneOf(FILE_ANNOTATIONS))),
    industryClassification: Opt(oneOf(INDUSTRY_CLASSES)),
    hashes: Opt(
      Type.Object(
        {
          md5: Opt(Hex(32)),
          sha1: Opt(Hex(40)),
          sha256: Opt(Hex(64)),
          pdq: Opt(Hex(64)),
          pdqQuality: Opt(Type.Integer({ minimum: 0, maximum: 100, description: 'PDQ quality (0–100)' })),
          other: Opt(list(Type.Object({ type: Str(64), value: Str(1024) }, Strict))),
        },
        Strict,
      ),
    ),
    ipEvent: Opt(IpEvent),
    devices: Opt(list(Device)),
    details: Opt(
      list(
        Type.Object(
          {
            type: Opt(oneOf(['EXIF', 'HASH'])),
            pairs: list(Type.Object({ name: Str(64), value: Str(10_000) }, Strict)),
          },
          Strict,
        ),
      ),
    ),
    additionalInfo: Opt(list(Text)),
  },
  Strict,
);

export const ReferralSchema = Type.Object(
  {
    $schema: Opt(Type.String()),
    sourceRef: Opt(Type.String({ minLength: 1, maxLength: 255, pattern: '^\\S(.*\\S)?$' })),
    countryHint: Opt(
      Type.String({
        pattern: '^[A-Za-z]{2}$',
        description:
          "the source's own view of the country concerned (ISO 3166-1 alpha-2): one routing signal",
      }),
    ),
    incident: Type.Object(
      {
        type: oneOf(INCIDENT_TYPES),
        occurredAt: DateTime,
        occurredAtDescription: Opt(Str(3000)),
        platform: Opt(Str(256)),
        escalation: Opt(Type.String({ minLength: 1, maxLength: 3000 })),
        annotations: Opt(list(oneOf(REPORT_ANNOTATIONS))),
        batchedReason: Opt(Type.Literal('VIRAL_POTENTIAL_MEME')),
      },
      Strict,
    ),
    internet: Opt(list(InternetDetail)),
    lawEnforcement: Opt(
      Type.Object(
        {
          agencyName: Str(255),
          caseNumber: Opt(Str(100)),
          officer: Opt(Person),
          reportedToLe: Opt(Bool),
          servedLegalProcessDomestic: Opt(Bool),
          servedLegalProcessInternational: Opt(Bool),
          servedLegalProcessCountry: Opt(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9]$' })),
        },
        Strict,
      ),
    ),
    reporter: Type.Object(
      {
        person: Person,
        contact: Opt(Person),
        companyTemplate: Opt(Text),
        termsOfService: Opt(Str(3000)),
        legalUrl: Opt(Str(2083)),
      },
      Strict,
    ),
    reportedPersons: Opt(list(Account)),
    intendedRecipients: Opt(list(Account)),
    victims: Opt(list(Victim)),
    files: Opt(list(MediaFile, 10_000)),
    additionalInfo: Opt(Text),
  },
  {
    ...Strict,
    $id: 'https://conduit.example.org/schemas/referral-1.json',
    title: 'Conduit referral (canonical JSON, v1)',
  },
);
