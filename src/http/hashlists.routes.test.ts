import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { DIALECTS, openTestDatabase, type TestDialect } from '../../test/support/databases.ts';
import type { Principal, UserId } from '../domain/access.ts';
import type { Instant, OrganisationId } from '../domain/ids.ts';
import { createHashListsService } from '../hashlists/hashlists.service.ts';
import { hashlistRoutes } from './hashlists.routes.ts';

const VICS = join(import.meta.dirname, '../../../shared/reference/vics');
const ANALYST: Principal = {
  kind: 'user',
  id: uuidv7() as UserId,
  email: 'analyst@example.org',
  orgId: uuidv7() as OrganisationId,
  role: 'analyst',
  sessionId: 's',
};

describe.each(DIALECTS)('hash list routes on %s', (dialect: TestDialect) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.reverse()) await c();
    cleanup.length = 0;
  });
  /** A bare server shaped like the real one (bytes-only parsers) with a principal chosen by a test header. */
  async function server(bodyLimit?: number): Promise<FastifyInstance> {
    const database = await openTestDatabase(dialect);
    cleanup.push(() => database.dispose());
    const hashlists = createHashListsService({
      database,
      clock: { now: () => new Date().toISOString() as Instant },
      newId: () => uuidv7(),
    });
    const app = Fastify();
    cleanup.push(() => app.close());
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_r, body, done) => done(null, body));
    app.addHook('onRequest', (req, _reply, done) => {
      req.principal = req.headers['x-test-as'] === 'analyst' ? ANALYST : { kind: 'operator', name: 'test' };
      done();
    });
    await app.register(hashlistRoutes({ hashlists, ...(bodyLimit && { bodyLimit }) }), { prefix: '/api/v1' });
    return app;
  }

  it('imports a VICS body of any content type, lists it and removes it', async () => {
    const app = await server();
    const body = readFileSync(join(VICS, 'sample-vics-2.0-US-hashset.synthetic.json'));
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/hashlists?name=vic&negative=false',
      headers: { 'content-type': 'application/json' },
      payload: body,
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      list: { name: 'vic', version: 1, format: 'vics' },
      entries: 2,
      ignored: { PhotoDNA: 1 },
    });

    const csv = await app.inject({
      method: 'POST',
      url: '/api/v1/hashlists?name=vic&format=csv&scheme=uk&negative=true',
      headers: { 'content-type': 'text/csv' },
      payload: Readable.from([Buffer.from(`hash_type,hash,category\nmd5,${'a'.repeat(32)},C\n`)]),
    });
    expect(csv.statusCode).toBe(201);
    expect(csv.json()).toMatchObject({ list: { version: 2, negative: true, scheme: 'uk' }, entries: 1 });

    const list = await app.inject({ method: 'GET', url: '/api/v1/hashlists' });
    expect(list.json<{ items: { name: string }[] }>().items.map((l) => l.name)).toEqual(['vic']);
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/hashlists/vic' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/hashlists/vic' })).statusCode).toBe(404);
  });

  it('refuses a bad file with every problem (422), a bad query (400) and a role without the permission (403)', async () => {
    const app = await server();
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/hashlists?name=l',
      payload: `hash_type,hash,category\nmd5,zz,\nsha1,${'a'.repeat(40)},9\n`,
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json<{ error: { problems: { path: string }[] } }>().error.problems.map((p) => p.path)).toEqual(
      ['line 2/hash', 'line 3/scheme'],
    );
    expect(
      (await app.inject({ method: 'POST', url: '/api/v1/hashlists?name=l&format=xml', payload: 'x' }))
        .statusCode,
    ).toBe(400);
    expect((await app.inject({ method: 'POST', url: '/api/v1/hashlists?name=l' })).statusCode).toBe(400);
    const denied = await app.inject({
      method: 'POST',
      url: '/api/v1/hashlists?name=l',
      headers: { 'x-test-as': 'analyst' },
      payload: `hash_type,hash,category\nmd5,${'a'.repeat(32)},\n`,
    });
    expect(denied.statusCode).toBe(403);
  });

  it('refuses a body over the route’s limit, declared or streamed', async () => {
    const app = await server(1000);
    const big = `hash_type,hash,category\n${`md5,${'a'.repeat(32)},\n`.repeat(100)}`;
    const declared = await app.inject({ method: 'POST', url: '/api/v1/hashlists?name=l', payload: big });

    expect(declared.statusCode).toBe(413);
    const streamed = await app.inject({
      method: 'POST',
      url: '/api/v1/hashlists?name=l',
      headers: { 'content-type': 'text/csv', 'transfer-encoding': 'chunked' },
      payload: Readable.from([Buffer.from(big.slice(0, 600)), Buffer.from(big.slice(600))]),
    });
    expect(streamed.statusCode).toBe(413);
    const list = await app.inject({ method: 'GET', url: '/api/v1/hashlists' });
    expect(list.json()).toEqual({ items: [] });
  });
});
