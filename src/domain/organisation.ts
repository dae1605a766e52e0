import type { CountryCode, OrganisationId } from './ids.ts';

export const ORGANISATION_KINDS = ['provider', 'referring-centre', 'hub', 'national-centre', 'unit'] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

/** A country (`IT`) or one of its subdivisions (ISO 3166-2, `IT-RM`) an organisation covers. */
export type Coverage = string & { readonly __brand: 'Coverage' };

export interface Organisation {
  readonly id: OrganisationId;
  readonly slug: string;
  readonly name: string;
  readonly kind: OrganisationKind;
  readonly country: CountryCode | null;
  readonly parentId: OrganisationId | null;
  /** Where it can act; routing sends a referral to the most specific organisation that covers it. */
  readonly covers: readonly Coverage[];
}

/** Kinds that receive and act on referrals; a source (provider, referring centre) never does. */
export function receivesReferrals(kind: OrganisationKind): boolean {
  return kind === 'hub' || kind === 'national-centre' || kind === 'unit';
}

export function isOrganisationKind(s: string): s is OrganisationKind {
  return (ORGANISATION_KINDS as readonly string[]).includes(s);
}

const COVERAGE = /^[A-Z]{2}(-[A-Z0-9]{1,3})?$/;

export function parseCoverage(s: string): Coverage | undefined {
  const v = s.trim().toUpperCase();
  return COVERAGE.test(v) ? (v as Coverage) : undefined;
}

/**
 * The organisation and everything below it. What was routed to a unit passed through its national centre
 * and its hub, so they see it too; a unit sees nothing of its siblings'.
 */
export function subtreeOf(
  organisations: readonly Organisation[],
  root: OrganisationId,
): ReadonlySet<OrganisationId> {
  const children = new Map<OrganisationId, OrganisationId[]>();
  for (const o of organisations) {
    if (o.parentId === null) continue;
    const list = children.get(o.parentId) ?? [];
    list.push(o.id);
    children.set(o.parentId, list);
  }
  const out = new Set<OrganisationId>([root]);
  const todo = [root];
  for (let id = todo.pop(); id !== undefined; id = todo.pop()) {
    for (const c of children.get(id) ?? []) {
      if (!out.has(c)) {
        out.add(c);
        todo.push(c);
      }
    }
  }
  return out;
}
