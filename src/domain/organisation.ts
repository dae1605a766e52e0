import type { CountryCode, OrganisationId } from './ids.ts';

export const ORGANISATION_KINDS = ['provider', 'referring-centre', 'hub', 'national-centre', 'unit'] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

export interface Organisation {
  readonly id: OrganisationId;
  readonly slug: string;
  readonly name: string;
  readonly kind: OrganisationKind;
  readonly country: CountryCode | null;
  readonly parentId: OrganisationId | null;
}

export function isOrganisationKind(s: string): s is OrganisationKind {
  return (ORGANISATION_KINDS as readonly string[]).includes(s);
}
