import type { FastifyReply } from 'fastify';
import type { ErrorCode, Problem } from '../domain/errors.ts';

/** The one table from error codes to HTTP status. Client mistakes are 4xx, never 500. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  malformed_input: 400,
  doctype_forbidden: 400,
  too_large: 413,
  unsupported_format: 415,
  schema_violation: 422,
  invalid_value: 422,
  invalid_date: 422,
  invalid_ip: 422,
  invalid_email: 422,
  unreadable: 422,
  unknown_organisation: 422,
  not_found: 404,
  conflict: 409,
  bad_request: 400,
  unauthenticated: 401,
  second_factor_required: 401,
  forbidden: 403,
  csrf: 403,
  rate_limited: 429,
};

export interface ErrorBody {
  readonly error: {
    readonly code: ErrorCode;
    readonly message: string;
    readonly problems: readonly Problem[];
  };
}

export function errorBody(problems: readonly Problem[]): { status: number; body: ErrorBody } {
  const first = problems[0] ?? { code: 'bad_request', path: '', message: 'bad request' };
  return {
    status: HTTP_STATUS[first.code],
    body: {
      error: {
        code: first.code,
        message: first.path ? `${first.path}: ${first.message}` : first.message,
        problems,
      },
    },
  };
}

/** Answers with the structured error for these problems (status from the first). */
export function sendProblems(reply: FastifyReply, problems: readonly Problem[]): FastifyReply {
  const { status, body } = errorBody(problems);
  return reply.status(status).send(body);
}

/** A service outcome as the answer: its value, or its problems as the structured error. */
export function answer<T>(
  reply: FastifyReply,
  r: { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: readonly Problem[] },
): T | FastifyReply {
  return r.ok ? r.value : sendProblems(reply, r.problems);
}
