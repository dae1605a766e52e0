import { describe, expect, it } from 'vitest';
import { testPorts } from '../../test/support/ports.ts';
import { canonicalReferral } from '../../test/support/fixtures.ts';
import { instantOf, type OrganisationId } from '../domain/ids.ts';
import type { Organisation } from '../domain/organisation.ts';
import { parseCanonical } from '../intake/formats/canonical.ts';
import { createPipeline } from './pipeline.ts';
import { NO_HASH_LISTS } from './ports.ts';

const hub: Organisation = {
  id: '0190a3c2-0000-7000-8000-000000000001' as OrganisationId,
  slug: 'hub',
  name: 'Hub',
  kind: 'hub',
  country: null,
  parentId: null,
  covers: [],
};
const clock = { now: () => instantOf(new Date('2026-01-01T00:00:00Z')) };
const received = clock.now();

function doc(overrides: Record<string, unknown> = {}) {
  const r = parseCanonical(canonicalReferral('ref', overrides));
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.value;
}

describe('pipeline', () => {
  it('runs every stage in order and keeps at the receiving organisation what no one else covers', () => {
    const run = createPipeline(
      testPorts({
        clock,
        hashes: NO_HASH_LISTS,
        routing: { receivingOrganisation: () => hub },
      }),
    );
    const out = run(doc(), hub, received);
    expect(out.kind).toBe('accepted');
    if (out.kind !== 'accepted') return;
    expect(out.decision.trace.map((t) => t.stage)).toEqual([
      'validate',
      'normalise',
      'match',
      'enrich',
      'link',
      'prioritise',
      'route',
    ]);
    expect(out.decision).toMatchObject({ outcome: 'routed', jurisdiction: { recipientOrgId: hub.id } });
    expect(out.decision.jurisdiction.reasons[0]).toContain('hub');
  });

  it('holds for manual triage, with the reason, when no organisation can receive it', () => {
    const run = createPipeline(
      testPorts({
        clock,
        hashes: NO_HASH_LISTS,
        routing: { receivingOrganisation: () => undefined },
      }),
    );
    const out = run(doc(), hub, received);
    expect(out).toMatchObject({
      kind: 'accepted',
      decision: { outcome: 'held', hold: { reason: 'no_recipient' } },
    });
  });

  it('rejects an incident dated after the clock, naming the field', () => {
    const run = createPipeline(
      testPorts({
        clock,
        hashes: NO_HASH_LISTS,
        routing: { receivingOrganisation: () => hub },
      }),
    );
    const out = run(
      doc({ incident: { type: 'Child Sex Tourism', occurredAt: '2026-01-02T00:00:00Z' } }),
      hub,
      received,
    );
    expect(out).toEqual({
      kind: 'rejected',
      problems: [expect.objectContaining({ code: 'invalid_date', path: '/incident/occurredAt' })],
    });
  });

  it('normalises selectors once, keeping the raw form', () => {
    const run = createPipeline(
      testPorts({
        clock,
        hashes: NO_HASH_LISTS,
        routing: { receivingOrganisation: () => hub },
      }),
    );
    const out = run(doc(), hub, received);
    if (out.kind !== 'accepted') throw new Error('rejected');
    const email = out.decision.identifiers.find((i) => i.kind === 'email' && i.role === 'reported');
    expect(email).toMatchObject({
      value: 'reported.user@example.net',
      raw: 'Reported.User@Example.NET',
      account: 0,
    });
    const ip = out.decision.identifiers.find((i) => i.kind === 'ip');
    expect(ip).toMatchObject({ value: '203.0.113.45', port: 51514, at: '2025-06-14T19:02:44.000Z' });
  });
});
