import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { problem } from '../domain/errors.ts';
import type { SubjectsService } from '../linking/subjects.service.ts';
import { contextOf } from './auth.ts';
import { BODY_LIMITS, jsonBody } from './body.ts';
import { answer, sendProblems } from './errors.ts';

/** A prior-records register travels whole as the body: an agency's runs to hundreds of thousands of rows. */
export const REGISTER_BODY_LIMIT = 64 * 1024 * 1024;

// Ids reach SQL and the audit trail: a NUL or a control character would be a database error, not a 4xx.
const SafeId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' });
const Id = Type.Object({ id: SafeId }, { additionalProperties: false });
const CommunityId = Type.Object(
  {
    id: Type.String({
      minLength: 1,
      maxLength: 1024,
      pattern: '^[A-Za-z0-9_-]+$',
      description: 'as listed: the service and group identifier, base64url',
    }),
  },
  { additionalProperties: false },
);
const RegisterName = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);
const Reason = Type.String({ minLength: 1, maxLength: 1000 });

const ListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    after: Type.Optional({ ...SafeId, description: 'cursor: the `next` of the previous page' }),
    withPrior: Type.Optional(Type.Boolean({ description: 'only subjects with a prior-records hit' })),
  },
  { additionalProperties: false },
);
const GraphQuery = Type.Object(
  {
    format: Type.Optional(
      Type.Union([Type.Literal('json'), Type.Literal('graphml')], {
        description: 'json (Cytoscape.js elements) by default, or GraphML',
      }),
    ),
  },
  { additionalProperties: false },
);
const TraceQuery = Type.Object(
  {
    q: Type.String({ minLength: 1, maxLength: 200, description: 'a screen name' }),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  },
  { additionalProperties: false },
);

const SplitBody = Type.Object(
  {
    accounts: Type.Array(Type.String({ minLength: 1, maxLength: 500 }), {
      minItems: 1,
      maxItems: 1000,
      description: 'the accounts (as the subject lists them) to take out into a subject of their own',
    }),
    reason: Reason,
  },
  { additionalProperties: false },
);
const MergeBody = Type.Object(
  { subjects: Type.Array(SafeId, { minItems: 2, maxItems: 50 }), reason: Reason },
  { additionalProperties: false },
);
const ConfirmBody = Type.Object({ reason: Reason }, { additionalProperties: false });

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** A register's text and format from the body's content type; the format is the media type's, never guessed. */
function registerText(
  req: FastifyRequest,
):
  | { ok: true; text: string; format: 'csv' | 'json' }
  | { ok: false; code: 'unsupported_format' | 'malformed_input'; message: string } {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  const format = type === 'text/csv' ? 'csv' : type === 'application/json' ? 'json' : undefined;
  const body = req.body;
  if (format === undefined || !Buffer.isBuffer(body))
    return { ok: false, code: 'unsupported_format', message: 'send text/csv or application/json' };
  try {
    return { ok: true, text: UTF8.decode(body), format };
  } catch {
    return { ok: false, code: 'malformed_input', message: 'not valid UTF-8' };
  }
}

/**
 * Subjects (clusters of reported persons believed to be one), their graphs, analysts' split/merge/confirm
 * decisions, a referral's links, communities, nickname traces, prior-records registers and deconfliction
 * notices. The service applies need-to-know and audits; these routes parse and answer.
 */
