import multipart from '@fastify/multipart';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Problem } from '../domain/errors.ts';
import type { Principal, RequestContext } from '../domain/access.ts';
import type { Organisation } from '../domain/organisation.ts';
import type { IspwsFailure, IspwsService } from '../intake/ispws.service.ts';

/**
 * NCMEC's response codes (FIELDS.md §1) and the HTTP status each is sent with: the statuses
 * @civitai/cybertipline-tools expects (it reads the code from the body of a non-2xx answer and names it
 * in its error), which other clients (Boostport/ncmec-go, Nachtalb/ncmec-cybertip) accept too since they
 * read `responseCode` first.
 */
const CODES = {
  0: { status: 200, text: 'Success' },
  1000: { status: 500, text: 'Server error' },
  1100: { status: 409, text: 'Save failed' },
  1210: { status: 404, text: 'Resource not found' },
  2000: { status: 401, text: 'Authentication required' },
  3100: { status: 403, text: 'User does not have authorization to make submissions' },
  4000: { status: 400, text: 'Invalid request' },
  4100: { status: 422, text: 'Validation failed' },
  4110: { status: 400, text: 'Malformed XML submittal' },
  5001: { status: 404, text: 'Report does not exist' },
  5002: { status: 404, text: 'File does not exist' },
  5101: { status: 409, text: 'Report already retracted' },
  5102: { status: 409, text: 'Report already finished' },
} as const;
type Code = keyof typeof CODES;

interface Answer {
  readonly code: Code;
  readonly detail?: string;
  readonly status?: number;
}

/** The one table from a service failure to NCMEC's response code. */
function answerFor(f: IspwsFailure): Answer {
  switch (f.kind) {
    case 'forbidden':
      return { code: 3100 };
    case 'invalid': {
      const malformed = f.problems.some(
        (p) => p.code === 'malformed_input' || p.code === 'doctype_forbidden',
      );
      return { code: malformed ? 4110 : 4100, detail: describe(f.problems) };
    }
    case 'bad-request':
      return { code: 4000, detail: f.message };
    case 'too-large':
      return { code: 4000, detail: `the file exceeds ${f.maxBytes} bytes`, status: 413 };
    case 'unknown-report':
      return { code: 5001 };
    case 'unknown-file':
      return { code: 5002 };
    case 'finished':
      return { code: 5102 };
    case 'retracted':
      return { code: 5101 };
    case 'conflict':
      return { code: 1100, detail: f.message };
  }
}

function describe(problems: readonly Problem[]): string {
  return problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ');
}

/**
 * `/ispws`: NCMEC's CyberTipline Reporting API, so a provider's existing reporting client works unchanged
 * against Conduit (status, submit, upload, fileinfo, finish, retract). HTTP Basic authentication; each
 * client sees only its own reports. The logic is in the ISPWS service; this maps HTTP to it and back.
 */
