import { can, orgOf, type RequestContext } from '../domain/access.ts';
import { problem, type Problem } from '../domain/errors.ts';
import { parseCountryCode, type Instant, type OrganisationId } from '../domain/ids.ts';
import {
  isOrganisationKind,
  parseCoverage,
  subtreeOf,
  type Coverage,
  type Organisation,
} from '../domain/organisation.ts';
import { auditEvent, auditedWrite } from '../store/audit.repo.ts';
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
  /** Countries or subdivisions covered; defaults to the country, if any. */
  readonly covers?: readonly string[];
}

export type AddResult =
  | { readonly ok: true; readonly organisation: Organisation }
  | { readonly ok: false; readonly problems: readonly Problem[] };

export interface OrganisationsService {
  /** An admin adds below their own organisation; an operator anywhere. Audited. */
  add(input: NewOrganisation, ctx: RequestContext): Promise<AddResult>;
  bySlug(slug: string): Promise<Organisation | undefined>;
  byId(id: OrganisationId): Promise<Organisation | undefined>;
  /**
   * Every organisation (the tree is not secret within an instance). Read on every request for need-to-know,
   * so it is cached for a few seconds; organisations are only ever added, and one added by another process
   * is at worst seen a little late (less visibility, never more).
   */
  list(): Promise<readonly Organisation[]>;
  /** The principal's organisation and everything below it; undefined means no limit (an operator). */
  reach(ctx: RequestContext): Promise<ReadonlySet<OrganisationId> | undefined>;
  /** The instance's receiving organisation, created (as a hub) on first start. */
  ensureReceiving(slug: string): Promise<Organisation>;
}

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
const CACHE_MS = 5000;
const SYSTEM: RequestContext = { principal: { kind: 'operator', name: 'conduit' }, requestId: null };

export function createOrganisationsService(deps: {
  readonly database: Database;
  readonly clock: { now(): Instant };
  readonly newId: () => string;
  /** Told after every change (routing reads the tree). */
  readonly onChange?: () => Promise<void>;
}): OrganisationsService {
  const { database, clock, newId } = deps;
  const db = database.db;
  let cached: { readonly at: number; readonly list: readonly Organisation[] } | undefined;
  const service: OrganisationsService = {
    async add(input, ctx) {
      const problems: Problem[] = [];
      if (!can(ctx.principal, 'organisation.write'))
        return { ok: false, problems: [problem('forbidden', '', 'your role cannot add organisations')] };
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
      const covers: Coverage[] = [];
      for (const [i, c] of (input.covers ?? (country ? [country] : [])).entries()) {
        const v = parseCoverage(c);
        if (v) covers.push(v);
        else problems.push(problem('invalid_value', `covers/${i}`, 'a country (IT) or subdivision (IT-RM)'));
      }
      const reach = await service.reach(ctx);
      const parent = input.parent === undefined ? undefined : await findOrganisationBySlug(db, input.parent);
      // An admin's new organisation hangs below their own: the parent defaults to it and must be within reach.
      const parentOrg =
        parent ?? (input.parent === undefined && reach ? await orgById(orgOf(ctx.principal)) : undefined);
      if (input.parent !== undefined && (!parent || (reach && !reach.has(parent.id))))
        problems.push(problem('unknown_organisation', 'parent', `no organisation ${input.parent}`));
      if (await findOrganisationBySlug(db, input.slug))
        problems.push(problem('conflict', 'slug', `${input.slug} exists`));
      if (problems.length || !isOrganisationKind(input.kind) || country === undefined)
        return { ok: false, problems };
      const organisation: Organisation = {
        id: newId() as OrganisationId,
        slug: input.slug,
        name: input.name ?? input.slug,
        kind: input.kind,
        country,
        parentId: parentOrg?.id ?? null,
        covers,
      };
      const at = clock.now();
      cached = undefined;
      await auditedWrite(db, async (trx) => {
        await insertOrganisation(trx, organisation, at);
        return {
          value: undefined,
          events: [
            auditEvent(ctx, at, {
              action: 'organisation.add',
              objectType: 'organisation',
              objectId: organisation.id,
              details: { ...organisation },
            }),
          ],
        };
      });
      await deps.onChange?.();
      return { ok: true, organisation };
    },
    bySlug: (slug) => findOrganisationBySlug(db, slug),
    byId: orgById,
    list,
    async reach(ctx) {
      const own = orgOf(ctx.principal);
      return own === null ? undefined : subtreeOf(await list(), own);
    },
    async ensureReceiving(slug) {
      const existing = await findOrganisationBySlug(db, slug);
      if (existing) return existing;
      const r = await service.add({ slug, name: 'Receiving organisation', kind: 'hub' }, SYSTEM);
      if (r.ok) return r.organisation;
      // Another process created it first.
      const again = await findOrganisationBySlug(db, slug);
      if (again) return again;
      throw new Error(
        `cannot create the receiving organisation ${slug}: ${r.problems.map((p) => p.message).join('; ')}`,
      );
    },
  };
  async function orgById(id: OrganisationId | null): Promise<Organisation | undefined> {
    if (id === null) return undefined;
    return (await list()).find((o) => o.id === id);
  }
  async function list(): Promise<readonly Organisation[]> {
    const now = performance.now();
    if (cached && now - cached.at < CACHE_MS) return cached.list;
    const fresh = await listOrganisations(db);
    cached = { at: now, list: fresh };
    return fresh;
  }
  return service;
}
