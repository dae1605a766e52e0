import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { problem, type Problem } from '../domain/errors.ts';

/** One input as found on disk or stdin, not yet parsed. */
export type Unit =
  | {
      readonly kind: 'cybertipline';
      readonly input: string;
      readonly stem?: string;
      readonly report: Buffer;
      readonly fileDetails: readonly Buffer[];
    }
  | { readonly kind: 'json'; readonly input: string; readonly stem?: string; readonly bytes: Buffer }
  | { readonly kind: 'error'; readonly input: string; readonly problem: Problem };

const REPORT = /^(.+)\.report\.xml$/;
const FILE_DETAILS = /^(.+)\.fileDetails\.xml$/;
const NUMBERED = /^(.+)\.(\d+)$/;

/**
 * The report stem a fileDetails file belongs to, given the stems present: `<stem>.fileDetails.xml` or
 * `<stem>.<n>.fileDetails.xml`. Checked against real stems, since a stem may itself end in `.<digits>`.
 */
function detailsOwner(file: string, stems: ReadonlySet<string>): { stem: string; index: number } | undefined {
  const base = FILE_DETAILS.exec(file)?.[1];
  if (base === undefined) return undefined;
  if (stems.has(base)) return { stem: base, index: 0 };
  const m = NUMBERED.exec(base);
  return m?.[1] !== undefined && stems.has(m[1]) ? { stem: m[1], index: Number(m[2]) } : undefined;
}
const JSON_DOC = /^(.+)\.(?:referral\.)?json$/;
const NDJSON = /\.(?:ndjson|jsonl)$/;

/**
 * Walks files and directories and yields CyberTipline submissions (`<stem>.report.xml` with its
 * `<stem>[.<n>].fileDetails.xml`), canonical JSON documents and NDJSON lines, in a stable order.
 * `-` reads standard input. Units are read one at a time as the consumer asks for them.
 */
export async function* readUnits(
  paths: readonly string[],
  opts: {
    readonly maxBytes: number;
    readonly stdin: Readable;
    /** Told how many units a directory holds once it is listed (for a progress ETA). */
    readonly onDiscovered?: (n: number) => void;
  },
): AsyncGenerator<Unit> {
  for (const p of paths) {
    if (p === '-') {
      yield* readStdin(opts.stdin, opts.maxBytes);
      continue;
    }
    let s;
    try {
      s = await stat(p);
    } catch {
      yield { kind: 'error', input: p, problem: problem('not_found', p, 'no such file or directory') };
      continue;
    }
    if (s.isDirectory()) {
      yield* readDirectory(p, opts.maxBytes, opts.onDiscovered);
    } else if (NDJSON.test(p)) {
      yield* readNdjson(createReadStream(p), p, opts.maxBytes);
    } else {
      const name = basename(p);
      const stem = REPORT.exec(name)?.[1];
      if (stem !== undefined) {
        const stems = new Set([stem]);
        const details = (await readdir(dirname(p)))
          .flatMap((f) => {
            const owner = detailsOwner(f, stems);
            return owner ? [{ f, index: owner.index }] : [];
          })
          .sort((a, b) => a.index - b.index)
          .map(({ f }) => join(dirname(p), f));
        yield readGroup({ input: p, stem, report: p, details }, opts.maxBytes);
      } else {
        yield readSingle(p, JSON_DOC.exec(name)?.[1], opts.maxBytes);
      }
    }
  }
}

interface Group {
  readonly input: string;
  readonly stem?: string;
  readonly report?: string;
  readonly details: readonly string[];
  readonly json?: string;
}

