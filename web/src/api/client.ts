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
  const err = refusal(response.status, response.statusText, error, response.headers.get('request-id'));
  if (sessionEnded(err) && !opts.signingIn) for (const l of expiryListeners) l();
  throw err;
}

/**
 * A 401, or a 403 for a missing or wrong CSRF token (the session it belonged to was replaced, e.g. by a
 * sign-in in another tab): either way this tab's session is over.
 */
function sessionEnded(e: ApiError): boolean {
  return e.status === 401 || (e.status === 403 && e.code === 'csrf');
}

/** The server's refusal (its structured error body) as an ApiError. */
function refusal(status: number, statusText: string, body: unknown, requestId: string | null): ApiError {
  const e = (body ?? {}) as { error?: { code?: string; message?: string; problems?: Problem[] } };
  return new ApiError(
    status,
    e.error?.code ?? `http_${status}`,
    e.error?.problems ?? [],
    requestId,
    e.error?.message ?? statusText,
  );
}

/**
 * Sends a file as the request body with real upload progress (XMLHttpRequest's upload events; fetch has
 * none for request bodies). Resolves with the parsed answer or rejects with an ApiError, as `ok` does.
 */
export function upload<T>(opts: {
  readonly method: 'POST' | 'PUT';
  readonly url: string;
  readonly file: Blob;
  readonly contentType: string;
  readonly onProgress: (sent: number, total: number) => void;
  /** Called once every byte is sent: the server is now reading the file. */
  readonly onSent: () => void;
}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(opts.method, opts.url);
    xhr.withCredentials = true;
    xhr.setRequestHeader('content-type', opts.contentType);
    xhr.setRequestHeader('accept', 'application/json');
    if (csrfToken) xhr.setRequestHeader('x-csrf-token', csrfToken);
    xhr.upload.onprogress = (e) => opts.onProgress(e.loaded, e.lengthComputable ? e.total : opts.file.size);
    xhr.upload.onload = () => {
      opts.onProgress(opts.file.size, opts.file.size);
      opts.onSent();
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', [], null, 'network error'));
    xhr.onabort = () => reject(new ApiError(0, 'network', [], null, 'upload aborted'));
    xhr.onload = () => {
      let body: unknown = undefined;
      try {
        body = xhr.responseText ? (JSON.parse(xhr.responseText) as unknown) : undefined;
      } catch {
        body = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as T);
      else {
        const err = refusal(xhr.status, xhr.statusText, body, xhr.getResponseHeader('request-id'));
        if (sessionEnded(err)) for (const l of expiryListeners) l();
        reject(err);
      }
    };
    xhr.send(opts.file);
  });
}
