import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { problem, type Problem } from '../domain/errors.ts';
import { isScheme, mapCategory, SCHEMES, type Scheme } from './categories.ts';
import { parseFlag, parseHex, type EntryHashKind, type ReadItem } from './entry.ts';

/**
 * The CSV hash-list format. The first line is a header naming the columns, in any order:
 *
 *     hash_type,hash,category[,scheme][,series][,victim_identified][,id]
 *
 * - `hash_type`: md5 | sha1 | sha256 | pdq; `hash`: hex of that kind (any case)
 * - `category`: the source's code, empty when uncategorised; it needs a scheme (`scheme` column or
 *   the import's `--scheme`), since a code means nothing outside its scheme
 * - `scheme`: one of SCHEMES; `series`: free text; `victim_identified`: true/false/yes/no/1/0 or empty
 * - `id`: the entry's own id (default: its line number)
 *
 * A UTF-8 BOM is dropped, blank lines are ignored, fields are trimmed, RFC 4180 quoting applies.
 */
export const CSV_COLUMNS = [
  'hash_type',
  'hash',
  'category',
  'scheme',
  'series',
  'victim_identified',
  'id',
] as const;
type Column = (typeof CSV_COLUMNS)[number];
const REQUIRED: readonly Column[] = ['hash_type', 'hash', 'category'];
const KINDS: readonly EntryHashKind[] = ['md5', 'sha1', 'sha256', 'pdq'];

/** Reads a CSV hash list as a stream of entries; every bad field is a problem naming its line. */
export async function* readCsv(input: Readable, opts: { scheme?: Scheme } = {}): AsyncGenerator<ReadItem> {
  const records = input.pipe(
    parse({ bom: true, relax_column_count: true, skip_empty_lines: true, trim: true, info: true }),
  );
  input.on('error', (e) => records.destroy(e));
  let columns: Map<Column, number> | undefined;
  let width = 0;
  try {
    for await (const r of records as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = r.info.lines;
      if (!columns) {
        const header = parseHeader(r.record);
        if (!header.ok) {
          for (const p of header.problems) yield { kind: 'problem', problem: p };
          return;
        }
        columns = header.columns;
        width = r.record.length;
        continue;
      }
      if (r.record.length !== width) {
        yield {
          kind: 'problem',
          problem: problem(
            'schema_violation',
            `line ${line}`,
            `${r.record.length} fields, the header has ${width}`,
          ),
        };
        continue;
      }
      yield* row(r.record, columns, line, opts.scheme);
    }
  } catch (e) {
    yield {
      kind: 'problem',
      problem: problem('malformed_input', '', `not valid CSV: ${(e as Error).message}`),
    };
    return;
  } finally {
    records.destroy();
  }
  if (!columns)
    yield { kind: 'problem', problem: problem('unsupported_format', 'line 1', 'the file is empty') };
}

function parseHeader(
  record: readonly string[],
): { ok: true; columns: Map<Column, number> } | { ok: false; problems: Problem[] } {
  const columns = new Map<Column, number>();
  const problems: Problem[] = [];
  record.forEach((name, i) => {
    const n = name.trim().toLowerCase();
    if (!(CSV_COLUMNS as readonly string[]).includes(n))
      problems.push(
        problem(
          'schema_violation',
          `line 1/${name}`,
          `unknown column; the header is ${CSV_COLUMNS.join(',')}`,
        ),
      );
    else if (columns.has(n as Column))
      problems.push(problem('schema_violation', `line 1/${n}`, 'column repeated'));
    else columns.set(n as Column, i);
  });
  for (const c of REQUIRED)
    if (!columns.has(c)) problems.push(problem('schema_violation', `line 1/${c}`, 'required column missing'));
  return problems.length ? { ok: false, problems } : { ok: true, columns };
}

function* row(
  record: readonly string[],
  columns: Map<Column, number>,
  line: number,
  defaultScheme: Scheme | undefined,
): Generator<ReadItem> {
  const field = (c: Column): string => {
    const i = columns.get(c);
    return i === undefined ? '' : (record[i] ?? '').trim();
  };
  const problems: Problem[] = [];
  const at = (c: Column) => `line ${line}/${c}`;

  const kind = field('hash_type').toLowerCase();
  let hex: string | undefined;
  if (!(KINDS as readonly string[]).includes(kind))
    problems.push(problem('invalid_value', at('hash_type'), `expected one of ${KINDS.join(', ')}`));
  else {
    hex = parseHex(kind as EntryHashKind, field('hash'));
    if (hex === undefined) problems.push(problem('invalid_value', at('hash'), `not a ${kind} hash`));
  }

  const code = field('category') || null;
  const schemeText = field('scheme').toLowerCase();
  let scheme: Scheme | undefined = defaultScheme;
  if (schemeText !== '') {
    if (isScheme(schemeText)) scheme = schemeText;
    else problems.push(problem('invalid_value', at('scheme'), `expected one of ${SCHEMES.join(', ')}`));
  } else if (code !== null && scheme === undefined)
    problems.push(
      problem(
        'invalid_value',
        at('scheme'),
        'a category needs a scheme: add a scheme column or give --scheme',
      ),
    );

  const victim = parseFlag(field('victim_identified'));
  if (victim === undefined)
    problems.push(problem('invalid_value', at('victim_identified'), 'expected true, false or empty'));

  if (problems.length || hex === undefined) {
    for (const p of problems) yield { kind: 'problem', problem: p };
    return;
  }
  const sourceScheme = scheme ?? 'none';
  const k = kind as EntryHashKind;
  yield {
    kind: 'entry',
    entry: {
      entry: field('id') || String(line),
      md5: k === 'md5' ? hex : null,
      sha1: k === 'sha1' ? hex : null,
      sha256: k === 'sha256' ? hex : null,
      pdq: k === 'pdq' ? hex : null,
      pdqQuality: null,
      category: scheme ? mapCategory(scheme, code) : 'uncategorised',
      sourceScheme,
      sourceCode: code,
      series: field('series') || null,
      victimIdentified: victim ?? null,
    },
  };
}