async function* readDirectory(
  dir: string,
  maxBytes: number,
  onDiscovered?: (n: number) => void,
): AsyncGenerator<Unit> {
  const groups: Group[] = [];
  for (const sub of await walk(dir)) {
    const files = sub.files;
    const stems = new Set(files.flatMap((f) => REPORT.exec(f)?.[1] ?? []));
    const details = new Map<string, { f: string; index: number }[]>();
    for (const f of files) {
      if (!FILE_DETAILS.test(f)) continue;
      const owner = detailsOwner(f, stems);
      if (owner) details.set(owner.stem, [...(details.get(owner.stem) ?? []), { f, index: owner.index }]);
      else groups.push({ input: join(sub.dir, f), details: [] }); // an orphan: reported, not skipped
    }
    for (const f of files) {
      const stem = REPORT.exec(f)?.[1];
      if (stem !== undefined) {
        const d = (details.get(stem) ?? []).sort((x, y) => x.index - y.index).map((x) => join(sub.dir, x.f));
        groups.push({ input: join(sub.dir, f), stem, report: join(sub.dir, f), details: d });
      } else if (f.endsWith('.referral.json')) {
        // In a directory only `*.referral.json` are referrals: other JSON (e.g. truth.json) is not input.
        groups.push({
          input: join(sub.dir, f),
          stem: f.slice(0, -'.referral.json'.length),
          json: join(sub.dir, f),
          details: [],
        });
      } else if (NDJSON.test(f)) {
        groups.push({ input: join(sub.dir, f), json: join(sub.dir, f), details: [] });
      }
    }
  }
  groups.sort((a, b) => (a.input < b.input ? -1 : a.input > b.input ? 1 : 0));
  onDiscovered?.(groups.length);
  for (const g of groups) {
    if (g.report) yield readGroup(g, maxBytes);
    else if (g.json && NDJSON.test(g.json)) yield* readNdjson(createReadStream(g.json), g.json, maxBytes);
    else if (g.json) yield readSingle(g.json, g.stem, maxBytes);
    else
      yield {
        kind: 'error',
        input: g.input,
        problem: problem('schema_violation', g.input, 'fileDetails without its report.xml'),
      };
  }
}

async function walk(dir: string): Promise<{ dir: string; files: string[] }[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  // Symbolic links are followed when read (a linked report is still a report).
  const files = entries.filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name);
  const out = [{ dir, files }];
  for (const e of entries.filter((x) => x.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    out.push(...(await walk(join(dir, e.name))));
  }
  return out;
}

function readGroup(g: Group, maxBytes: number): Unit {
  const paths = [g.report ?? g.input, ...g.details];
  const buffers: Buffer[] = [];
  let total = 0;
  for (const p of paths) {
    let b: Buffer | undefined;
    try {
      b = readBounded(p, maxBytes - total);
    } catch (e) {
      return unreadable(g.input, p, e);
    }
    if (!b)
      return {
        kind: 'error',
        input: g.input,
        problem: problem('too_large', p, `submission exceeds ${maxBytes} bytes`),
      };
    total += b.length;
    buffers.push(b);
  }
  const [report, ...fileDetails] = buffers;
  if (!report) throw new Error('bug: a group without its report');
  return {
    kind: 'cybertipline',
    input: g.input,
    ...(g.stem !== undefined && { stem: g.stem }),
    report,
    fileDetails,
  };
}

function readSingle(path: string, stem: string | undefined, maxBytes: number): Unit {
  let bytes: Buffer | undefined;
  try {
    bytes = readBounded(path, maxBytes);
  } catch (e) {
    return unreadable(path, path, e);
  }
  if (!bytes)
    return {
      kind: 'error',
      input: path,
      problem: problem('too_large', path, `input exceeds ${maxBytes} bytes`),
    };
  return classify(bytes, path, stem ?? REPORT.exec(basename(path))?.[1]);
}

/** A lone document: XML is a CyberTipline report without file details; `{` is canonical JSON. */
function classify(bytes: Buffer, input: string, stem: string | undefined): Unit {
  const first = firstSignificantByte(bytes);
  const s = stem === undefined ? {} : { stem };
  if (first === 0x3c) return { kind: 'cybertipline', input, ...s, report: bytes, fileDetails: [] };
  if (first === 0x7b) return { kind: 'json', input, ...s, bytes };
  return {
    kind: 'error',
    input,
    problem: problem('unsupported_format', input, 'expected CyberTipline XML or canonical JSON'),
  };
}

function firstSignificantByte(b: Buffer): number | undefined {
  let i = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09)) i++;
  return b[i];
}

/**
 * Reads a whole file unless it is larger than `maxBytes`. Synchronous on purpose: for the small files of a
 * report directory, one open/fstat/read/close on this thread costs far less than four thread-pool round trips.
 */
