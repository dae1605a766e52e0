import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { parseInstant, parseReferralId } from '../domain/ids.ts';
import { problem, type Problem } from '../domain/errors.ts';
import type { IntakeResult } from '../intake/intake.service.ts';
import { parseUnit, type ParsedUnit } from '../intake/parse.ts';
import type { Unit } from '../intake/sources.ts';
import { contextOf, principalOf } from './auth.ts';
import { answer, sendProblems } from './errors.ts';
import type { HttpDeps } from './server.ts';

const ErrorSchema = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    problems: Type.Array(Type.Object({ code: Type.String(), path: Type.String(), message: Type.String() })),
  }),
});
const ResultSchema = Type.Object({
  result: Type.Union([Type.Literal('accepted'), Type.Literal('duplicate'), Type.Literal('rejected')]),
  id: Type.Optional(Type.String()),
  status: Type.Optional(Type.String()),
  sourceRef: Type.Optional(Type.String()),
  problems: Type.Optional(ErrorSchema.properties.error.properties.problems),
});
const ListQuery = Type.Object({
  source: Type.Optional(Type.String({ description: 'source organisation slug' })),
  status: Type.Optional(Type.Union([Type.Literal('routed'), Type.Literal('held')])),
  receivedFrom: Type.Optional(Type.String({ description: 'date-time, inclusive' })),
  receivedTo: Type.Optional(Type.String({ description: 'date-time, exclusive' })),
  after: Type.Optional(Type.String({ description: 'cursor: the `next` of the previous page' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
});

const REPORTING: ReadonlySet<string> = new Set(['provider', 'referring-centre']);

/** `/api/v1/referrals`: intake of canonical JSON, NDJSON or CyberTipline XML; keyset listing; one referral. */
export function referralRoutes(deps: HttpDeps): FastifyPluginAsync {
  // eslint-disable-next-line @typescript-eslint/require-await -- Fastify plugins are async by contract
  return async (app) => {
    app.post(
      '/referrals',
      {
        config: { access: 'referral.submit' },
        schema: {
          summary: 'Submit referrals',
          description:
            'Body: one canonical referral (application/json, see /api/v1/schemas/referral), a JSON array of them, ' +
            'NDJSON (application/x-ndjson), or one CyberTipline <report> (application/xml). Query `source`: the ' +
            'source organisation slug (default: your own; an API key always files as its own). Idempotent per source reference.',
          querystring: Type.Object({ source: Type.Optional(Type.String()) }),
          response: {
            // A batch answers its results; a single resubmission answers "duplicate" with the original id.
            200: Type.Union([Type.Object({ results: Type.Array(ResultSchema) }), ResultSchema]),
            201: ResultSchema,
            400: ErrorSchema,
            413: ErrorSchema,
            415: ErrorSchema,
            422: ErrorSchema,
          },
        },
      },
      async (req, reply) => {
        const { source: slug } = req.query as { source?: string };
        const principal = principalOf(req);
        if (principal.kind === 'operator') throw new Error('bug: an operator over HTTP');
        const own = await deps.organisations.byId(principal.orgId);
        // A machine client files as its own organisation; a person may record a referral on behalf of
        // another source (one received on paper, say), and the trail names them.
        const source = slug === undefined ? own : await deps.organisations.bySlug(slug);
        if (!source) {
          return sendProblems(reply, [problem('unknown_organisation', 'source', `no organisation ${slug}`)]);
        }
        if (principal.kind === 'client' && source.id !== principal.orgId) {
          return sendProblems(reply, [
            problem('forbidden', 'source', 'an API key files as its own organisation'),
          ]);
        }
        // On behalf of a reporting organisation (a report that came on paper) or one below one's own; never
        // as a sibling or another branch, whose own filings this would impersonate.
        const reach = await deps.organisations.reach({ principal, requestId: req.id });
        if (source.id !== principal.orgId && !REPORTING.has(source.kind) && reach && !reach.has(source.id)) {
          return sendProblems(reply, [
            problem('forbidden', 'source', `you cannot file on behalf of ${source.slug}`),
          ]);
        }
        const body = req.body;
        if (!Buffer.isBuffer(body)) {
          return sendProblems(reply, [problem('unsupported_format', 'body', 'send JSON, NDJSON or XML')]);
        }
        const units = unitsOf(body, req.headers['content-type'] ?? '');
        if (!Array.isArray(units)) {
          return sendProblems(reply, units.problems);
        }
        const now = deps.now();
        const parsed = units.map((u) => parseUnit(u, now));
        const ok = parsed.filter((p): p is Extract<ParsedUnit, { kind: 'ok' }> => p.kind === 'ok');
        const stored = await deps.intake.submit(
          source,
          ok.map((p) => p.submission),
          { principal, requestId: req.id },
        );
        let k = 0;
        const results: IntakeResult[] = parsed.map((p) =>
          p.kind === 'ok' ? (stored[k++] as IntakeResult) : { kind: 'rejected', problems: p.problems },
        );
        if (units.single) {
          const r = results[0];
          if (!r) throw new Error('bug: no result for a single submission');
          if (r.kind === 'rejected') {
            return sendProblems(reply, r.problems);
          }
          return reply.status(r.kind === 'accepted' ? 201 : 200).send(view(r));
        }
        return reply.status(200).send({ results: results.map(view) });
      },
    );

    app.get(
      '/referrals',
      {
        config: { access: 'referral.status' },
        schema: {
          summary: 'Referrals you may see, newest first (keyset pagination)',
          description:
            'Referrals routed to your organisation or below it, whole; those your organisation filed, as status only.',
          querystring: ListQuery,
        },
      },
      async (req, reply) => {
        const q = req.query as {
          source?: string;
          status?: string;
          receivedFrom?: string;
          receivedTo?: string;
          after?: string;
          limit?: number;
        };
        const problems: Problem[] = [];
        const receivedFrom = q.receivedFrom === undefined ? undefined : parseInstant(q.receivedFrom);
        const receivedTo = q.receivedTo === undefined ? undefined : parseInstant(q.receivedTo);
        if (q.receivedFrom !== undefined && !receivedFrom)
          problems.push(problem('invalid_date', 'receivedFrom', 'expected a date-time'));
        if (q.receivedTo !== undefined && !receivedTo)
          problems.push(problem('invalid_date', 'receivedTo', 'expected a date-time'));
        if (q.after !== undefined && !parseReferralId(q.after))
          problems.push(problem('bad_request', 'after', 'not a cursor from a previous page'));
        const source = q.source === undefined ? undefined : await deps.organisations.bySlug(q.source);
        if (q.source !== undefined && !source)
          problems.push(problem('unknown_organisation', 'source', `no organisation ${q.source}`));
        if (problems.length) {
          return sendProblems(reply, problems);
        }
        return deps.referrals.list(
          {
            ...(source && { sourceOrgId: source.id }),
            ...(q.status && { status: q.status }),
            ...(receivedFrom && { receivedFrom }),
            ...(receivedTo && { receivedTo }),
            ...(q.after && { after: q.after }),
            limit: q.limit ?? 50,
          },
          { principal: principalOf(req), requestId: req.id },
        );
      },
    );

    app.get(
      '/referrals/:id',
      {
        config: { access: 'referral.status' },
        schema: {
          summary: 'One referral with its decision (its status only, for its source)',
          params: Type.Object({ id: Type.String() }),
        },
      },
      async (req, reply) => {
        const { id } = req.params as { id: string };
        const found = parseReferralId(id)
          ? await deps.referrals.get(id, { principal: principalOf(req), requestId: req.id })
          : undefined;
        if (!found) {
          return sendProblems(reply, [problem('not_found', 'id', `no referral ${id}`)]);
        }
        return found;
      },
    );

    app.get(
      '/referrals/:id/raw',
      {
        config: { access: 'referral.read' },
        schema: {
          summary: 'The document exactly as submitted (XML or JSON text), with its media type and SHA-256',
          params: Type.Object({ id: Type.String() }),
        },
      },
      async (req, reply) => {
        const { id } = req.params as { id: string };
        const raw = parseReferralId(id)
          ? await deps.referrals.raw(id, { principal: principalOf(req), requestId: req.id })
          : undefined;
        if (!raw) return sendProblems(reply, [problem('not_found', 'id', `no referral ${id}`)]);
        return raw;
      },
    );

    app.get(
      '/dashboard',
      {
        config: { access: 'referral.read' },
        schema: {
          summary:
            'Referrals in reach over the last days: per day, level, country; held backlog; routing time; match rates',
          querystring: Type.Object(
            { days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366, default: 30 })) },
            { additionalProperties: false },
          ),
        },
      },
      async (req, reply) => {
        const { days } = req.query as { days?: number };
        return answer(reply, await deps.dashboard.view({ days: days ?? 30 }, contextOf(req)));
      },
    );
  };
}

