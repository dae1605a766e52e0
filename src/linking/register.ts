import { parse as parseCsv } from 'csv-parse/sync';
import { Type } from '@sinclair/typebox';
import { Value, type ValueError } from '@sinclair/typebox/value';
import { problem, type ErrorCode, type Problem } from '../domain/errors.ts';
import { parseDate } from '../domain/ids.ts';
import { normaliseEmail } from '../pipeline/normalise/email.ts';
import { normaliseIp } from '../pipeline/normalise/ip.ts';
import { normalisePhone } from '../pipeline/normalise/phone.ts';
import { normaliseScreenName } from '../pipeline/normalise/screen-name.ts';
import { normaliseDeviceId, normaliseText } from '../pipeline/normalise/text.ts';

export const REGISTER_KINDS = [
  'email',
  'phone',
  'service-user-id',
  'screen-name',
  'device-id',
  'ip',
] as const;
export type RegisterKind = (typeof REGISTER_KINDS)[number];

/** One line of an agency's register of known offenders / known accounts, its value in canonical form. */
export interface RegisterEntry {
  /** The agency's own reference for the record (a case or nominal number). */
  readonly reference: string;
  readonly kind: RegisterKind;
  /** Canonical, as the normalise stage writes identifiers of this kind, so the two compare as strings. */
  readonly value: string;
  /** The value as the register gave it. */
  readonly raw: string;
  /** The service an account belongs to; required for `service-user-id`. */
  readonly service?: string;
  readonly label?: string;
  /** ISO date, YYYY-MM-DD. */
  readonly since?: string;
}

export type RegisterParse =
  | { readonly ok: true; readonly entries: RegisterEntry[] }
  | { readonly ok: false; readonly problems: Problem[] };

export interface RegisterLimits {
  /** Entries (rows) a register may hold. Default 1,000,000. */
  readonly maxEntries?: number;
}

export const MAX_REGISTER_ENTRIES = 1_000_000;
/** Problems reported before parsing stops: enough to fix a file by, not a copy of a broken one. */
export const MAX_REGISTER_PROBLEMS = 100;
export const REGISTER_FORMAT = 'conduit.register/1';

const MAX_REFERENCE = 200;
const MAX_SERVICE = 200;
const MAX_VALUE = 2048;
const MAX_LABEL = 1000;

const FIELDS = ['reference', 'kind', 'value', 'service', 'label', 'since'] as const;
type Field = (typeof FIELDS)[number];
const REQUIRED: readonly Field[] = ['reference', 'kind', 'value'];

/**
 * An agency's register, read whole: every problem is collected (up to MAX_REGISTER_PROBLEMS), each naming
 * its place — `row 3/value` in CSV (file line, the header being row 1), a JSON pointer such as
 * `/entries/2/value` in JSON — and bad input never throws.
 *
 * - CSV: a header row naming the columns `reference,kind,value[,service][,label][,since]` in any order
 *   and any case; a UTF-8 BOM is dropped, blank lines are skipped, fields are trimmed, RFC 4180 quoting.
 * - JSON: `{ "format": "conduit.register/1", "entries": [...] }` or a bare array of entries.
 *
 * Blank text is an empty register. Entries repeating (kind, value, service, reference) are kept once.
 */
export function parseRegister(
  text: string,
  format: 'csv' | 'json',
  limits: RegisterLimits = {},
): RegisterParse {
  const max = limits.maxEntries ?? MAX_REGISTER_ENTRIES;
  const sink = new Sink();
  const entries = new Entries();
  if (text.replace(/^\uFEFF/, '').trim() !== '') {
    if (format === 'csv') readCsv(text, max, sink, entries);
    else readJson(text, max, sink, entries);
  }
  return sink.problems.length > 0
    ? { ok: false, problems: sink.problems }
    : { ok: true, entries: entries.list };
}

/** Problems, capped. */
class Sink {
  readonly problems: Problem[] = [];
  get full(): boolean {
    return this.problems.length >= MAX_REGISTER_PROBLEMS;
  }
  add(code: ErrorCode, path: string, message: string): void {
    if (!this.full) this.problems.push(problem(code, path, message));
  }
}

