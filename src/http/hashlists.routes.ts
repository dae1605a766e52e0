import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { problem } from '../domain/errors.ts';
import { SCHEMES } from '../hashlists/categories.ts';
import { HASHLIST_FORMATS, type HashListsService } from '../hashlists/hashlists.service.ts';
import { contextOf } from './auth.ts';
import { BODY_LIMITS } from './body.ts';
import { sendProblems } from './errors.ts';

/** A hash list file: real sets run to hundreds of megabytes. The body is streamed, never held. */
export const HASHLIST_BODY_LIMIT = 512 * 1024 * 1024;

const ImportQuery = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, description: 'the list; an existing one is replaced' }),
    format: Type.Optional(
      Type.Union(
        HASHLIST_FORMATS.map((f) => Type.Literal(f)),
        { description: 'detected from the content when omitted' },
      ),
    ),
    negative: Type.Optional(Type.Boolean({ description: 'known benign material: its matches suppress' })),
    scheme: Type.Optional(
      Type.Union(
        SCHEMES.map((s) => Type.Literal(s)),
        { description: 'category scheme of CSV codes (or a VICS override)' },
      ),
    ),
  },
  { additionalProperties: false },
);

/** Hash lists: list, import (the file is the body, any content type) and remove. */
export function hashlistRoutes(deps: {
  readonly hashlists: HashListsService;
  readonly bodyLimit?: number;
}): FastifyPluginAsync {
  const { hashlists } = deps;
  const limit = deps.bodyLimit ?? HASHLIST_BODY_LIMIT;
  return async (app) => {
    app.get(
      '/hashlists',
      { config: { access: 'hashlist.read' }, schema: { summary: 'The hash lists, with their versions' } },
      async (req, reply) => {
        const r = await hashlists.list(contextOf(req));
        return r.ok ? { items: r.value } : sendProblems(reply, r.problems);
      },
    );
    // In a scope of its own: the import's body is handed over as a stream (VICS JSON, CSV, whatever the
    // sender calls it), so a list of millions of entries never sits in memory; other routes parse as usual.
    // eslint-disable-next-line @typescript-eslint/require-await -- Fastify plugins are async by contract
    await app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
      scope.post(
        '/hashlists',
        {
          bodyLimit: limit,
          config: { access: 'hashlist.write' },
          schema: {
            summary:
              'Import a hash list (VICS 1.x/2.0 JSON or CSV as the body); re-importing replaces it atomically',
            querystring: ImportQuery,
          },
        },
        async (req, reply) => {
          const q = req.query as { name: string; format?: string; negative?: boolean; scheme?: string };
          const declared = Number(req.headers['content-length'] ?? 0);
          if (declared > limit)
            return sendProblems(reply, [problem('too_large', 'body', `over ${limit} bytes`)]);
          const body = req.body;
          if (!(body instanceof Readable))
            return sendProblems(reply, [
              problem('bad_request', 'body', 'send the list file as the request body'),
            ]);
          const r = await hashlists.import(
            body,
            {
              name: q.name,
              ...(q.format !== undefined && { format: q.format }),
              ...(q.negative !== undefined && { negative: q.negative }),
              ...(q.scheme !== undefined && { scheme: q.scheme }),
              maxBytes: limit,
            },
            contextOf(req),
          );
          if (!r.ok) {
            body.resume(); // drain what is left, so the answer is not stuck behind an unread upload
            return sendProblems(reply, r.problems);
          }
          return reply
            .status(201)
            .send({ list: r.list, entries: r.entries, skipped: r.skipped, ignored: r.ignored });
        },
      );
    });
    app.delete(
      '/hashlists/:name',
      {
        bodyLimit: BODY_LIMITS.none,
        config: { access: 'hashlist.write' },
        schema: { summary: 'Remove a hash list', params: Type.Object({ name: Type.String() }) },
      },
      async (req, reply) => {
        const { name } = req.params as { name: string };
        const r = await hashlists.remove(name, contextOf(req));
        return r.ok ? r.value : sendProblems(reply, r.problems);
      },
    );
  };
}
