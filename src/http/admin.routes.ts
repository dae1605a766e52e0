import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { AccessService } from '../access/access.service.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { problem, type Problem } from '../domain/errors.ts';
import { parseInstant } from '../domain/ids.ts';
import type { OrganisationsService } from '../organisations/organisations.service.ts';
import { contextOf } from './auth.ts';
import { BODY_LIMITS, jsonBody } from './body.ts';
import { sendProblems } from './errors.ts';

const OrganisationBody = Type.Object(
  {
    slug: Type.String({ maxLength: 63 }),
    kind: Type.String(),
    name: Type.Optional(Type.String({ maxLength: 200 })),
    country: Type.Optional(Type.String({ maxLength: 2 })),
    parent: Type.Optional(Type.String({ maxLength: 63 })),
    covers: Type.Optional(Type.Array(Type.String({ maxLength: 6 }), { maxItems: 500 })),
  },
  { additionalProperties: false },
);
const UserBody = Type.Object(
  {
    org: Type.String({ maxLength: 63 }),
    email: Type.String({ maxLength: 254 }),
    role: Type.String(),
    password: Type.String({ maxLength: 1024 }),
  },
  { additionalProperties: false },
);
const ApiKeyBody = Type.Object(
  {
    org: Type.String({ maxLength: 63 }),
    scopes: Type.Array(Type.String(), { minItems: 1, maxItems: 8 }),
    name: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
const AuditQuery = Type.Object({
  actor: Type.Optional(Type.String({ description: 'e.g. user:ana@example.org, apikey:<id>, cli:<name>' })),
  action: Type.Optional(Type.String({ description: 'e.g. referral.read' })),
  objectType: Type.Optional(Type.String()),
  objectId: Type.Optional(Type.String()),
  from: Type.Optional(Type.String({ description: 'date-time, inclusive' })),
  to: Type.Optional(Type.String({ description: 'date-time, exclusive' })),
  before: Type.Optional(Type.Integer({ minimum: 1, description: 'cursor: the `next` of the previous page' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
});

/**
 * Services name fields as the CLI's flags do (`org`, `scope/0`); over HTTP a problem points into the JSON
 * body (`/org`, `/scopes/0`), as the schema check's problems do.
 */
function inBody(problems: readonly Problem[], renames: Readonly<Record<string, string>> = {}): Problem[] {
  return problems.map((p) => {
    if (p.path === '') return p;
    const [head = '', ...rest] = p.path.split('/');
    return { ...p, path: `/${[renames[head] ?? head, ...rest].join('/')}` };
  });
}

/** Organisations, people, API keys and the audit trail: the administration and oversight API. */
export function adminRoutes(deps: {
  readonly organisations: OrganisationsService;
  readonly access: AccessService;
  readonly audit: AuditService;
}): FastifyPluginAsync {
  const { organisations, access, audit } = deps;
  // eslint-disable-next-line @typescript-eslint/require-await -- Fastify plugins are async by contract
  return async (app) => {
    app.get(
      '/organisations',
      { config: { access: 'organisation.read' }, schema: { summary: 'The organisation tree' } },
      async () => ({ items: await organisations.list() }),
    );
    app.post(
      '/organisations',
      {
        bodyLimit: BODY_LIMITS.admin,
        config: { access: 'organisation.write', body: OrganisationBody },
        schema: { summary: 'Add an organisation (below your own)' },
      },
      async (req, reply) => {
        const body = jsonBody(req, OrganisationBody);
        if (!body.ok) return sendProblems(reply, body.problems);
        const r = await organisations.add(body.value, contextOf(req));
        return r.ok ? reply.status(201).send(r.organisation) : sendProblems(reply, inBody(r.problems));
      },
    );

    app.get(
      '/users',
      { config: { access: 'user.read' }, schema: { summary: 'People of your organisation and below' } },
      async (req) => ({ items: await access.listUsers(contextOf(req)) }),
    );
    app.post(
      '/users',
      {
        bodyLimit: BODY_LIMITS.admin,
        config: { access: 'user.write', body: UserBody },
        schema: { summary: 'Add a person' },
      },
      async (req, reply) => {
        const body = jsonBody(req, UserBody);
        if (!body.ok) return sendProblems(reply, body.problems);
        const r = await access.addUser(body.value, contextOf(req));
        return r.ok ? reply.status(201).send(r.value) : sendProblems(reply, inBody(r.problems));
      },
    );
    app.post(
      '/users/:email/disable',
      {
        bodyLimit: BODY_LIMITS.none,
        config: { access: 'user.write' },
        schema: {
          summary: 'Disable a person; their sessions end at once',
          params: Type.Object({ email: Type.String() }),
        },
      },
      async (req, reply) => {
        const { email } = req.params as { email: string };
        const r = await access.disableUser(email, contextOf(req));
        return r.ok ? r.value : sendProblems(reply, r.problems);
      },
    );

    app.get(
      '/apikeys',
      { config: { access: 'apikey.read' }, schema: { summary: 'API keys of your organisation and below' } },
      async (req) => ({ items: await access.listApiKeys(contextOf(req)) }),
    );
    app.post(
      '/apikeys',
      {
        bodyLimit: BODY_LIMITS.admin,
        config: { access: 'apikey.write', body: ApiKeyBody },
        schema: { summary: 'Create an API key for a machine client; the key is shown once' },
      },
      async (req, reply) => {
        const body = jsonBody(req, ApiKeyBody);
        if (!body.ok) return sendProblems(reply, body.problems);
        const r = await access.createApiKey(body.value, contextOf(req));
        return r.ok
          ? reply.status(201).send(r.value)
          : sendProblems(reply, inBody(r.problems, { scope: 'scopes' }));
      },
    );
    app.delete(
      '/apikeys/:id',
      {
        bodyLimit: BODY_LIMITS.none,
        config: { access: 'apikey.write' },
        schema: {
          summary: 'Revoke an API key: it stops working at once',
          params: Type.Object({ id: Type.String() }),
        },
      },
      async (req, reply) => {
        const { id } = req.params as { id: string };
        const r = await access.revokeApiKey(id, contextOf(req));
        return r.ok ? r.value : sendProblems(reply, r.problems);
      },
    );

    app.get(
      '/audit',
      {
        config: { access: 'audit.read' },
        schema: {
          summary: 'Search the audit trail (newest first, keyset pagination)',
          querystring: AuditQuery,
        },
      },
      async (req, reply) => {
        const q = req.query as {
          actor?: string;
          action?: string;
          objectType?: string;
          objectId?: string;
          from?: string;
          to?: string;
          before?: number;
          limit?: number;
        };
        const problems: Problem[] = [];
        const from = q.from === undefined ? undefined : parseInstant(q.from);
        const to = q.to === undefined ? undefined : parseInstant(q.to);
        if (q.from !== undefined && !from)
          problems.push(problem('invalid_date', 'from', 'expected a date-time'));
        if (q.to !== undefined && !to) problems.push(problem('invalid_date', 'to', 'expected a date-time'));
        if (problems.length) return sendProblems(reply, problems);
        const r = await audit.search(
          {
            ...(q.actor !== undefined && { actor: q.actor }),
            ...(q.action !== undefined && { action: q.action }),
            ...(q.objectType !== undefined && { objectType: q.objectType }),
            ...(q.objectId !== undefined && { objectId: q.objectId }),
            ...(from && { from }),
            ...(to && { to }),
            ...(q.before !== undefined && { before: q.before }),
            limit: q.limit ?? 100,
          },
          contextOf(req),
        );
        return r.ok ? { items: r.items, next: r.next } : sendProblems(reply, r.problems);
      },
    );
    app.get(
      '/audit/verify',
      { config: { access: 'audit.read' }, schema: { summary: 'Walk the hash chain; the first broken link' } },
      () => audit.verify(),
    );
  };
}
