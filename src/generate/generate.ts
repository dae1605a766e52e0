/**
 * `conduit generate`: a synthetic scenario written to disk — CyberTipline XML (a `<stem>.report.xml`
 * plus `<stem>.<n>.fileDetails.xml` per file), canonical JSON (`<stem>.referral.json`) or one
 * `referrals.ndjson` — and its answer key `truth.json`. Generation streams: nothing but the persons
 * still active is held in memory, and files are written by a worker thread in bounded batches while
 * the main thread generates the next ones.
 */
import { mkdir, open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';

import type { GeoDatabase } from '../adapters/geo.ts';
import type { Difficulty } from './difficulty.ts';
import { DEFAULT_NOW, scenario } from './scenario.ts';
import type { ScenarioOptions } from './scenario.ts';
import type { GeneratedReport } from './truth.ts';
import { TruthText, stemWidth } from './truth.ts';
import { fileDetailsXml, reportXml } from './xml.ts';

export { buildTruth } from './truth.ts';
export type { GeneratedReport, ScenarioEvent, Truth, PersonTruth } from './truth.ts';
export { DEFAULT_NOW, scenario, scenarioReports } from './scenario.ts';
export type { ScenarioOptions } from './scenario.ts';
export { DIFFICULTIES } from './difficulty.ts';
export type { Difficulty } from './difficulty.ts';
export { fileDetailsXml, reportXml } from './xml.ts';

export type OutputFormat = 'xml' | 'json' | 'ndjson';

export interface GenerateOptions {
  readonly reports: number;
  readonly seed: string | number;
  readonly outDir: string;
  readonly format: OutputFormat;
  /** The scenario's present (default 2026-01-01T00:00:00Z); incidents all lie before it. */
  readonly now?: Date;
  /** Addresses from the geo database's country ranges instead of documentation ranges (see scenario.ts). */
  readonly geoIps?: boolean;
  /** The database `geoIps` draws from (default DB-IP Country Lite). */
  readonly geoDatabase?: GeoDatabase;
  /** How hard linking is: 'easy' (default, the output as it always was) or 'hard' (see difficulty.ts). */
  readonly difficulty?: Difficulty;
}

export interface GenerateResult {
  readonly reports: number;
  /** Files written, truth.json included. */
  readonly files: number;
  readonly truthPath: string;
}

/**
 * Writes the scenario into `outDir` (created if missing; files of the same names are replaced, others
 * are left alone). Deterministic: the same options give byte-identical files.
 */
export async function generateScenario(opts: GenerateOptions): Promise<GenerateResult> {
  if (!Number.isInteger(opts.reports) || opts.reports < 0) {
    throw new RangeError('reports: a non-negative integer');
  }
  const dir = resolve(opts.outDir);
  await mkdir(dir, { recursive: true });
  const truthPath = `${dir}/truth.json`;
  const truthText = new TruthText(opts.reports, stemWidth(opts.reports));
  const truth = await TextFile.create(truthPath);
  let out: Output | undefined;
  let reports = 0;
  try {
    out =
      opts.format === 'ndjson'
        ? { kind: 'ndjson', file: await TextFile.create(`${dir}/referrals.ndjson`) }
        : { kind: 'files', format: opts.format, writer: new FileWriter() };
    const now = (opts.now ?? DEFAULT_NOW).toISOString();
    truth.append(truthText.start(opts.seed, opts.reports, now, opts.difficulty));
    const options: ScenarioOptions = {
      reports: opts.reports,
      seed: opts.seed,
      now: opts.now,
      geoIps: opts.geoIps,
      geoDatabase: opts.geoDatabase,
      difficulty: opts.difficulty,
    };
    for (const e of scenario(options)) {
      switch (e.kind) {
        case 'report':
          reports++;
          truth.append(truthText.add(e));
          {
            const wait = emit(e, dir, out);
            if (wait) await wait;
          }
          break;
        case 'person':
          truth.append(truthText.add(e));
          break;
        case 'end':
          for (const chunk of truthText.finish(e)) {
            truth.append(chunk);
            if (truth.needsFlush) await truth.flush();
          }
          break;
      }
      if (truth.needsFlush) await truth.flush();
    }
    if (out.kind === 'files') await out.writer.close();
    else await out.file.close();
    await truth.close();
  } finally {
    if (out?.kind === 'files') await out.writer.terminate();
    if (out?.kind === 'ndjson') await out.file.abandon();
    await truth.abandon();
  }
  const files = 1 + (out.kind === 'files' ? out.writer.written : 1);
  return { reports, files, truthPath };
}

type Output =
  | { readonly kind: 'files'; readonly format: 'xml' | 'json'; readonly writer: FileWriter }
  | { readonly kind: 'ndjson'; readonly file: TextFile };

/**
 * Hands one report to the output. Returns a promise only when the output needs the caller to wait
 * (a full buffer, too many batches in flight): most reports cost no microtask at all.
 */
function emit(e: GeneratedReport, dir: string, out: Output): Promise<void> | undefined {
  if (out.kind === 'ndjson') {
    out.file.append(`${JSON.stringify(e.doc)}\n`);
    return out.file.needsFlush ? out.file.flush() : undefined;
  }
  const w = out.writer;
  if (out.format === 'json') {
    w.add(`${dir}/${e.stem}.referral.json`, `${JSON.stringify(e.doc, null, 2)}\n`);
  } else {
    w.add(`${dir}/${e.stem}.report.xml`, reportXml(e.doc));
    let n = 0;
    for (const f of e.doc.files)
      w.add(`${dir}/${e.stem}.${++n}.fileDetails.xml`, fileDetailsXml(e.reportId, f));
  }
  return w.busy ? w.ready() : undefined;
}

/** A text file written in large appends, one write in flight while the next chunk is being built. */
class TextFile {
  private parts: string[] = [];
  private size = 0;
  private position = 0;
  private inFlight: Promise<void> | undefined;
  private closed = false;

  private constructor(private readonly fh: FileHandle) {}

  static async create(path: string): Promise<TextFile> {
    return new TextFile(await open(path, 'w'));
  }

  append(s: string): void {
    if (s.length === 0) return;
    this.parts.push(s);
    this.size += s.length;
  }

  get needsFlush(): boolean {
    return this.size >= FLUSH_CHARS;
  }

  /** Waits for the previous write, then starts writing what has been appended since. */
  async flush(): Promise<void> {
    await this.inFlight;
    this.inFlight = undefined;
    if (this.size === 0) return;
    const buf = Buffer.from(this.parts.join(''), 'utf8');
    this.parts = [];
    this.size = 0;
    const at = this.position;
    this.position += buf.length;
    const write = writeAll(this.fh, buf, at);
    // Observed now (so a failure is not an unhandled rejection), thrown at the next flush or close.
    write.catch(() => undefined);
    this.inFlight = write;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.inFlight;
    this.closed = true;
    await this.fh.close();
  }

  /** After a failure: let any write finish (ignoring its error) and release the handle. */
  async abandon(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.inFlight?.catch(() => undefined);
    await this.fh.close().catch(() => undefined);
  }
}

const FLUSH_CHARS = 1 << 20;

async function writeAll(fh: FileHandle, buf: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await fh.write(buf, done, buf.length - done, position + done);
    done += bytesWritten;
  }
}

