import type { Kysely } from 'kysely';
import type { CountryCode, OrganisationId } from '../domain/ids.ts';
import type { Coverage, Organisation, OrganisationKind } from '../domain/organisation.ts';
import type { Tables } from './schema.ts';

type Row = Tables['organisations'];

function toOrganisation(r: Row): Organisation {
  return {
    id: r.id as OrganisationId,
    slug: r.slug,
    name: r.name,
    kind: r.kind as OrganisationKind,
    country: r.country as CountryCode | null,
    parentId: r.parent_id as OrganisationId | null,
    covers: JSON.parse(r.covers) as Coverage[],
  };
}

export async function findOrganisationBySlug(
  db: Kysely<Tables>,
  slug: string,
): Promise<Organisation | undefined> {
  const r = await db.selectFrom('organisations').selectAll().where('slug', '=', slug).executeTakeFirst();
  return r && toOrganisation(r);
}

export async function listOrganisations(db: Kysely<Tables>): Promise<Organisation[]> {
  const rows = await db.selectFrom('organisations').selectAll().orderBy('slug').execute();
  return rows.map(toOrganisation);
}

export async function insertOrganisation(
  db: Kysely<Tables>,
  org: Organisation,
  createdAt: string,
): Promise<void> {
  await db
    .insertInto('organisations')
    .values({
      id: org.id,
      slug: org.slug,
      name: org.name,
      kind: org.kind,
      country: org.country,
      parent_id: org.parentId,
      covers: JSON.stringify(org.covers),
      created_at: createdAt,
    })
    .execute();
}