/** Entries, each (kind, value, service, reference) once, in first-seen order. */
class Entries {
  readonly list: RegisterEntry[] = [];
  private readonly seen = new Set<string>();
  add(e: RegisterEntry): void {
    const key = `${e.kind}\u0000${e.value}\u0000${e.service ?? ''}\u0000${e.reference}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push(e);
  }
}

// ---------------------------------------------------------------------------------------------- CSV

function readCsv(text: string, max: number, sink: Sink, entries: Entries): void {
  let records: string[][];
  const lines: number[] = [];
  try {
    records = parseCsv(text, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      // The header, the limit, and one more to tell that the limit was passed; the rest is not parsed.
      to: max + 2,
      on_record: (record, context) => {
        lines.push(context.lines);
        return record;
      },
    });
  } catch (e) {
    sink.add('malformed_input', '', `not valid CSV: ${(e as Error).message}`);
    return;
  }
  const [head, ...rows] = records;
  if (!head) return;
  const columns = csvHeader(head, `row ${lines[0] ?? 1}`, sink);
  if (!columns) return;
  // Refused before any value is normalised, which would double the time spent on a file refused anyway.
  if (rows.length > max) {
    sink.add('too_large', `row ${lines[max + 1] ?? max + 2}`, `a register holds at most ${max} entries`);
    return;
  }
  const width = head.length;
  for (const [i, record] of rows.entries()) {
    if (sink.full) return;
    const row = `row ${lines[i + 1] ?? i + 2}`;
    if (record.length !== width) {
      sink.add('schema_violation', row, `${record.length} fields, the header has ${width}`);
      continue;
    }
    const field = (f: Field): string | undefined => {
      const c = columns.get(f);
      const v = c === undefined ? '' : (record[c] ?? '');
      return v === '' ? undefined : v;
    };
    const e = entry(
      {
        reference: field('reference') ?? '',
        kind: field('kind') ?? '',
        value: field('value') ?? '',
        service: field('service'),
        label: field('label'),
        since: field('since'),
      },
      (f) => `${row}/${f}`,
      sink,
    );
    if (e) entries.add(e);
  }
}

function csvHeader(record: readonly string[], row: string, sink: Sink): Map<Field, number> | undefined {
  const columns = new Map<Field, number>();
  let bad = false;
  record.forEach((name, i) => {
    const n = name.trim().toLowerCase();
    if (!(FIELDS as readonly string[]).includes(n)) {
      sink.add('schema_violation', `${row}/${name}`, `unknown column; the columns are ${FIELDS.join(',')}`);
      bad = true;
    } else if (columns.has(n as Field)) {
      sink.add('schema_violation', `${row}/${n}`, 'column repeated');
      bad = true;
    } else columns.set(n as Field, i);
  });
  for (const f of REQUIRED)
    if (!columns.has(f)) {
      sink.add('schema_violation', `${row}/${f}`, 'required column missing');
      bad = true;
    }
  return bad ? undefined : columns;
}

// --------------------------------------------------------------------------------------------- JSON

const Envelope = Type.Object(
  { format: Type.Literal(REGISTER_FORMAT), entries: Type.Array(Type.Unknown()) },
  { additionalProperties: false },
);

// Types only: emptiness, lengths and kinds are checked by `entry`, with the same messages as for CSV.
const EntrySchema = Type.Object(
  {
    reference: Type.String(),
    kind: Type.String(),
    value: Type.String(),
    service: Type.Optional(Type.String()),
    label: Type.Optional(Type.String()),
    since: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

function readJson(text: string, max: number, sink: Sink, entries: Entries): void {
  let input: unknown;
  try {
    input = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    sink.add('malformed_input', '', `not valid JSON: ${(e as Error).message}`);
    return;
  }
  let list: readonly unknown[];
  let base: string;
  if (Array.isArray(input)) {
    list = input;
    base = '';
  } else if (Value.Check(Envelope, input)) {
    list = input.entries;
    base = '/entries';
  } else {
    schemaProblems(Value.Errors(Envelope, input), '', sink);
    return;
  }
  if (list.length > max) {
    sink.add('too_large', `${base}/${max}`, `a register holds at most ${max} entries`);
    return;
  }
  for (const [i, item] of list.entries()) {
    if (sink.full) return;
    const at = `${base}/${i}`;
    if (!Value.Check(EntrySchema, item)) {
      schemaProblems(Value.Errors(EntrySchema, item), at, sink);
      continue;
    }
    const e = entry(item, (f) => `${at}/${f}`, sink);
    if (e) entries.add(e);
  }
}

/** One problem a field: a missing property is also reported as not a string, which says nothing more. */
function schemaProblems(errors: Iterable<ValueError>, at: string, sink: Sink): void {
  const paths = new Set<string>();
  for (const e of errors) {
    if (sink.full) return;
    const path = `${at}${e.path}` || '/';
    if (paths.has(path)) continue;
    paths.add(path);
    sink.add('schema_violation', path, e.message);
  }
}

// ------------------------------------------------------------------------------------------ Entries

interface Fields {
  readonly reference: string;
  readonly kind: string;
  readonly value: string;
  readonly service?: string | undefined;
  readonly label?: string | undefined;
  readonly since?: string | undefined;
}

/** One entry checked and normalised, or undefined with its problems in the sink. */
function entry(f: Fields, at: (f: Field) => string, sink: Sink): RegisterEntry | undefined {
  const before = sink.problems.length;
  const text = (name: Field, s: string | undefined, max: number): string | undefined => {
    const v = s?.normalize('NFC').trim();
    if (v !== undefined && v.length > max)
      sink.add('invalid_value', at(name), `longer than ${max} characters`);
    return v || undefined;
  };

  const reference = text('reference', f.reference, MAX_REFERENCE);
  if (reference === undefined) sink.add('invalid_value', at('reference'), 'required');
  const service = text('service', f.service, MAX_SERVICE);
  const label = text('label', f.label, MAX_LABEL);

  let since: string | undefined;
  if (f.since !== undefined && f.since.trim() !== '') {
    since = parseDate(f.since);
    if (since === undefined) sink.add('invalid_date', at('since'), 'expected a date as YYYY-MM-DD');
  }

  const kindText = f.kind.trim().toLowerCase();
  const kind = (REGISTER_KINDS as readonly string[]).includes(kindText)
    ? (kindText as RegisterKind)
    : undefined;
  if (kind === undefined)
    sink.add('invalid_value', at('kind'), `expected one of ${REGISTER_KINDS.join(', ')}`);

  let value: string | undefined;
  if (f.value.trim() === '') sink.add('invalid_value', at('value'), 'required');
  else if (f.value.length > MAX_VALUE)
    sink.add('invalid_value', at('value'), `longer than ${MAX_VALUE} characters`);
  else if (kind !== undefined) {
    const v = canonical(kind, f.value, service);
    if (v.ok) value = v.value;
    else sink.add(v.code, at(v.field), v.message);
  }

  if (sink.problems.length > before || reference === undefined || kind === undefined || value === undefined)
    return undefined;
  return {
    reference,
    kind,
    value,
    raw: f.value,
    ...(service !== undefined && { service }),
    ...(label !== undefined && { label }),
    ...(since !== undefined && { since }),
  };
}

type Canonical =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly code: ErrorCode; readonly field: Field; readonly message: string };

const bad = (code: ErrorCode, message: string, field: Field = 'value'): Canonical => ({
  ok: false,
  code,
  field,
  message,
});

// A device id may carry its type as the referral's `idType` does (`IMEI:…`, `Android ID:…`): the prefix
// is at least three characters so that a bare MAC address (`00:1a:…`) is never read as one.
const TYPED_DEVICE_ID = /^([A-Za-z][A-Za-z0-9 _-]{2,}):(.+)$/s;

/** The value as the normalise stage writes identifiers of this kind, or why it cannot be one. */
function canonical(kind: RegisterKind, raw: string, service: string | undefined): Canonical {
  switch (kind) {
    case 'email': {
      const n = normaliseEmail(raw, { providerRules: true });
      return n.facts?.valid === false
        ? bad('invalid_email', 'not an e-mail address')
        : { ok: true, value: n.value };
    }
    case 'phone': {
      // The register has no country column, so only a number with its calling code can be placed.
      if (!raw.trim().startsWith('+'))
        return bad('invalid_value', 'needs international form: + and the country calling code');
      const n = normalisePhone(raw);
      // libphonenumber rejects some numbers it can still place (fiction ranges among them): those match
      // a referral's number as well as any, so only a number it cannot read at all is refused.
      return /^\+[1-9]\d{1,14}$/.test(n.value) && n.facts?.country !== undefined
        ? { ok: true, value: n.value }
        : bad('invalid_value', 'not a phone number');
    }
    case 'screen-name': {
      const n = normaliseScreenName(raw);
      return n.value ? { ok: true, value: n.value } : bad('invalid_value', 'required');
    }
    case 'service-user-id': {
      if (service === undefined) return bad('invalid_value', 'required for a service-user-id', 'service');
      return { ok: true, value: normaliseText(raw).value };
    }
    case 'device-id': {
      const typed = TYPED_DEVICE_ID.exec(raw.trim());
      const n = typed ? normaliseDeviceId(typed[1] ?? '', typed[2] ?? '') : normaliseDeviceId('unknown', raw);
      return { ok: true, value: n.value };
    }
    case 'ip': {
      const n = normaliseIp(raw);
      return n.facts?.valid === false ? bad('invalid_ip', 'not an IP address') : { ok: true, value: n.value };
    }
  }
}