/**
 * Many small files, written by a worker thread with synchronous writes (the cheapest way to create
 * small files) in batches, so that on two cores generation and file creation overlap. A batch is one
 * buffer of UTF-8 bytes, transferred to the worker rather than copied (structured-cloning the strings
 * cost more than generating them). At most `MAX_BATCHES` batches are in flight, so memory stays
 * bounded however many reports are generated.
 */
class FileWriter {
  private readonly worker: Worker;
  private buf = Buffer.allocUnsafeSlow(BATCH_BYTES);
  private used = 0;
  private names: string[] = [];
  /** Where each file's bytes end in `buf`. */
  private ends = new Uint32Array(BATCH_FILES);
  private pending = 0;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  /** Files the worker has confirmed. */
  written = 0;

  constructor() {
    // Inline JavaScript rather than a module file: the worker must start the same way under tsx,
    // vitest and plain node, and it needs nothing but node:fs.
    this.worker = new Worker(WRITER_SOURCE, { eval: true });
    this.worker.on('message', (m: unknown) => {
      const ack = parseAck(m);
      this.pending--;
      if (ack.ok) this.written += ack.count;
      else this.failure ??= new Error(`writing generated files failed: ${ack.message}`);
      this.notify();
    });
    this.worker.on('error', (err: Error) => {
      this.failure ??= err;
      this.notify();
    });
  }

  add(path: string, content: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 unit; make sure the content fits before encoding it.
    const worst = content.length * 3;
    if (this.used + worst > this.buf.length) {
      if (this.names.length > 0) this.send();
      if (worst > this.buf.length) this.buf = Buffer.allocUnsafeSlow(worst);
    }
    this.used += this.buf.write(content, this.used, 'utf8');
    this.ends[this.names.length] = this.used;
    this.names.push(path);
    if (this.names.length >= BATCH_FILES) this.send();
  }

  get busy(): boolean {
    return this.pending >= MAX_BATCHES || this.failure !== undefined;
  }

  /** Resolves once fewer than `MAX_BATCHES` batches are in flight; throws if a write failed. */
  async ready(): Promise<void> {
    while (this.pending >= MAX_BATCHES && this.failure === undefined) await this.next();
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    if (this.names.length > 0) this.send();
    while (this.pending > 0 && this.failure === undefined) await this.next();
    if (this.failure) throw this.failure;
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  private send(): void {
    // allocUnsafeSlow buffers own their ArrayBuffer (never the shared pool), so it can be transferred;
    // paths are joined with NUL, the one character no path can contain.
    const data = this.buf.buffer;
    const ends = this.ends.buffer;
    this.worker.postMessage({ paths: this.names.join('\0'), ends, data }, [data, ends]);
    this.pending++;
    this.buf = Buffer.allocUnsafeSlow(BATCH_BYTES);
    this.used = 0;
    this.names = [];
    this.ends = new Uint32Array(BATCH_FILES);
  }

  private next(): Promise<void> {
    return new Promise<void>((wake) => {
      this.wake = wake;
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

const BATCH_BYTES = 1 << 20;
const BATCH_FILES = 1024;
const MAX_BATCHES = 8;

const WRITER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { writeFileSync } = require('node:fs');
parentPort.on('message', ({ paths, ends, data }) => {
  try {
    const names = paths.split('\\0');
    const bytes = new Uint8Array(data);
    const stops = new Uint32Array(ends);
    let start = 0;
    for (let i = 0; i < names.length; i++) {
      writeFileSync(names[i], bytes.subarray(start, stops[i]));
      start = stops[i];
    }
    parentPort.postMessage({ ok: true, count: names.length });
  } catch (err) {
    parentPort.postMessage({ ok: false, count: 0, message: String(err && err.message ? err.message : err) });
  }
});
`;

type Ack = { readonly ok: true; readonly count: number } | { readonly ok: false; readonly message: string };

function parseAck(m: unknown): Ack {
  if (typeof m === 'object' && m !== null && 'ok' in m) {
    if (m.ok === true && 'count' in m && typeof m.count === 'number') return { ok: true, count: m.count };
    if ('message' in m && typeof m.message === 'string') return { ok: false, message: m.message };
  }
  return { ok: false, message: 'unexpected message from the writer thread' };
}
