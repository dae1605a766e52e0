import createClient from 'openapi-fetch';
import type { paths } from './schema.ts';

/** One problem of an API refusal: which field, what is wrong (the server's structured error). */
export interface Problem {
  readonly code: string;
  readonly path: string;
  readonly message: string;
}

/** A refused or failed API call: status, the server's problems, and the request id to quote to support. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly problems: readonly Problem[],
    readonly requestId: string | null,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken: string | undefined;
const expiryListeners = new Set<() => void>();

/** The CSRF token of the signed-in session, sent with every write. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Called when the server says the session is gone (expired, revoked, signed out elsewhere). */
export function onSessionExpired(listener: () => void): () => void {
  expiryListeners.add(listener);
  return () => expiryListeners.delete(listener);
}

/**
 * The typed API client: paths, parameters and bodies are checked against the server's OpenAPI document
 * (schema.ts, generated). Same origin only; the session cookie travels by itself.
 */
export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
api.use({
  onRequest({ request }) {
    if (request.method !== 'GET' && csrfToken) request.headers.set('x-csrf-token', csrfToken);
    return request;
  },
});

interface Answer {
  readonly data?: unknown;
  readonly error?: unknown;
  readonly response: Response;
}

/**
 * The body of a successful answer as `T` (the server's view type), or an ApiError naming the problems.
 * A 401 on a signed-in screen means the session ended: the application returns to the sign-in page.
 */
export async function ok<T>(call: Promise<Answer>, opts: { signingIn?: boolean } = {}): Promise<T> {
  let answer: Answer;
  try {
    answer = await call;
  } catch (e) {
    throw new ApiError(0, 'network', [], null, e instanceof Error ? e.message : String(e));
  }
  const { data, error, response } = answer;
  if (response.ok) return data as T;
  const body = (error ?? {}) as { error?: { code?: string; message?: string; problems?: Problem[] } };
  const err = new ApiError(
    response.status,
    body.error?.code ?? `http_${response.status}`,
    body.error?.problems ?? [],
    response.headers.get('request-id'),
    body.error?.message ?? response.statusText,
  );
  if (response.status === 401 && !opts.signingIn) for (const l of expiryListeners) l();
  throw err;
}