export function subjectRoutes(subjects: SubjectsService): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/subjects',
      {
        config: { access: 'subject.read' },
        schema: {
          summary: 'Subjects linked from referrals in your reach (keyset pagination by id)',
          querystring: ListQuery,
        },
      },
      async (req, reply) => {
        const q = req.query as { limit?: number; after?: string; withPrior?: boolean };
        return answer(
          reply,
          await subjects.list(
            {
              limit: q.limit ?? 50,
              ...(q.after !== undefined && { after: q.after }),
              ...(q.withPrior !== undefined && { withPrior: q.withPrior }),
            },
            contextOf(req),
          ),
        );
      },
    );
    app.get(
      '/subjects/:id',
      {
        config: { access: 'subject.read' },
        schema: {
          summary: 'A subject: its referrals in your reach, identifiers, evidence, decisions, prior records',
          params: Id,
        },
      },
      async (req, reply) => {
        return answer(reply, await subjects.get((req.params as { id: string }).id, contextOf(req)));
      },
    );
    app.get(
      '/subjects/:id/graph',
      {
        config: { access: 'subject.read' },
        schema: {
          summary: "A subject's graph: Cytoscape.js elements JSON, or GraphML (as a file)",
          params: Id,
          querystring: GraphQuery,
        },
      },
      async (req, reply) => {
        const { id } = req.params as { id: string };
        const { format = 'json' } = req.query as { format?: 'json' | 'graphml' };
        const r = await subjects.graph(id, format, contextOf(req));
        if (!r.ok) return sendProblems(reply, r.problems);
        // The service's text is the document already: sent as it is, never encoded again.
        if (format === 'json') return reply.type('application/json; charset=utf-8').send(r.value);
        return reply
          .type('application/graphml+xml; charset=utf-8')
          .header('content-disposition', `attachment; filename="subject-${id}.graphml"`)
          .send(r.value);
      },
    );
    app.post(
      '/subjects/:id/split',
      {
        bodyLimit: BODY_LIMITS.admin,
        config: { access: 'subject.decide', body: SplitBody },
        schema: {
          summary: 'Split accounts out of a subject, with a reason (kept for every rebuild)',
          params: Id,
        },
      },
      async (req, reply) => {
        const body = jsonBody(req, SplitBody);
        if (!body.ok) return sendProblems(reply, body.problems);
        const { id } = req.params as { id: string };
        const r = await subjects.split(id, body.value.accounts, body.value.reason, contextOf(req));
        return r.ok ? { subjects: r.value } : sendProblems(reply, r.problems);
      },
    );
    app.post(
      '/subjects/merge',
      {
        bodyLimit: BODY_LIMITS.admin,
        config: { access: 'subject.decide', body: MergeBody },
        schema: { summary: 'Merge subjects into one, with a reason (kept for every rebuild)' },
      },
      async (req, reply) => {
        const body = jsonBody(req, MergeBody);
        if (!body.ok) return sendProblems(reply, body.problems);
        const r = await subjects.merge(body.value.subjects, body.value.reason, contextOf(req));
        return r.ok ? { subject: r.value } : sendProblems(reply, r.problems);
      },
    );
    app.post(
      '/subjects/:id/confirm',
      {
        bodyLimit: BODY_LIMITS.admin,
        config: { access: 'subject.decide', body: ConfirmBody },
        schema: { summary: 'Confirm that a subject is one person, with a reason', params: Id },
      },
      async (req, reply) => {
        const body = jsonBody(req, ConfirmBody);
        if (!body.ok) return sendProblems(reply, body.problems);
        const { id } = req.params as { id: string };
        const r = await subjects.confirm(id, body.value.reason, contextOf(req));
        return r.ok ? { subject: r.value } : sendProblems(reply, r.problems);
      },
    );
    app.get(
      '/referrals/:id/links',
      {
        config: { access: 'subject.read' },
        schema: {
          summary:
            "A referral's reported persons and the subjects they belong to; what could not link, and why",
          params: Id,
        },
      },
      async (req, reply) => {
        return answer(reply, await subjects.referralLinks((req.params as { id: string }).id, contextOf(req)));
      },
    );
    app.get(
      '/communities',
      {
        config: { access: 'subject.read' },
        schema: { summary: 'Communities: groups shared by two or more subjects, by country' },
      },
      async (req, reply) => {
        const r = await subjects.communities({}, contextOf(req));
        return r.ok ? { items: r.value } : sendProblems(reply, r.problems);
      },
    );
    app.get(
      '/communities/:id',
      {
        config: { access: 'subject.read' },
        schema: { summary: 'A community with its members in your reach', params: CommunityId },
      },
      async (req, reply) => {
        const { id } = req.params as { id: string };
        const r = await subjects.communities({ detail: id }, contextOf(req));
        if (!r.ok) return sendProblems(reply, r.problems);
        return r.value[0] ?? sendProblems(reply, [problem('not_found', 'id', `no community ${id}`)]);
      },
    );
    app.get(
      '/nicknames',
      {
        config: { access: 'subject.read' },
        schema: {
          summary: 'Screen names like this one (look-alikes, variants, similar) in referrals in your reach',
          querystring: TraceQuery,
        },
      },
      async (req, reply) => {
        const q = req.query as { q: string; limit?: number };
        return answer(reply, await subjects.trace(q.q, q.limit ?? 20, contextOf(req)));
      },
    );
    app.get(
      '/registers',
      {
        config: { access: 'register.read' },
        schema: { summary: 'The prior-records registers loaded: names and sizes, never their entries' },
      },
      async (req, reply) => {
        const r = await subjects.registers(contextOf(req));
        return r.ok ? { items: r.value } : sendProblems(reply, r.problems);
      },
    );
    // In a scope of its own: the register is the body itself, CSV or JSON, handed over as bytes.
    // eslint-disable-next-line @typescript-eslint/require-await -- Fastify plugins are async by contract
    await app.register(async (scope) => {
      scope.addContentTypeParser(
        'text/csv',
        { parseAs: 'buffer' },
        (_req: FastifyRequest, body: Buffer, done: (err: Error | null, body?: Buffer) => void) =>
          done(null, body),
      );
      scope.put(
        '/registers/:name',
        {
          bodyLimit: REGISTER_BODY_LIMIT,
          config: { access: 'register.write' },
          schema: {
            summary:
              'Load (or replace) a prior-records register: text/csv with a header row ' +
              '(reference,kind,value[,service][,label][,since]) or application/json',
            params: RegisterName,
          },
        },
        async (req, reply) => {
          const body = registerText(req);
          if (!body.ok) return sendProblems(reply, [problem(body.code, 'body', body.message)]);
          const { name } = req.params as { name: string };
          return answer(reply, await subjects.importRegister(name, body.text, body.format, contextOf(req)));
        },
      );
    });
    app.get(
      '/deconfliction',
      {
        config: { access: 'subject.read' },
        schema: {
          summary:
            'Deconfliction notices: a subject your organisation holds was reported to another, or the reverse',
        },
      },
      async (req, reply) => {
        const r = await subjects.notices(contextOf(req));
        return r.ok ? { items: r.value } : sendProblems(reply, r.problems);
      },
    );
  };
}
