import type { Outcome } from '../domain/result.ts';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { actorOf, can, type RequestContext } from '../domain/access.ts';
import { problem, type Problem } from '../domain/errors.ts';
import type { Instant } from '../domain/ids.ts';
import { auditEvent, auditedWrite, type AuditEntry } from '../store/audit.repo.ts';
import type { Database } from '../store/db.ts';
import {
  abandonedImports,
  beginImport,
  deleteImport,
  findHashList,
  insertEntries,
  listHashLists,
  publishImport,
  removeHashList,
  type HashListRow,
} from '../store/hashlists.repo.ts';
import { isScheme, SCHEMES, type Scheme } from './categories.ts';
import { readCsv } from './csv.ts';
import type { ListEntry, ReadItem } from './entry.ts';
import { readVics } from './vics.ts';

export const HASHLIST_FORMATS = ['vics', 'csv'] as const;
export type HashListFormat = (typeof HASHLIST_FORMATS)[number];

const allowed = (ctx: RequestContext, p: 'hashlist.read' | 'hashlist.write'): boolean =>
  can(ctx.principal, p);

export interface HashListView {
  readonly id: string;
  readonly name: string;
  readonly version: number;
  readonly negative: boolean;
  readonly format: string;
  readonly scheme: string | null;
  readonly entries: number;
  readonly skipped: number;
  readonly fileSha256: string;
  readonly importedAt: string;
  readonly importedBy: string;
}

export interface ImportOptions {
  readonly name: string;
  /** Detected from the content when omitted: a JSON object is VICS, anything else CSV. */
  readonly format?: string;
  readonly negative?: boolean;
  /** The category scheme of the codes (CSV rows without a `scheme` column; overrides a VICS profile). */
  readonly scheme?: string;
  /** Refuse input larger than this many bytes (the HTTP route's limit). */
  readonly maxBytes?: number;
  /** Called every batch with the entries read so far (the CLI's progress line). */
  readonly onProgress?: (read: number) => void;
}

export type ImportResult =
  | {
      readonly ok: true;
      readonly list: HashListView;
      readonly entries: number;
      /** Entries with no hash Conduit can match (e.g. PhotoDNA only). */
      readonly skipped: number;
      /** Hashes of unsupported kinds seen on entries, by kind (PhotoDNA). */
      readonly ignored: Readonly<Record<string, number>>;
      readonly problems: readonly [];
    }
  | {
      readonly ok: false;
      /** Up to PROBLEM_CAP problems, in file order; `totalProblems` counts them all. */
      readonly problems: readonly Problem[];
      readonly totalProblems: number;
      /** The file was read and refused for its content (as opposed to a wrong request or permission). */
      readonly refused: boolean;
    };

export interface HashListsService {
  /**
   * Imports a list from a file path or a byte stream, replacing the list of that name atomically. The
   * whole file is checked: any bad entry refuses it with every problem listed (up to a cap) and nothing
   * becomes visible — a list is never partial.
   */
  import(input: string | Readable, opts: ImportOptions, ctx: RequestContext): Promise<ImportResult>;
  list(ctx: RequestContext): Promise<Outcome<HashListView[]>>;
  remove(name: string, ctx: RequestContext): Promise<Outcome<HashListView>>;
}

export const PROBLEM_CAP = 100;
const BATCH = 10_000;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
/** A staging import older than this is taken for the leftover of a crash and swept. */
const STALE_MS = 24 * 3600 * 1000;

