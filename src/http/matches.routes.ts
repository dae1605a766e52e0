import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { problem } from '../domain/errors.ts';
import { fingerprint } from '../media/fingerprint.ts';
import type { HashIndexPort } from '../pipeline/ports.ts';
import { matchFiles } from '../pipeline/stages/match.ts';
import { jsonBody } from './body.ts';
import { sendProblems } from './errors.ts';

const Hex = (n: number) => Type.String({ pattern: `^[0-9a-fA-F]{${n}}$` });
const MatchBody = Type.Object(
  {
    files: Type.Array(
      Type.Object(
        {
          md5: Type.Optional(Hex(32)),
          sha1: Type.Optional(Hex(40)),
          sha256: Type.Optional(Hex(64)),
          pdq: Type.Optional(Hex(64)),
          pdqQuality: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 1000 },
    ),
  },
  { additionalProperties: false },
);

/**
 * `POST /api/v1/match`: the same matching the pipeline does, for hashes an analyst has in hand;
 * `POST /api/v1/hash`: an image's hashes (exact and PDQ) from its bytes, which are not kept.
 */
export function matchRoutes(deps: { readonly hashes: HashIndexPort }): FastifyPluginAsync {
  // eslint-disable-next-line @typescript-eslint/require-await -- Fastify plugins are async by contract
  return async (app) => {
    app.post(
      '/match',
      {
        bodyLimit: 512 * 1024,
        config: { access: 'hashlist.read', body: MatchBody },
        schema: {
          summary: 'Match file hashes against the loaded hash lists',
          description:
            'Each file: MD5/SHA-1/SHA-256 exactly, PDQ within the configured radius (not below the quality ' +
            'threshold). Answers every match (list, version, entry, distance, category) and a summary.',
        },
      },
      (req, reply) => {
        const body = jsonBody(req, MatchBody);
        if (!body.ok) return sendProblems(reply, body.problems);
        const files = body.value.files.map((f) => ({
          md5: f.md5?.toLowerCase() ?? null,
          sha1: f.sha1?.toLowerCase() ?? null,
          sha256: f.sha256?.toLowerCase() ?? null,
          pdq: f.pdq?.toLowerCase() ?? null,
          pdqQuality: f.pdqQuality,
        }));
        return matchFiles(deps.hashes, files);
      },
    );

    // Image bytes arrive as they are; within this plugin only.
    app.addContentTypeParser(
      /^(application\/octet-stream|image\/[\w.+-]+)$/,
      { parseAs: 'buffer', bodyLimit: HASH_BODY_LIMIT },
      (_req: FastifyRequest, body: Buffer, done: (err: null, body: Buffer) => void) => done(null, body),
    );
    app.post(
      '/hash',
      {
        bodyLimit: HASH_BODY_LIMIT,
        config: { access: 'hashlist.read' },
        schema: {
          summary: 'Hash an image: MD5, SHA-1, SHA-256 and PDQ (quality, optional dihedral hashes)',
          description:
            'Body: the image bytes (image/* or application/octet-stream). They are hashed in memory and ' +
            'dropped; nothing is stored. `?dihedral=true` adds the 8 dihedral PDQ hashes.',
          querystring: Type.Object({ dihedral: Type.Optional(Type.Boolean()) }),
        },
      },
      async (req, reply) => {
        const body = req.body;
        if (!Buffer.isBuffer(body) || body.length === 0)
          return sendProblems(reply, [
            problem(
              'unsupported_format',
              'body',
              'send the image bytes as image/* or application/octet-stream',
            ),
          ]);
        const { dihedral } = req.query as { dihedral?: boolean };
        const f = await fingerprint(body, { dihedral: dihedral === true });
        if (!f.pdq.ok) {
          const code = f.pdq.code === 'too_large' ? 'too_large' : 'unsupported_format';
          return sendProblems(reply, [problem(code, 'body', f.pdq.message)]);
        }
        return f;
      },
    );
  };
}

const HASH_BODY_LIMIT = 64 * 1024 * 1024;
