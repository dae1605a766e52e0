import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
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

/** `POST /api/v1/matches`: the same matching the pipeline does, for hashes an analyst has in hand. */
export function matchRoutes(deps: { readonly hashes: HashIndexPort }): FastifyPluginAsync {
  // eslint-disable-next-line @typescript-eslint/require-await -- Fastify plugins are async by contract
  return async (app) => {
    app.post(
      '/matches',
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
  };
}
