import { problem, type Problem } from '../domain/errors.ts';
import { parseCountryCode, type Instant, type OrganisationId } from '../domain/ids.ts';
import { isOrganisationKind, type Organisation } from '../domain/organisation.ts';
import type { Database } from '../store/db.ts';
import {
  findOrganisationBySlug,
  insertOrganisation,
  listOrganisations,
} from '../store/organisations.repo.ts';

export interface NewOrganisation {
  readonly slug: string;
  readonly name?: string;
  readonly kind: string;
  readonly country?: string;
  readonly parent?: string;
}

export type AddResult =
  | { readonly ok: true; readonly organisation: Organisation }
  | { readonly ok: false; readonly problems: readonly Problem[] };

export interface OrganisationsService {
  add(input: NewOrganisation): Promise<AddResult>;
  bySlug(slug: string): Promise<Organisation | undefined>;
  list(): Promise<Organisation[]>;
  /** The instance's receiving organisation, created (as a hub) on first start. */
  ensureReceiving(slug: string): Promise<Organisation>;
}

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function createOrganisationsService(deps: {
  readonly database: Database;
  readonly clock: { now(): Instant };
  readonly newId: () => string;
}): OrganisationsService {
  const { database, clock, newId } = deps;
  const service: OrganisationsService = {
    async add(input) {
      const problems: Problem[] = [];
      if (!SLUG.test(input.slug))
        problems.push(problem('invalid_value', 'slug', 'lower-case letters, digits and dashes, at most 63'));
      if (!isOrganisationKind(input.kind)) {
        problems.push(
          problem('invalid_value', 'kind', 'one of provider, referring-centre, hub, national-centre, unit'),
        );
      }
      const country = input.country === undefined ? null : parseCountryCode(input.country);
      if (country === undefined)
        problems.push(problem('invalid_value', 'country', 'an ISO 3166-1 alpha-2 code'));
      const parent =
        input.parent === undefined ? undefined : await findOrganisationBySlug(database.db, input.parent);
      if (input.parent !== undefined && !parent)
        problems.push(problem('unknown_organisation', 'parent', `no organisation ${input.parent}`));
      if (await findOrganisationBySlug(database.db, input.slug))
        problems.push(problem('conflict', 'slug', `${input.slug} exists`));
      if (problems.length || !isOrganisationKind(input.kind) || country === undefined)
        return { ok: false, problems };
      const organisation: Organisation = {
        id: newId() as OrganisationId,
        slug: input.slug,
        name: input.name ?? input.slug,
        kind: input.kind,
        country,
        parentId: parent?.id ?? null,
      };
      await insertOrganisation(database.db, organisation, clock.now());
      return { ok: true, organisation };
    },
    bySlug: (slug) => findOrganisationBySlug(database.db, slug),
    list: () => listOrganisations(database.db),
    async ensureReceiving(slug) {
      const existing = await findOrganisationBySlug(database.db, slug);
      if (existing) return existing;
      const r = await service.add({ slug, name: 'Receiving organisation', kind: 'hub' });
      if (r.ok) return r.organisation;
      // Another process created it first.
      const again = await findOrganisationBySlug(database.db, slug);
      if (again) return again;
      throw new Error(
        `cannot create the receiving organisation ${slug}: ${r.problems.map((p) => p.message).join('; ')}`,
      );
    },
  };
  return service;
}
