import { parseCanonical } from '../../src/intake/formats/canonical.ts';
import { seal, type Submission } from '../../src/intake/intake.service.ts';

/** A small, valid canonical referral (synthetic values only), as plain JSON for the parsers. */
export function canonicalReferral(
  sourceRef: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    sourceRef,
    incident: {
      type: 'Online Enticement of Children for Sexual Acts',
      occurredAt: '2025-06-14T21:37:05+02:00',
      annotations: ['sextortion'],
    },
    reporter: { person: { emails: [{ address: 'trust-safety@example.com' }] } },
    reportedPersons: [
      {
        espIdentifier: 'usr_0001',
        espService: 'ExampleChat',
        screenName: 'Night_Owl',
        person: {
          emails: [{ address: 'Reported.User@Example.NET' }],
          phones: [{ number: '06 0000 0101', countryCallingCode: '+39' }],
        },
        ipEvents: [
          { address: '::ffff:203.0.113.45', event: 'Login', at: '2025-06-14T19:02:44Z', port: 51514 },
        ],
      },
    ],
    victims: [{ age: 13 }],
    files: [{ hashes: { md5: '5727647EBCA74E1A1092482990CFF7F1' }, relevance: 'Reported' }],
    ...overrides,
  };
}

/** A canonical referral as the intake service takes it: parsed once, raw bytes sealed. */
export function canonicalSubmission(doc: Record<string, unknown>): Submission {
  const parsed = parseCanonical(doc);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const raw = Buffer.from(JSON.stringify(doc));
  return { format: 'conduit-json', mediaType: 'application/json', raw, ...seal(raw), document: parsed.value };
}
