import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where `npm run build:web` (run by `npm install`) puts the web application. */
export const WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/** Paths the browser application owns; anything else unknown stays a JSON 404. */
const API_PREFIXES = ['/api/', '/ispws/'];

/**
 * The analyst's web application, served by the API's own process: hashed assets under /assets (kept by
 * the browser for a year), and index.html for every page address (the application routes in the browser).
 */
export async function webRoutes(app: FastifyInstance, root = WEB_DIST): Promise<void> {
  const built = existsSync(`${root}index.html`);
  // Built files come with .br and .gz twins (web/vite.config.ts): sent as the browser accepts them.
  await app.register(fastifyStatic, { root, serve: false, preCompressed: true });
  app.get<{ Params: { '*': string } }>(
    '/assets/*',
    { config: { access: 'public' }, schema: { hide: true } },
    (req, reply) => {
      const name = req.params['*'];
      // Hashed names only: a dot-dot or a separator is never one of ours.
      if (!built || !/^[\w.-]+$/.test(name) || name.includes('..'))
        return reply.status(404).type('text/plain').send('not found');
      // The same address answers brotli, gzip or plain bytes: caches must key on what the client accepts.
      void reply.header('Vary', 'Accept-Encoding');
      return reply.sendFile(`assets/${name}`, { maxAge: 31_536_000_000, immutable: true });
    },
  );
  app.get('/', { config: { access: 'public' }, schema: { hide: true } }, (_req, reply) => page(reply, built));
  return;
}

/** A page address the browser asked for (not an API call, not an asset): the application's index. */
export function isPageRequest(req: FastifyRequest): boolean {
  return (
    req.method === 'GET' &&
    !API_PREFIXES.some((p) => req.url.startsWith(p)) &&
    (req.headers.accept ?? '').includes('text/html')
  );
}

export function page(reply: FastifyReply, built = existsSync(`${WEB_DIST}index.html`)) {
  // The page names the current hashed files, so it is never kept (the server's no-store applies).
  if (built)
    return reply
      .header('Vary', 'Accept-Encoding')
      .type('text/html; charset=utf-8')
      .sendFile('index.html', { cacheControl: false });
  return reply.type('text/html; charset=utf-8').send(NOT_BUILT);
}

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Conduit</title></head>
<body><main><h1>Conduit is running</h1>
<p>The web application is not built: run <code>npm run build:web</code> (<code>npm install</code> does it).</p>
<ul><li><a href="/api/docs">API documentation (OpenAPI)</a></li></ul>
</main><footer><p>IP geolocation: <a href="https://db-ip.com">IP Geolocation by DB-IP</a>, licensed under
<a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>.</p></footer></body></html>`;