export function ispwsRoutes(ispws: IspwsService): FastifyPluginAsync {
  return async (app) => {
    // Clients send the XML as text/xml, application/xml or (fetch with a string body) text/plain, and
    // finish/retract as multipart or urlencoded forms: within /ispws every body is read as bytes.
    app.addContentTypeParser(
      '*',
      { parseAs: 'buffer' },
      (_req: FastifyRequest, body: Buffer, done: (err: null, body: Buffer) => void) => done(null, body),
    );
    await app.register(multipart, {
      // The file is streamed through the hashes, never buffered or written anywhere: one byte over the
      // limit is enough to know it is too large.
      limits: { fileSize: ispws.uploadMaxBytes + 1, files: 1, fields: 16, parts: 32 },
      throwFileSizeLimit: false,
      // A `file` part is the upload even without a filename (busboy would otherwise buffer it as a field).
      isPartAFile: (name, contentType, fileName) =>
        name === 'file' || fileName !== undefined || contentType === 'application/octet-stream',
    });

    const clients = new WeakMap<FastifyRequest, { org: Organisation; principal: Principal }>();
    function caller(req: FastifyRequest): { org: Organisation; principal: Principal } {
      const c = clients.get(req);
      if (!c) throw new Error('bug: an /ispws route ran without an authenticated client');
      return c;
    }
    const client = (req: FastifyRequest): Organisation => caller(req).org;
    /** The service context of a request: its client's principal, and the request id for the audit trail. */
    const ctx = (req: FastifyRequest): RequestContext => ({
      principal: caller(req).principal,
      requestId: req.id,
    });

    app.setErrorHandler((err: { statusCode?: number; message: string }, req, reply) => {
      const status = err.statusCode ?? 500;
      if (status >= 500) {
        req.log.error(err);
        return send(reply, 'reportResponse', { code: 1000 });
      }
      return send(reply, 'reportResponse', { code: 4000, detail: err.message, status });
    });
    app.setNotFoundHandler((req, reply) =>
      send(reply, 'reportResponse', { code: 1210, detail: `no ${req.method} ${req.url}` }),
    );

    // Before the body is read: an unauthenticated upload is refused without streaming it.
    app.addHook('onRequest', async (req, reply) => {
      const creds = basicCredentials(req.headers.authorization);
      const auth = creds
        ? await ispws.authenticate(creds.username, creds.password)
        : { kind: 'unauthenticated' as const };
      switch (auth.kind) {
        case 'ok':
          clients.set(req, { org: auth.client, principal: auth.principal });
          return;
        case 'unauthenticated':
          void reply.header('WWW-Authenticate', 'Basic realm="ispws"');
          return send(reply, 'reportResponse', { code: 2000 });
        case 'forbidden':
          return send(reply, 'reportResponse', { code: 3100 });
      }
    });

    app.get('/status', { schema: { hide: true } }, (req, reply) =>
      send(reply, 'reportResponse', {
        code: 0,
        detail: `Remote User : ${client(req).slug}, Remote Ip : ${req.ip}`,
        replace: true,
      }),
    );

    app.post('/submit', { schema: { hide: true } }, async (req, reply) => {
      const r = await ispws.submit(client(req), bodyBytes(req), ctx(req));
      if (r.kind !== 'ok') return send(reply, 'reportResponse', answerFor(r));
      return send(reply, 'reportResponse', { code: 0 }, { reportId: r.reportId });
    });

    app.post('/upload', { schema: { hide: true } }, async (req, reply) => {
      if (!req.isMultipart()) {
        return send(reply, 'reportResponse', {
          code: 4000,
          detail: 'send multipart/form-data with the fields "id" and "file"',
        });
      }
      let id: string | undefined;
      let result: Awaited<ReturnType<IspwsService['upload']>> | undefined;
      for await (const part of req.parts()) {
        if (part.type === 'field') {
          if (part.fieldname === 'id' && typeof part.value === 'string') id = part.value;
        } else if (part.fieldname === 'file' && result === undefined) {
          result = await ispws.upload(client(req), id, part.file, ctx(req));
        } else {
          part.file.resume();
        }
      }
      if (result === undefined)
        return send(reply, 'reportResponse', { code: 4000, detail: 'the form has no "file" part' });
      if (result.kind !== 'ok')
        return send(reply, 'reportResponse', answerFor(result), reportIdOf(result, id));
      return send(
        reply,
        'reportResponse',
        { code: 0 },
        { reportId: result.reportId, fileId: result.fileId, hash: result.md5 },
      );
    });

    app.post('/fileinfo', { schema: { hide: true } }, async (req, reply) => {
      const r = await ispws.fileInfo(client(req), bodyBytes(req), ctx(req));
      if (r.kind !== 'ok') return send(reply, 'reportResponse', answerFor(r), reportIdOf(r));
      return send(reply, 'reportResponse', { code: 0 }, { reportId: r.reportId });
    });

    app.post('/finish', { schema: { hide: true } }, async (req, reply) => {
      const id = await formField(req, 'id');
      const r = await ispws.finish(client(req), id, ctx(req));
      if (r.kind === 'ok')
        return send(reply, 'reportDoneResponse', { code: 0 }, { reportId: r.reportId, fileIds: r.fileIds });
      // Finishing a closed report is answered in the success shape with 200: clients treat "already
      // finished/retracted" as the state they asked for (@civitai/cybertipline-tools only when the status is 2xx).
      if (r.kind === 'finished' || r.kind === 'retracted') {
        const fileIds = r.kind === 'finished' ? (r.fileIds ?? []) : [];
        return send(
          reply,
          'reportDoneResponse',
          { ...answerFor(r), status: 200 },
          { reportId: r.reportId, fileIds },
        );
      }
      return send(reply, 'reportResponse', answerFor(r), reportIdOf(r, id));
    });

    app.post('/retract', { schema: { hide: true } }, async (req, reply) => {
      const id = await formField(req, 'id');
      const r = await ispws.retract(client(req), id, ctx(req));
      if (r.kind === 'ok') return send(reply, 'reportResponse', { code: 0 }, { reportId: r.reportId });
      if (r.kind === 'finished' || r.kind === 'retracted') {
        return send(reply, 'reportResponse', { ...answerFor(r), status: 200 }, { reportId: r.reportId });
      }
      return send(reply, 'reportResponse', answerFor(r), reportIdOf(r, id));
    });
  };
}