function readBounded(path: string, maxBytes: number): Buffer | undefined {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > maxBytes) return undefined;
    const buf = Buffer.allocUnsafe(size);
    let off = 0;
    while (off < size) {
      const n = readSync(fd, buf, off, size - off, off);
      if (n === 0) break;
      off += n;
    }
    return off === size ? buf : buf.subarray(0, off);
  } finally {
    closeSync(fd);
  }
}

/** A file that vanished or cannot be read is that input's error, not the end of the whole run. */
function unreadable(input: string, path: string, e: unknown): Unit {
  const code = (e as NodeJS.ErrnoException).code ?? 'error';
  return { kind: 'error', input, problem: problem('unreadable', path, `cannot read the file (${code})`) };
}

/**
 * Splits a byte stream into lines without ever holding more than `maxBytes` of one line: a longer line
 * is reported as too large and skipped up to its end.
 */
async function* boundedLines(
  stream: AsyncIterable<Buffer | string>,
  maxBytes: number,
): AsyncGenerator<{ readonly n: number; readonly bytes?: Buffer }> {
  let parts: Buffer[] = [];
  let size = 0;
  let over = false;
  let n = 0;
  const line = () => {
    n++;
    const bytes = over ? undefined : Buffer.concat(parts);
    parts = [];
    size = 0;
    over = false;
    const end =
      bytes && bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes?.length;
    return bytes ? { n, bytes: bytes.subarray(0, end) } : { n };
  };
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(0x0a, start);
      const piece = buf.subarray(start, nl === -1 ? buf.length : nl);
      if (!over) {
        size += piece.length;
        if (size > maxBytes) {
          over = true;
          parts = [];
        } else parts.push(piece);
      }
      if (nl === -1) break;
      yield line();
      start = nl + 1;
    }
  }
  if (size > 0 || over) yield line();
}

async function* readNdjson(
  stream: AsyncIterable<Buffer | string>,
  input: string,
  maxBytes: number,
): AsyncGenerator<Unit> {
  for await (const { n, bytes } of boundedLines(stream, maxBytes)) {
    const label = `${input}:${n}`;
    if (!bytes) {
      yield {
        kind: 'error',
        input: label,
        problem: problem('too_large', label, `line exceeds ${maxBytes} bytes`),
      };
    } else if (firstSignificantByte(bytes) !== undefined) {
      // Bytes as read: UTF-8 is checked strictly when the line is parsed, never silently replaced.
      yield { kind: 'json', input: label, bytes };
    }
  }
}

/**
 * stdin, streamed: XML is one report; JSON is NDJSON when its first line is a whole document (read line by
 * line, any length of input), else one document of at most `maxBytes`.
 */
async function* readStdin(stdin: Readable, maxBytes: number): AsyncGenerator<Unit> {
  const source = stdin[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const head: Buffer[] = [];
  let headSize = 0;
  let ended = false;
  // Peek until the first line is complete (or the input ends, or it is already too long to be a document).
  while (!ended && headSize <= maxBytes && !head.some((b) => b.includes(0x0a))) {
    const r = await source.next();
    if (r.done) ended = true;
    else {
      const b = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
      head.push(b);
      headSize += b.length;
    }
  }
  async function* replay(): AsyncGenerator<Buffer> {
    yield* head;
    for (;;) {
      const r = await source.next();
      if (r.done) return;
      yield typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
    }
  }
  const start = Buffer.concat(head);
  const nl = start.indexOf(0x0a);
  if (firstSignificantByte(start) === 0x7b && nl !== -1 && isJson(start.subarray(0, nl).toString('utf8'))) {
    yield* readNdjson(replay(), 'stdin', maxBytes);
    return;
  }
  const parts: Buffer[] = [];
  let size = 0;
  for await (const b of replay()) {
    size += b.length;
    if (size > maxBytes) {
      yield {
        kind: 'error',
        input: 'stdin',
        problem: problem('too_large', 'stdin', `input exceeds ${maxBytes} bytes`),
      };
      return;
    }
    parts.push(b);
  }
  yield classify(Buffer.concat(parts), 'stdin', undefined);
}

function isJson(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}
