import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config.ts';
import { createApp } from '../main.ts';
import { buildServer } from './server.ts';

/** The API's OpenAPI document, as served at /api/docs/json, from a throw-away server. */
export async function openApiDocument(): Promise<unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'conduit-openapi-'));
  try {
    const config = loadConfig({}, {});
    const app = await createApp({ ...config, db: { kind: 'sqlite', path: join(dir, 'conduit.db') } });
    try {
      const http = await buildServer({
        ...app,
        maxInputBytes: config.maxInputBytes,
        rateLimit: config.rateLimit,
        corsOrigins: [],
        now: () => new Date(),
        logger: false,
      });
      await http.ready();
      const doc = http.swagger();
      await http.close();
      return doc;
    } finally {
      await app.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
