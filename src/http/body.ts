import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { FastifyRequest } from 'fastify';
import { problem, type Problem } from '../domain/errors.ts';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A JSON request body parsed once and checked against its schema; every mismatch becomes a problem
 * naming the field (`/email`), never a 500.
 */
export function jsonBody<S extends TSchema>(
  req: FastifyRequest,
  schema: S,
): { ok: true; value: Static<S> } | { ok: false; problems: Problem[] } {
  const body = req.body;
  if (!Buffer.isBuffer(body))
    return { ok: false, problems: [problem('unsupported_format', 'body', 'send application/json')] };
  let value: unknown;
  try {
    value = JSON.parse(UTF8.decode(body));
  } catch (e) {
    return {
      ok: false,
      problems: [problem('malformed_input', 'body', `not valid UTF-8 JSON: ${(e as Error).message}`)],
    };
  }
  if (Value.Check(schema, value)) return { ok: true, value };
  return {
    ok: false,
    problems: [...Value.Errors(schema, value)]
      .slice(0, 20)
      .map((e) => problem('invalid_value', e.path || 'body', e.message)),
  };
}
