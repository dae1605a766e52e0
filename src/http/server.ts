import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyRequest,
  type FastifySchemaValidationError,
} from 'fastify';
import { problem, type ErrorCode } from '../domain/errors.ts';
import type { Organisation } from '../domain/organisation.ts';
import { ReferralSchema } from '../intake/formats/referral.schema.ts';
import type { IntakeService } from '../intake/intake.service.ts';
import type { IspwsService } from '../intake/ispws.service.ts';
import type { OrganisationsService } from '../organisations/organisations.service.ts';
import type { ReferralsService } from '../referrals/referrals.service.ts';
import type { DashboardService } from '../referrals/dashboard.service.ts';
import type { AccessService } from '../access/access.service.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { adminRoutes } from './admin.routes.ts';
import { hashlistRoutes } from './hashlists.routes.ts';
import { matchRoutes } from './matches.routes.ts';
import type { HashListsService } from '../hashlists/hashlists.service.ts';
import type { HashIndexPort } from '../pipeline/ports.ts';
import { DOCS_PREFIX, installAuth, type RouteEntry } from './auth.ts';
import { errorBody } from './errors.ts';
import { ispwsRoutes } from './ispws.routes.ts';
import { referralRoutes } from './referrals.routes.ts';
import { sessionRoutes } from './session.routes.ts';
import { triageRoutes } from './triage.routes.ts';
import { rulesRoutes } from './rules.routes.ts';
import type { TriageService } from '../triage/triage.service.ts';
import type { RulesService } from '../rules/rules.service.ts';
import type { SubjectsService } from '../linking/subjects.service.ts';
import { subjectRoutes } from './subjects.routes.ts';
import { isPageRequest, page, webRoutes } from './web.ts';

export interface HttpDeps {
  readonly intake: IntakeService;
  /** The CyberTipline-compatible intake at /ispws. */
  readonly ispws: IspwsService;
  readonly referrals: ReferralsService;
  readonly dashboard: DashboardService;
  readonly organisations: OrganisationsService;
  readonly access: AccessService;
  readonly audit: AuditService;
  readonly hashlists: HashListsService;
  readonly triage: TriageService;
  readonly rules: RulesService;
  /**
   * Subjects, links, communities, nickname traces, decisions, registers, deconfliction. The App always
   * has it; optional only while a hand-wired test server (ispws.routes.test.ts) does without.
   */
  readonly subjects?: SubjectsService;
  readonly hashIndex: { readonly port: HashIndexPort };
  readonly receiving: Organisation;
  readonly maxInputBytes: number;
  readonly now: () => Date;
  readonly logger: boolean;
  /** Requests a minute per client. */
  readonly rateLimit: number;
  /** Origins allowed to call the API from a browser (CORS); none unless configured. */
  readonly corsOrigins: readonly string[];
  /** TLS certificate and key (PEM); plain HTTP without them. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
  /** Mark the session cookie Secure. Only a test over plain HTTP turns this off. */
  readonly secureCookies?: boolean;
}

export interface Server {
  readonly app: FastifyInstance;
  /** Every route with the access it declares (the access-matrix test walks it). */
  readonly routes: readonly RouteEntry[];
}

/** The HTTP edge: the JSON API, its OpenAPI document and the CyberTipline-compatible intake. */
export async function buildServer(deps: HttpDeps): Promise<FastifyInstance> {
  return (await buildServerWithRoutes(deps)).app;
}

export async function buildServerWithRoutes(deps: HttpDeps): Promise<Server> {
  const app = Fastify({
    logger: deps.logger ? { level: 'info' } : false,
    bodyLimit: deps.maxInputBytes,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    ...(deps.tls && { https: { cert: deps.tls.cert, key: deps.tls.key } }),
  }) as unknown as FastifyInstance;
  app.addHook('onSend', async (req, reply) => {
    // NCMEC's API answers with a Request-ID header; clients log it, so ours does the same.
    void reply.header('Request-ID', req.id);
    // Answers carry referrals, people and session tokens: no browser or proxy may keep a copy.
    if (!reply.hasHeader('Cache-Control')) void reply.header('Cache-Control', 'no-store');
  });
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) {
      req.log.error(err);
      return reply.status(500).send({ error: { code: 'internal', message: 'internal error', problems: [] } });
    }
    // A query or path parameter failing its schema: name each parameter, as body problems do.
    if (err.validation) {
      const problems = err.validation.map((v) =>
        problem('bad_request', parameterOf(v), v.message ?? 'not a valid value'),
      );
      return reply.status(400).send(errorBody(problems).body);
    }
    const code = CODE_OF_STATUS[status] ?? 'malformed_input';
    const { body } = errorBody([problem(code, '', err.message)]);
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    // A page of the web application, reloaded or bookmarked: the browser routes it.
    if (isPageRequest(req)) return page(reply);
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

  await app.register(helmet, {
    // Scripts only from this origin, never inline; HSTS and upgrades only when we speak TLS.
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(deps.tls && { upgradeInsecureRequests: [] }),
      },
    },
    hsts: deps.tls ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
  // No cross-origin access unless origins are configured: a browser on another site cannot call the API.
  if (deps.corsOrigins.length)
    await app.register(cors, { origin: [...deps.corsOrigins], credentials: false });

  const routes = await installAuth(app, {
    access: deps.access,
    rateLimit: deps.rateLimit,
    ownAuthPrefixes: ['/ispws'],
  });

  await app.register(swagger, {
    openapi: {
      info: { title: 'Conduit API', version: '1', description: 'Referral intake, routing and oversight.' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'conduit_session' },
          apiKey: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { apiKey: [] }],
    },
    // Bodies are bytes checked by each route, so their schemas are documented here, not validated by Fastify.
    transform: ({ schema, url, route }) => ({
      schema: route.config?.body ? { ...schema, body: route.config.body } : schema,
      url,
    }),
  });
  await app.register(swaggerUi, { routePrefix: DOCS_PREFIX });

  app.get(
    '/api/v1/schemas/referral',
    { config: { access: 'public' }, schema: { hide: true } },
    () => ReferralSchema,
  );
  await webRoutes(app);
  await app.register(sessionRoutes({ access: deps.access, secureCookies: deps.secureCookies ?? true }), {
    prefix: '/api/v1',
  });
  await app.register(referralRoutes(deps), { prefix: '/api/v1' });
  await app.register(adminRoutes(deps), { prefix: '/api/v1' });
  await app.register(hashlistRoutes({ hashlists: deps.hashlists }), { prefix: '/api/v1' });
  await app.register(matchRoutes({ hashes: deps.hashIndex.port }), { prefix: '/api/v1' });
  await app.register(triageRoutes(deps.triage), { prefix: '/api/v1' });
  await app.register(rulesRoutes(deps.rules), { prefix: '/api/v1' });
  if (deps.subjects) await app.register(subjectRoutes(deps.subjects), { prefix: '/api/v1' });
  await app.register(ispwsRoutes(deps.ispws), { prefix: '/ispws' });
  return { app, routes };
}

const CODE_OF_STATUS: Readonly<Record<number, ErrorCode>> = {
  401: 'unauthenticated',
  403: 'forbidden',
  413: 'too_large',
  415: 'unsupported_format',
  429: 'rate_limited',
};

/** The parameter a schema error is about: `limit` for `/limit`, the missing one for `required`. */
function parameterOf(v: FastifySchemaValidationError): string {
  const missing = v.keyword === 'required' ? v.params.missingProperty : undefined;
  const path = v.instancePath.replace(/^\//, '');
  return typeof missing === 'string' ? [path, missing].filter(Boolean).join('/') : path;
}
