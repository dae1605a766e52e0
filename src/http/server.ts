import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { problem } from '../domain/errors.ts';
import type { Organisation } from '../domain/organisation.ts';
import { ReferralSchema } from '../intake/formats/referral.schema.ts';
import type { IntakeService } from '../intake/intake.service.ts';
import type { IspwsService } from '../intake/ispws.service.ts';
import type { OrganisationsService } from '../organisations/organisations.service.ts';
import type { ReferralsService } from '../referrals/referrals.service.ts';
import { errorBody } from './errors.ts';
import { ispwsRoutes } from './ispws.routes.ts';
import { referralRoutes } from './referrals.routes.ts';

export interface HttpDeps {
  readonly intake: IntakeService;
  /** The CyberTipline-compatible intake at /ispws. */
  readonly ispws: IspwsService;
  readonly referrals: ReferralsService;
  readonly organisations: OrganisationsService;
  readonly receiving: Organisation;
  readonly maxInputBytes: number;
  readonly now: () => Date;
  readonly logger: boolean;
}

/** The HTTP edge: the JSON API, its OpenAPI document and the CyberTipline-compatible intake. */
export async function buildServer(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ? { level: 'info' } : false,
    bodyLimit: deps.maxInputBytes,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
  });
  app.addHook('onSend', async (req, reply) => {
    // NCMEC's API answers with a Request-ID header; clients log it, so ours does the same.
    void reply.header('Request-ID', req.id);
  });
  app.setErrorHandler((err: { statusCode?: number; code?: string; message: string }, req, reply) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) {
      req.log.error(err);
      return reply.status(500).send({ error: { code: 'internal', message: 'internal error', problems: [] } });
    }
    const code = status === 413 ? 'too_large' : status === 415 ? 'unsupported_format' : 'malformed_input';
    const { body } = errorBody([problem(code, '', err.message)]);
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    const { status, body } = errorBody([problem('not_found', req.url, 'no such route')]);
    return reply.status(status).send(body);
  });
  // Bodies are kept as bytes: the raw input is stored verbatim, and parsed once by our own parsers.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ['application/json', 'application/x-ndjson', 'application/xml', 'text/xml'],
    { parseAs: 'buffer' },
    (_req: FastifyRequest, body: Buffer, done: (err: Error | null, body?: Buffer) => void) =>
      done(null, body),
  );

  await app.register(swagger, {
    openapi: {
      info: { title: 'Conduit API', version: '1', description: 'Referral intake, storage and export.' },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  app.get('/api/v1/schemas/referral', { schema: { hide: true } }, () => ReferralSchema);
  app.get('/', { schema: { hide: true } }, (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(homePage()),
  );
  await app.register(referralRoutes(deps), { prefix: '/api/v1' });
  await app.register(ispwsRoutes(deps.ispws), { prefix: '/ispws' });
  return app;
}

function homePage(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Conduit</title></head>
<body><main><h1>Conduit is running</h1>
<p>Referral intake and routing. The web application will replace this page.</p>
<ul><li><a href="/api/docs">API documentation (OpenAPI)</a></li>
<li><a href="/api/v1/referrals">Referrals (JSON)</a></li>
<li><a href="/api/v1/schemas/referral">Canonical referral JSON Schema</a></li></ul>
</main></body></html>`;
}