export function createHashListsService(deps: {
  readonly database: Database;
  readonly clock: { now(): Instant };
  readonly newId: () => string;
  /** Called after every change, so the in-memory index is rebuilt and swapped. */
  readonly onChange?: () => Promise<void> | void;
  /** Entries staged per transaction (default 10,000): larger is faster, smaller holds the write lock less. */
  readonly batchSize?: number;
}): HashListsService {
  const { database, clock, newId } = deps;
  const db = database.db;
  const batchSize = deps.batchSize ?? BATCH;
  const onChange = async () => {
    await deps.onChange?.();
  };
  function event(
    ctx: RequestContext,
    action: string,
    objectId: string | null,
    details: Record<string, unknown>,
    outcome: AuditEntry['outcome'] = 'ok',
  ): AuditEntry {
    return auditEvent(ctx, clock.now(), { action, objectType: 'hashlist', objectId, details, outcome });
  }
  const refuse = (problems: Problem[], refused = false): ImportResult => ({
    ok: false,
    problems,
    totalProblems: problems.length,
    refused,
  });

  async function sweep(): Promise<void> {
    const before = new Date(Date.parse(clock.now()) - STALE_MS).toISOString();
    for (const id of await abandonedImports(db, before)) await deleteImport(db, id);
  }

  return {
    async import(input, opts, ctx) {
      if (!allowed(ctx, 'hashlist.write'))
        return refuse([problem('forbidden', '', 'your role cannot import hash lists')]);
      const problems: Problem[] = [];
      if (!NAME.test(opts.name))
        problems.push(
          problem(
            'invalid_value',
            'name',
            '1–100 letters, digits, dot, dash or underscore, starting with a letter or digit',
          ),
        );
      if (opts.format !== undefined && !(HASHLIST_FORMATS as readonly string[]).includes(opts.format))
        problems.push(problem('invalid_value', 'format', `one of ${HASHLIST_FORMATS.join(', ')}`));
      if (opts.scheme !== undefined && !isScheme(opts.scheme))
        problems.push(problem('invalid_value', 'scheme', `one of ${SCHEMES.join(', ')}`));
      if (problems.length) return refuse(problems);
      const scheme = opts.scheme as Scheme | undefined;

      const opened = await openInput(input);
      if (!opened.ok) return refuse([opened.problem]);
      const meter = new Meter(opts.maxBytes);
      const bytes = opened.stream.pipe(meter);
      opened.stream.on('error', (e) => meter.destroy(e));
      const sniffed = await sniff(bytes);
      const format = (opts.format as HashListFormat | undefined) ?? sniffed.format;
      const items: AsyncGenerator<ReadItem> =
        format === 'vics'
          ? readVics(sniffed.stream, { ...(scheme && { scheme }) })
          : readCsv(sniffed.stream, { ...(scheme && { scheme }) });

      await sweep();
      const importId = newId();
      await beginImport(db, { id: importId, listName: opts.name, startedAt: clock.now() });
      let published = false;
      try {
        let entries = 0;
        let skipped = 0;
        let total = 0;
        let sourceScheme: string | null = null;
        const ignored: Record<string, number> = {};
        const found: Problem[] = [];
        let batch: ListEntry[] = [];
        const flush = async () => {
          // Once the file is refused nothing more is written: it would only be deleted.
          if (total === 0 && batch.length)
            await db
              .transaction()
              .execute((trx) => insertEntries(trx, importId, entries - batch.length, batch));
          batch = [];
          opts.onProgress?.(entries);
        };
        for await (const item of items) {
          switch (item.kind) {
            case 'entry':
              entries++;
              // The list's scheme as shown in listings: its entries' one, or "mixed".
              if (sourceScheme === null) sourceScheme = item.entry.sourceScheme;
              else if (sourceScheme !== item.entry.sourceScheme) sourceScheme = 'mixed';
              batch.push(item.entry);
              if (batch.length >= batchSize) await flush();
              break;
            case 'problem':
              total++;
              if (found.length < PROBLEM_CAP) found.push(item.problem);
              break;
            case 'skipped':
              skipped++;
              break;
            case 'ignored':
              ignored[item.what] = (ignored[item.what] ?? 0) + 1;
              break;
          }
        }
        if (meter.exceeded) {
          total++;
          found.unshift(problem('too_large', '', `over the limit of ${opts.maxBytes} bytes`));
        }
        if (total === 0 && entries === 0) {
          total++;
          found.push(problem('invalid_value', '', 'the list has no entries with a hash Conduit can match'));
        }
        await flush();
        if (total > 0) {
          await auditedWrite(db, () =>
            Promise.resolve({
              value: undefined,
              events: [
                event(
                  ctx,
                  'hashlist.import',
                  null,
                  { name: opts.name, format, sha256: meter.sha256(), bytes: meter.bytes, problems: total },
                  'error',
                ),
              ],
            }),
          );
          return { ok: false, problems: found, totalProblems: total, refused: true };
        }
        const at = clock.now();
        const { row, retired } = await auditedWrite(db, async (trx) => {
          const r = await publishImport(trx, {
            newId: newId(),
            at,
            name: opts.name,
            negative: opts.negative ? 1 : 0,
            format,
            scheme: sourceScheme,
            entries,
            skipped,
            import_id: importId,
            file_sha256: meter.sha256(),
            imported_at: at,
            imported_by: actorOf(ctx.principal),
          });
          return {
            value: r,
            events: [
              event(ctx, 'hashlist.import', r.row.id, {
                name: r.row.name,
                version: r.row.version,
                format,
                negative: r.row.negative === 1,
                entries,
                skipped,
                ignored,
                sha256: r.row.file_sha256,
                bytes: meter.bytes,
              }),
            ],
          };
        });
        published = true;
        if (retired) await deleteImport(db, retired);
        await onChange();
        return { ok: true, list: view(row), entries, skipped, ignored, problems: [] };
      } finally {
        // A file this service opened is closed even when reading stopped early; a caller's stream is theirs.
        if (typeof input === 'string') opened.stream.destroy();
        if (!published) await deleteImport(db, importId);
      }
    },

    async list(ctx) {
      if (!allowed(ctx, 'hashlist.read'))
        return { ok: false, problems: [problem('forbidden', '', 'your role cannot read hash lists')] };
      return { ok: true, value: (await listHashLists(db)).map(view) };
    },

    async remove(name, ctx) {
      if (!allowed(ctx, 'hashlist.write'))
        return { ok: false, problems: [problem('forbidden', '', 'your role cannot remove hash lists')] };
      const removed = await auditedWrite(db, async (trx) => {
        const row = await findHashList(trx, name);
        if (!row) return { value: undefined, events: [] };
        await removeHashList(trx, row);
        return {
          value: row,
          events: [
            event(ctx, 'hashlist.remove', row.id, { name, version: row.version, entries: row.entries }),
          ],
        };
      });
      if (!removed) return { ok: false, problems: [problem('not_found', 'name', `no hash list ${name}`)] };
      await deleteImport(db, removed.import_id);
      await onChange();
      return { ok: true, value: view(removed) };
    },
  };
}

