import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { apiSchemaSource, SCHEMA_FILE } from '../../web/api-schema.ts';

it("the web application's API types are generated from the server's current OpenAPI document", async () => {
  // When this fails, a route changed: run `npm run gen:api` and let the type check find the screens it breaks.
  expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(await apiSchemaSource());
});