function reportIdOf(f: IspwsFailure, id?: string): { reportId?: number } {
  if (f.kind === 'finished' || f.kind === 'retracted') return { reportId: f.reportId };
  const n = id === undefined ? NaN : Number(id.trim());
  return Number.isSafeInteger(n) && n >= 0 && id?.trim() !== '' ? { reportId: n } : {};
}

/** `Authorization: Basic base64(user:password)`; the password may contain colons, the user name may not. */
function basicCredentials(header: string | undefined): { username: string; password: string } | undefined {
  const m = header === undefined ? null : /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function bodyBytes(req: FastifyRequest): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

/** A form field from a multipart or urlencoded body (clients send either), else from the query string. */
async function formField(req: FastifyRequest, name: string): Promise<string | undefined> {
  let value: string | undefined;
  if (req.isMultipart()) {
    for await (const part of req.parts()) {
      if (part.type === 'file') part.file.resume();
      else if (part.fieldname === name && value === undefined && typeof part.value === 'string')
        value = part.value;
    }
  } else if (Buffer.isBuffer(req.body)) {
    value = new URLSearchParams(req.body.toString('utf8')).get(name) ?? undefined;
  }
  const query = req.query as Record<string, unknown>;
  return value ?? (typeof query[name] === 'string' ? query[name] : undefined);
}

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>';

/** Answers with NCMEC's response document: `reportResponse`, or `reportDoneResponse` for /finish. */
function send(
  reply: FastifyReply,
  root: 'reportResponse' | 'reportDoneResponse',
  a: Answer & { readonly replace?: boolean },
  fields: { reportId?: number; fileId?: string; hash?: string; fileIds?: readonly string[] } = {},
): FastifyReply {
  const { status, text } = CODES[a.code];
  const description = a.replace ? (a.detail ?? text) : a.detail ? `${text}: ${a.detail}` : text;
  const lines = [`  <responseCode>${a.code}</responseCode>`];
  // reportDoneResponse has no description in NCMEC's schema.
  if (root === 'reportResponse')
    lines.push(`  <responseDescription>${escapeXml(description)}</responseDescription>`);
  if (fields.reportId !== undefined) lines.push(`  <reportId>${fields.reportId}</reportId>`);
  if (fields.fileId !== undefined) lines.push(`  <fileId>${escapeXml(fields.fileId)}</fileId>`);
  if (fields.hash !== undefined) lines.push(`  <hash>${escapeXml(fields.hash)}</hash>`);
  if (root === 'reportDoneResponse') {
    lines.push(
      '  <files>',
      ...(fields.fileIds ?? []).map((f) => `    <fileId>${escapeXml(f)}</fileId>`),
      '  </files>',
    );
  }
  return reply
    .status(a.status ?? status)
    .type('text/xml; charset=utf-8')
    .send(`${XML_DECLARATION}\n<${root}>\n${lines.join('\n')}\n</${root}>\n`);
}

function escapeXml(s: string): string {
  return (
    s
      .replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'))
      // A message may quote input; characters XML cannot carry at all become U+FFFD.
      // eslint-disable-next-line no-control-regex -- matching control characters is the point
      .replace(/[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/g, '\uFFFD')
  );
}