function view(r: HashListRow): HashListView {
  return {
    id: r.id,
    name: r.name,
    version: r.version,
    negative: r.negative === 1,
    format: r.format,
    scheme: r.scheme,
    entries: r.entries,
    skipped: r.skipped,
    fileSha256: r.file_sha256,
    importedAt: r.imported_at,
    importedBy: r.imported_by,
  };
}

async function openInput(
  input: string | Readable,
): Promise<{ ok: true; stream: Readable } | { ok: false; problem: Problem }> {
  if (typeof input !== 'string') return { ok: true, stream: input };
  const stream = createReadStream(input);
  return new Promise((resolve) => {
    stream.once('open', () => resolve({ ok: true, stream }));
    stream.once('error', (e) => resolve({ ok: false, problem: problem('unreadable', 'file', e.message) }));
  });
}

/** Counts and hashes the bytes passing through; past `max` it ends the stream early and says so. */
class Meter extends Transform {
  bytes = 0;
  exceeded = false;
  private readonly hash = createHash('sha256');
  constructor(private readonly max?: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.exceeded) return done();
    this.bytes += chunk.length;
    if (this.max !== undefined && this.bytes > this.max) {
      this.exceeded = true;
      this.push(null);
      return done();
    }
    this.hash.update(chunk);
    done(null, chunk);
  }
  sha256(): string {
    return this.hash.copy().digest('hex');
  }
}

/**
 * The format by content: VICS files are JSON objects (after an optional BOM and white space); anything
 * else is taken for CSV. The first chunk read is put back in front of the stream.
 */
async function sniff(stream: Readable): Promise<{ format: HashListFormat; stream: Readable }> {
  const it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let format: HashListFormat = 'csv';
  for (;;) {
    const r = await it.next();
    if (r.done) break;
    head.push(r.value);
    const text = Buffer.concat(head)
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trimStart();
    if (text !== '') {
      format = text.startsWith('{') ? 'vics' : 'csv';
      break;
    }
  }
  async function* rest(): AsyncGenerator<Buffer> {
    yield* head;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  return { format, stream: Readable.from(rest(), { objectMode: false }) };
}