function view(r: IntakeResult) {
  switch (r.kind) {
    case 'accepted':
      return { result: 'accepted' as const, id: r.id, status: r.status, sourceRef: r.sourceRef };
    case 'duplicate':
      return { result: 'duplicate' as const, id: r.id, sourceRef: r.sourceRef };
    case 'rejected':
      return { result: 'rejected' as const, problems: r.problems };
  }
}

type BodyUnits = (Unit[] & { single: boolean }) | { problems: Problem[] };

/** Splits a request body into input units by its media type; a JSON array or NDJSON is a batch. */
function unitsOf(body: Buffer, contentType: string): BodyUnits {
  const type = contentType.split(';')[0]?.trim().toLowerCase();
  const single = (u: Unit) => Object.assign([u], { single: true });
  if (type === 'application/xml' || type === 'text/xml')
    return single({ kind: 'cybertipline', input: 'body', report: body, fileDetails: [] });
  if (type === 'application/x-ndjson') {
    // Split on newline bytes: each line stays byte-exact (UTF-8 is checked strictly when it is parsed).
    const units: Unit[] = [];
    for (let start = 0, n = 1; start < body.length; n++) {
      const nl = body.indexOf(0x0a, start);
      const line = body.subarray(start, nl === -1 ? body.length : nl);
      if (line.toString('latin1').trim()) units.push({ kind: 'json', input: `body:${n}`, bytes: line });
      start = nl === -1 ? body.length : nl + 1;
    }
    return Object.assign(units, { single: false });
  }
  if (body.toString('latin1', 0, 64).trimStart().startsWith('[')) {
    let value: unknown;
    try {
      value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
    } catch (e) {
      return {
        problems: [problem('malformed_input', 'body', `not valid UTF-8 JSON: ${(e as Error).message}`)],
      };
    }
    if (!Array.isArray(value))
      return { problems: [problem('malformed_input', 'body', 'expected a JSON array')] };
    // A batch keeps each element re-serialised as its raw record (the array is not kept whole).
    return Object.assign(
      value.map((v, i) => ({
        kind: 'json' as const,
        input: `body[${i}]`,
        bytes: Buffer.from(JSON.stringify(v)),
      })),
      { single: false },
    );
  }
  return single({ kind: 'json', input: 'body', bytes: body });
}
