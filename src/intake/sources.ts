import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
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
const FILE_DETAILS = /^(.+?)(?:\.(\d+))?\.fileDetails\.xml$/;
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
        const details = (await readdir(dirname(p)))
          .filter((f) => FILE_DETAILS.exec(f)?.[1] === stem)
          .sort(byDetailsIndex)
          .map((f) => join(dirname(p), f));
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
    const details = new Map<string, string[]>();
    for (const f of files) {
      const m = FILE_DETAILS.exec(f);
      if (m?.[1] !== undefined) details.set(m[1], [...(details.get(m[1]) ?? []), f]);
    }
    const reports = new Set<string>();
    for (const f of files) {
      const stem = REPORT.exec(f)?.[1];
      const jsonStem = stem === undefined && !FILE_DETAILS.test(f) ? JSON_DOC.exec(f)?.[1] : undefined;
      if (stem !== undefined) {
        reports.add(stem);
        const d = (details.get(stem) ?? []).sort(byDetailsIndex).map((x) => join(sub.dir, x));
        groups.push({ input: join(sub.dir, f), stem, report: join(sub.dir, f), details: d });
      } else if (jsonStem !== undefined && f.endsWith('.referral.json')) {
        // In a directory only `*.referral.json` are referrals: other JSON (e.g. truth.json) is not input.
        groups.push({ input: join(sub.dir, f), stem: jsonStem, json: join(sub.dir, f), details: [] });
      } else if (NDJSON.test(f)) {
        groups.push({ input: join(sub.dir, f), json: join(sub.dir, f), details: [] });
      }
    }
    for (const [stem, list] of details) {
      if (!reports.has(stem)) {
        for (const f of list) {
          groups.push({ input: join(sub.dir, f), details: [] });
        }
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
  const files = entries.filter((e) => e.isFile()).map((e) => e.name);
  const out = [{ dir, files }];
  for (const e of entries.filter((x) => x.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    out.push(...(await walk(join(dir, e.name))));
  }
  return out;
}

function byDetailsIndex(a: string, b: string): number {
  return Number(FILE_DETAILS.exec(a)?.[2] ?? 0) - Number(FILE_DETAILS.exec(b)?.[2] ?? 0);
}

function readGroup(g: Group, maxBytes: number): Unit {
  const paths = [g.report ?? g.input, ...g.details];
  const buffers: Buffer[] = [];
  let total = 0;
  for (const p of paths) {
    const b = readBounded(p, maxBytes - total);
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
  const bytes = readBounded(path, maxBytes);
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

async function* readNdjson(stream: Readable, input: string, maxBytes: number): AsyncGenerator<Unit> {
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    const label = `${input}:${n}`;
    const bytes = Buffer.from(line, 'utf8');
    if (bytes.length > maxBytes) {
      yield {
        kind: 'error',
        input: label,
        problem: problem('too_large', label, `line exceeds ${maxBytes} bytes`),
      };
    } else {
      yield { kind: 'json', input: label, bytes };
    }
  }
}

/** stdin: XML is one report; JSON is NDJSON when its first line is a whole document, else one document. */
async function* readStdin(stdin: Readable, maxBytes: number): AsyncGenerator<Unit> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of stdin) {
    const b = Buffer.isBuffer(c) ? c : Buffer.from(String(c));
    size += b.length;
    if (size > maxBytes * 64) break;
    chunks.push(b);
  }
  const all = Buffer.concat(chunks);
  const first = firstSignificantByte(all);
  if (first === 0x7b) {
    const firstLine = all
      .subarray(0, all.indexOf(0x0a) === -1 ? all.length : all.indexOf(0x0a))
      .toString('utf8');
    if (isJson(firstLine) && all.indexOf(0x0a) !== -1) {
      const { Readable } = await import('node:stream');
      yield* readNdjson(Readable.from([all]), 'stdin', maxBytes);
      return;
    }
  }
  if (all.length > maxBytes) {
    yield {
      kind: 'error',
      input: 'stdin',
      problem: problem('too_large', 'stdin', `input exceeds ${maxBytes} bytes`),
    };
    return;
  }
  yield classify(all, 'stdin', undefined);
}

function isJson(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}
