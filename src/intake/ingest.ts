import type { ErrorCode } from '../domain/errors.ts';
import type { Organisation } from '../domain/organisation.ts';
import type { IntakeService, RequestContext, Submission } from './intake.service.ts';
import { parseUnit, type ParsedUnit } from './parse.ts';
import type { Unit } from './sources.ts';

export interface IngestSummary {
  received: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  errors: { input: string; code: ErrorCode; path: string; message: string }[];
}

export interface IngestOptions {
  /** Submissions per transaction: larger batches amortise commits; a crash loses at most one batch's work. */
  readonly batchSize: number;
  readonly now: () => Date;
  readonly onProgress?: (s: Readonly<IngestSummary>) => void;
  /** Extra validation (e.g. the real XSD under --strict); problems reject the unit. */
  readonly check?: (unit: Unit) => Promise<IngestSummary['errors']>;
  /** Parses a chunk of units, e.g. on worker threads (`createParsePool`); default: on this thread. */
  readonly parse?: (units: readonly Unit[], now: Date) => Promise<ParsedUnit[]>;
}

const CHUNK = 100;
/** Chunks being parsed while earlier ones are stored: enough to keep every parse worker busy. */
const IN_FLIGHT = 8;

/**
 * Bulk intake: parse each unit once, store in batches, count what happened. Stored batches are
 * committed before the next is read, so a rerun after a crash finds them and answers "duplicate".
 */
export async function ingestUnits(
  units: AsyncIterable<Unit>,
  intake: IntakeService,
  source: Organisation,
  ctx: RequestContext,
  opts: IngestOptions,
): Promise<IngestSummary> {
  const summary: IngestSummary = { received: 0, accepted: 0, duplicates: 0, rejected: 0, errors: [] };
  let batch: { input: string; submission: Submission }[] = [];

  const flush = async () => {
    if (batch.length === 0) return;
    const results = await intake.submit(
      source,
      batch.map((b) => b.submission),
      ctx,
    );
    results.forEach((r, i) => {
      switch (r.kind) {
        case 'accepted':
          summary.accepted++;
          break;
        case 'duplicate':
          summary.duplicates++;
          break;
        case 'rejected':
          reject(batch[i]?.input ?? '?', r.problems);
          break;
      }
    });
    batch = [];
    opts.onProgress?.(summary);
  };

  const reject = (input: string, problems: readonly { code: ErrorCode; path: string; message: string }[]) => {
    summary.rejected++;
    for (const p of problems) summary.errors.push({ input, code: p.code, path: p.path, message: p.message });
  };

  const parse = opts.parse ?? ((chunk, now) => Promise.resolve(chunk.map((u) => parseUnit(u, now))));
  const inFlight: Promise<ParsedUnit[]>[] = [];
  let chunk: Unit[] = [];

  const store = async (parsed: readonly ParsedUnit[]) => {
    for (const p of parsed) {
      if (p.kind === 'rejected') reject(p.input, p.problems);
      else batch.push({ input: p.input, submission: p.submission });
      if (batch.length >= opts.batchSize) await flush();
    }
  };
  const dispatch = async () => {
    if (chunk.length) inFlight.push(guarded(parse(chunk, opts.now())));
    chunk = [];
    // Stored in input order, so a rerun after a crash finds a prefix already stored.
    while (inFlight.length >= IN_FLIGHT) await store(await (inFlight.shift() as Promise<ParsedUnit[]>));
  };

  for await (const unit of units) {
    summary.received++;
    const extra = opts.check ? await opts.check(unit) : [];
    if (extra.length) {
      reject(unit.input, extra);
      continue;
    }
    chunk.push(unit);
    if (chunk.length >= CHUNK) await dispatch();
  }
  if (chunk.length) inFlight.push(guarded(parse(chunk, opts.now())));
  for (const p of inFlight.splice(0)) await store(await p);
  await flush();
  return summary;
}

/** Marks a promise as handled now (it is awaited later, in order), so an early failure is not "unhandled". */
function guarded<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}
