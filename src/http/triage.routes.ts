import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { PRIORITY_LEVELS, type PriorityLevel } from '../domain/decision.ts';
import type { TriageService } from '../triage/triage.service.ts';
import { contextOf } from './auth.ts';
import { BODY_LIMITS, jsonBody } from './body.ts';
import { answer, sendProblems } from './errors.ts';

const Level = Type.Union(PRIORITY_LEVELS.map((l) => Type.Literal(l)));
const QueueQuery = Type.Object(
  {
    org: Type.Optional(Type.String({ description: "whose queue (slug); your organisation's by default" })),
    level: Type.Optional(
      Type.String({ pattern: '^([E123])(,[E123])*$', description: 'levels, comma-separated: E,1' }),
    ),
    country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
    status: Type.Optional(
      Type.Union([Type.Literal('pending'), Type.Literal('accepted'), Type.Literal('all')], {
        description: 'triage state; pending by default',
      }),
    ),
    hasMatches: Type.Optional(Type.Boolean()),
    held: Type.Optional(Type.Boolean({ description: 'only (true) or no (false) referrals held for triage' })),
    classification: Type.Optional(
      Type.Union([Type.Literal('actionable'), Type.Literal('informational'), Type.Literal('all')], {
        description: 'actionable by default: informational referrals stay out of the queue',
      }),
    ),
    after: Type.Optional(Type.String({ description: 'cursor: the `next` of the previous page' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
);
const ArrivalsQuery = Type.Object(
  {
    since: Type.String({
      minLength: 1,
      maxLength: 40,
      description: 'date-time: count what arrived after it',
    }),
    org: Type.Optional(Type.String({ description: "whose queue (slug); your organisation's by default" })),
  },
  { additionalProperties: false },
);
const Id = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const Reason = Type.String({ minLength: 1, maxLength: 1000 });
const ReassignBody = Type.Object(
  { to: Type.String({ minLength: 1, maxLength: 63 }), reason: Reason },
  {
    additionalProperties: false,
  },
);
const PriorityBody = Type.Object({ level: Level, reason: Reason }, { additionalProperties: false });
const RerouteBody = Type.Object(
  { heldOnly: Type.Optional(Type.Boolean({ description: 'only referrals held for triage' })) },
  { additionalProperties: false },
);

/** The triage queue and its actions: accept, reassign, override priority; re-run routing. All audited. */
export function triageRoutes(triage: TriageService): FastifyPluginAsync {
  // eslint-disable-next-line @typescript-eslint/require-await -- Fastify plugins are async by contract
  return async (app) => {
    app.get(
      '/queue',
      {
        config: { access: 'referral.read' },
        schema: {
          summary: "An organisation's triage queue, by priority then age (keyset pagination)",
          querystring: QueueQuery,
        },
      },
      async (req, reply) => {
        const q = req.query as {
          org?: string;
          level?: string;
          country?: string;
          status?: 'pending' | 'accepted' | 'all';
          hasMatches?: boolean;
          held?: boolean;
          classification?: 'actionable' | 'informational' | 'all';
          after?: string;
          limit?: number;
        };
        return answer(
          reply,
          await triage.queue(
            {
              ...q,
              ...(q.level !== undefined && { levels: q.level.split(',') as PriorityLevel[] }),
              limit: q.limit ?? 50,
            },
            contextOf(req),
          ),
        );
      },
    );
    app.get(
      '/queue/arrivals',
      {
        config: { access: 'referral.read' },
        schema: {
          summary: 'How many pending, actionable referrals reached the queue after `since` (live count)',
          querystring: ArrivalsQuery,
        },
      },
      async (req, reply) => {
        const q = req.query as { org?: string; since: string };
        return answer(reply, await triage.arrivals(q, contextOf(req)));
      },
    );
    app.post(
      '/referrals/:id/accept',
      {
        bodyLimit: BODY_LIMITS.none,
        config: { access: 'referral.triage' },
        schema: { summary: 'Accept a referral routed to your organisation', params: Id },
      },
      async (req, reply) => {
        return answer(reply, await triage.accept((req.params as { id: string }).id, contextOf(req)));
      },
    );
    app.post(
      '/referrals/:id/reassign',
      {
        bodyLimit: BODY_LIMITS.admin,
        config: { access: 'referral.triage', body: ReassignBody },
        schema: { summary: 'Send a referral to another organisation, with a reason', params: Id },
      },
      async (req, reply) => {
        const body = jsonBody(req, ReassignBody);
        if (!body.ok) return sendProblems(reply, body.problems);
        const { id } = req.params as { id: string };
        return answer(reply, await triage.reassign(id, body.value.to, body.value.reason, contextOf(req)));
      },
    );
    app.post(
      '/referrals/:id/priority',
      {
        bodyLimit: BODY_LIMITS.admin,
        config: { access: 'referral.triage', body: PriorityBody },
        schema: { summary: "Override a referral's priority level, with a reason", params: Id },
      },
      async (req, reply) => {
        const body = jsonBody(req, PriorityBody);
        if (!body.ok) return sendProblems(reply, body.problems);
        const { id } = req.params as { id: string };
        return answer(
          reply,
          await triage.overridePriority(id, body.value.level, body.value.reason, contextOf(req)),
        );
      },
    );
    app.post(
      '/routing/rerun',
      {
        bodyLimit: BODY_LIMITS.admin,
        config: { access: 'referral.triage', body: RerouteBody },
        schema: {
          summary: 'Decide again, with the rules in force, every referral in your reach not yet accepted',
        },
      },
      async (req, reply) => {
        const body = jsonBody(req, RerouteBody);
        if (!body.ok) return sendProblems(reply, body.problems);
        return answer(reply, await triage.reroute(body.value, contextOf(req)));
      },
    );
  };
}
