import { describe, expect, it } from 'vitest';
import { canonicalReferral } from '../../../test/support/fixtures.ts';
import { parseCanonical, parseCanonicalText } from './canonical.ts';

describe('canonical JSON referral', () => {
  it('parses a valid referral into canonical values', () => {
    const r = parseCanonical(canonicalReferral('ref-1'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.incident.occurredAt).toBe('2025-06-14T19:37:05.000Z');
    expect(r.value.reportedPersons[0]?.ipEvents[0]?.address).toBe('203.0.113.45');
    expect(r.value.files[0]?.hashes.md5).toBe('5727647ebca74e1a1092482990cff7f1');
    expect(r.value.intendedRecipients).toEqual([]);
  });

  it('takes the source’s country hint in canonical form and names it when malformed', () => {
    const r = parseCanonical(canonicalReferral('h', { countryHint: 'it' }));
    expect(r.ok && r.value.countryHint).toBe('IT');
    const bad = parseCanonical(canonicalReferral('h', { countryHint: 'Italy' }));
    expect(bad.ok ? [] : bad.problems.map((p) => p.path)).toContain('/countryHint');
  });

  it('names the field of an impossible date', () => {
    const r = parseCanonical(
      canonicalReferral('x', { incident: { type: 'Child Sex Tourism', occurredAt: '2025-02-30T10:00:00Z' } }),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems[0]).toMatchObject({ code: 'invalid_date', path: '/incident/occurredAt' });
  });

  it('rejects a malformed IP with its path', () => {
    const doc = canonicalReferral('x');
    doc.reportedPersons = [{ ipEvents: [{ address: '203.0.113.300' }] }];
    const r = parseCanonical(doc);
    expect(r.ok ? [] : r.problems).toEqual([
      expect.objectContaining({ code: 'invalid_ip', path: '/reportedPersons/0/ipEvents/0/address' }),
    ]);
  });

  it('rejects a malformed e-mail with its path', () => {
    const doc = canonicalReferral('x', { reporter: { person: { emails: [{ address: 'not-an-address' }] } } });
    const r = parseCanonical(doc);
    expect(r.ok ? [] : r.problems).toEqual([
      expect.objectContaining({ code: 'invalid_email', path: '/reporter/person/emails/0/address' }),
    ]);
  });

  it('rejects unknown properties and bad enumerations', () => {
    const r = parseCanonical(
      canonicalReferral('x', {
        surprise: 1,
        incident: { type: 'Something else', occurredAt: '2025-01-01T00:00:00Z' },
      }),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.problems.map((p) => p.path);
    expect(paths).toContain('/surprise');
    expect(paths).toContain('/incident/type');
  });

  it('reports malformed JSON as malformed_input', () => {
    const r = parseCanonicalText('{"incident": ');
    expect(r.ok ? undefined : r.problems[0]?.code).toBe('malformed_input');
  });
});
