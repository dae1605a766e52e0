import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { FastifyRequest } from 'fastify';
import { problem, type Problem } from '../domain/errors.ts';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Body limits of the API's own routes, in bytes. Only intake takes large bodies (the configured input limit);
 * everything else is small JSON, or nothing, and is refused with 413 long before it could cost anything.
 */
export const BODY_LIMITS = {
  /** Routes that take no body (sign-out, revocations): room for an empty JSON object and little else. */
  none: 1024,
  signIn: 4096,
  /** Administration: an organisation with its coverage list, a person, an API key. */
  admin: 64 * 1024,
} as const;

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
