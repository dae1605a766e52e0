import type { Readable } from 'node:stream';
import { jsonParser } from 'stream-json/parser.js';
import { problem, type Problem } from '../domain/errors.ts';
import { mapCategory, type Scheme } from './categories.ts';
import { parseFlag, parseHex, type EntryHashKind, type ReadItem } from './entry.ts';

/** What the context URI says: version, profile (2.0) and whether the file is a hash set or a case export. */
export interface VicsContext {
  readonly version: string;
  readonly profile: string | null;
  readonly shape: 'Media' | 'Cases';
}

const CONTEXT_KEYS = new Set(['odata.metadata', '@odata.context']);
const CONTEXT = /DataModels\/(\d+\.\d+)\.xml(?:\/([A-Za-z]+)\/\$metadata)?#(Media|Cases)$/;

export function parseVicsContext(uri: string): VicsContext | undefined {
  const m = CONTEXT.exec(uri.trim());
  if (!m) return undefined;
  return { version: m[1] ?? '', profile: m[2] ?? null, shape: m[3] === 'Cases' ? 'Cases' : 'Media' };
}

/** The scheme a VICS file's categories belong to: 1.x and the US/Default profiles use the US codes. */
export function vicsScheme(ctx: VicsContext): Scheme {
  switch ((ctx.profile ?? 'US').toUpperCase()) {
    case 'US':
    case 'DEFAULT':
      return 'vics-us';
    case 'UK':
      return 'vics-uk';
    default:
      return 'vics-custom';
  }
}

interface Token {
  readonly name: string;
  readonly value?: unknown;
}

/** Builds one JSON value (a Media object) from packed tokens; small by nature, so held whole. */
class Builder {
  private readonly stack: (Record<string, unknown> | unknown[])[] = [];
  private readonly keys: (string | null)[] = [];
  done = false;
  value: unknown;

  consume(t: Token): void {
    switch (t.name) {
      case 'startObject':
        this.stack.push({});
        this.keys.push(null);
        return;
      case 'startArray':
        this.stack.push([]);
        this.keys.push(null);
        return;
      case 'endObject':
      case 'endArray':
        this.keys.pop();
        this.add(this.stack.pop());
        return;
      case 'keyValue':
        this.keys[this.keys.length - 1] = t.value as string;
        return;
      case 'stringValue':
      case 'nullValue':
      case 'trueValue':
      case 'falseValue':
        this.add(t.value ?? null);
        return;
      case 'numberValue':
        this.add(Number(t.value));
        return;
      default:
        return;
    }
  }

  private add(v: unknown): void {
    const top = this.stack[this.stack.length - 1];
    if (top === undefined) {
      this.done = true;
      this.value = v;
    } else if (Array.isArray(top)) top.push(v);
    else {
      const key = this.keys[this.keys.length - 1];
      // Own data property even for "__proto__": assigning would set the prototype.
      if (key !== null && key !== undefined)
        Object.defineProperty(top, key, { value: v, enumerable: true, writable: true, configurable: true });
    }
  }
}

const isStart = (n: string) => n === 'startObject' || n === 'startArray';
const isEnd = (n: string) => n === 'endObject' || n === 'endArray';

/**
 * The stream-chain protocol's "no more input" value: the bare tokenizer flushes when fed it. A registered
 * symbol, so it is the same one stream-json compares with (stream-chain is not a direct dependency).
 */
const END_OF_INPUT = Symbol.for('object-stream.none');
type Tokenizer = (chunk: string | symbol) => unknown;

/** The tokens of one call: the protocol returns a `many` wrapper, a single token, or nothing. */
function tokensOf(r: unknown): readonly Token[] {
  if (typeof r !== 'object' || r === null) return [];
  const values = (r as { values?: unknown }).values;
  return Array.isArray(values) ? (values as Token[]) : [r as Token];
}

/**
 * Reads a VICS 1.x / 2.0 hash set (`#Media`) or case export (`#Cases`, Media nested in each case) as a
 * stream of entries, holding one Media object at a time: memory does not grow with the file. A leading BOM
 * is dropped. The context key must come before `value` (as OData writers put it), since it decides the
 * shape and the category scheme. `scheme` overrides the scheme the profile implies.
 *
 * The tokenizer is driven directly, chunk by chunk, rather than as an object-mode stream: a stream step per
 * token cost more than the parsing itself.
 */
export async function* readVics(input: Readable, opts: { scheme?: Scheme } = {}): AsyncGenerator<ReadItem> {
  const tokenize = jsonParser({ streamValues: false }) as Tokenizer;
  const decoder = new TextDecoder('utf-8');
  const walker = vicsWalker(opts.scheme);
  let out: ReadItem[] = [];
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      for (const t of tokensOf(tokenize(decoder.decode(chunk, { stream: true })))) {
        if (walker.token(t, out) === 'stop') return yield* out;
      }
      yield* out;
      out = [];
    }
    const rest = decoder.decode();
    for (const t of [...tokensOf(tokenize(rest)), ...tokensOf(tokenize(END_OF_INPUT))])
      if (walker.token(t, out) === 'stop') return yield* out;
  } catch (e) {
    yield* out;
    yield {
      kind: 'problem',
      problem: problem('malformed_input', walker.path(), `not valid JSON: ${(e as Error).message}`),
    };
    return;
  } finally {
    input.destroy();
  }
  walker.end(out);
  yield* out;
}

/** The state machine over the tokens: where in the document we are, and the Media object being built. */
function vicsWalker(override: Scheme | undefined) {
  let depth = 0;
  let skip = 0;
  let key: string | null = null;
  let context: VicsContext | undefined;
  let scheme: Scheme = 'vics-us';
  let item = 0;
  let inCase = -1;
  let media = 0;
  let builder: Builder | null = null;
  let path = '';
  let sawRoot = false;
  const fail = (out: ReadItem[], p: Problem): 'stop' => {
    out.push({ kind: 'problem', problem: p });
    return 'stop';
  };
  const startMedia = (t: Token, at: string) => {
    path = at;
    builder = new Builder();
    builder.consume(t);
  };

  return {
    path: () => path,
    end(out: ReadItem[]) {
      if (!sawRoot)
        out.push({ kind: 'problem', problem: problem('unsupported_format', '', 'the file is empty') });
      else if (!context)
        out.push({
          kind: 'problem',
          problem: problem(
            'unsupported_format',
            '',
            'no "odata.metadata" or "@odata.context": not a VICS file',
          ),
        });
    },
    token(t: Token, out: ReadItem[]): 'stop' | undefined {
      if (builder) {
        builder.consume(t);
        if (builder.done) {
          mediaItems(builder.value, path, scheme, out);
          builder = null;
        }
        return;
      }
      if (skip > 0) {
        if (isStart(t.name)) skip++;
        else if (isEnd(t.name)) skip--;
        return;
      }
      switch (depth) {
        case 0:
          if (t.name !== 'startObject')
            return fail(out, problem('unsupported_format', '', 'not a VICS file: expected a JSON object'));
          sawRoot = true;
          depth = 1;
          return;
        case 1:
          if (t.name === 'keyValue') key = t.value as string;
          else if (t.name === 'stringValue' && key !== null && CONTEXT_KEYS.has(key)) {
            context = parseVicsContext(t.value as string);
            if (!context)
              return fail(
                out,
                problem(
                  'unsupported_format',
                  `/${key}`,
                  `not a VICS data model URI: ${String(t.value).slice(0, 200)}`,
                ),
              );
            scheme = override ?? vicsScheme(context);
          } else if (t.name === 'startArray' && key === 'value') {
            if (!context)
              return fail(
                out,
                problem(
                  'unsupported_format',
                  '/value',
                  'no "odata.metadata" or "@odata.context" before "value"',
                ),
              );
            depth = 2;
          } else if (isStart(t.name)) skip = 1;
          else if (t.name === 'endObject') depth = 0;
          return;
        case 2:
          if (t.name === 'endArray') depth = 1;
          else if (t.name === 'startObject' && context?.shape === 'Cases') {
            inCase = item++;
            media = 0;
            key = null;
            depth = 3;
          } else if (t.name === 'startObject') startMedia(t, `/value/${item++}`);
          else {
            out.push({
              kind: 'problem',
              problem: problem('schema_violation', `/value/${item++}`, 'not an object'),
            });
            if (isStart(t.name)) skip = 1;
          }
          return;
        case 3:
          if (t.name === 'keyValue') key = t.value as string;
          else if (t.name === 'startArray' && key === 'Media') depth = 4;
          else if (isStart(t.name)) skip = 1;
          else if (t.name === 'endObject') depth = 2;
          return;
        default:
          if (t.name === 'endArray') depth = 3;
          else if (t.name === 'startObject') startMedia(t, `/value/${inCase}/Media/${media++}`);
          else {
            const at = `/value/${inCase}/Media/${media++}`;
            out.push({ kind: 'problem', problem: problem('schema_violation', at, 'not an object') });
            if (isStart(t.name)) skip = 1;
          }
          return;
      }
    },
  };
}

const ALTERNATIVE: Readonly<Record<string, EntryHashKind>> = {
  md5: 'md5',
  sha1: 'sha1',
  'sha-1': 'sha1',
  sha256: 'sha256',
  'sha-256': 'sha256',
  pdq: 'pdq',
};

/** One Media object → an entry, or the problems that refuse it, or a skip when it has no usable hash. */
function mediaItems(value: unknown, path: string, scheme: Scheme, out: ReadItem[]): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    out.push({ kind: 'problem', problem: problem('schema_violation', path, 'not an object') });
    return;
  }
  const m = value as Record<string, unknown>;
  const problems: Problem[] = [];
  const hashes: Record<EntryHashKind, string | null> = { md5: null, sha1: null, sha256: null, pdq: null };
  let photoDna = false;
  const take = (kind: EntryHashKind, raw: unknown, at: string) => {
    if (raw === null || raw === undefined || raw === '') return;
    const hex = typeof raw === 'string' ? parseHex(kind, raw) : undefined;
    if (hex === undefined) problems.push(problem('invalid_value', at, `not a ${kind.toUpperCase()} hash`));
    else hashes[kind] ??= hex;
  };
  take('md5', m.MD5, `${path}/MD5`);
  take('sha1', m.SHA1, `${path}/SHA1`);
  take('sha256', m.SHA256, `${path}/SHA256`);
  if (typeof m.PhotoDNA === 'string' && m.PhotoDNA !== '') photoDna = true;
  if (Array.isArray(m.AlternativeHashes))
    m.AlternativeHashes.forEach((a: unknown, i) => {
      if (typeof a !== 'object' || a === null) return;
      const alt = a as Record<string, unknown>;
      const name = typeof alt.HashName === 'string' ? alt.HashName.trim().toLowerCase() : '';
      if (name === 'photodna') photoDna = true;
      const kind = ALTERNATIVE[name];
      if (kind) take(kind, alt.HashValue, `${path}/AlternativeHashes/${i}/HashValue`);
    });

  let code: string | null = null;
  const c = m.Category;
  if (typeof c === 'number' && Number.isInteger(c)) code = String(c);
  else if (typeof c === 'string' && c.trim() !== '') code = c.trim();
  else if (c !== null && c !== undefined && c !== '')
    problems.push(problem('invalid_value', `${path}/Category`, 'not a category code'));

  const victim = parseFlag(m.VictimIdentified);
  if (victim === undefined)
    problems.push(problem('invalid_value', `${path}/VictimIdentified`, 'not a flag: expected true or false'));

  if (photoDna) out.push({ kind: 'ignored', what: 'PhotoDNA' });
  if (problems.length) {
    for (const p of problems) out.push({ kind: 'problem', problem: p });
    return;
  }
  if (!hashes.md5 && !hashes.sha1 && !hashes.sha256 && !hashes.pdq) {
    out.push({ kind: 'skipped', reason: photoDna ? 'PhotoDNA only' : 'no hash' });
    return;
  }
  const id = m.MediaID;
  const series = typeof m.Series === 'string' && m.Series.trim() !== '' ? m.Series.trim() : null;
  out.push({
    kind: 'entry',
    entry: {
      entry: typeof id === 'number' || (typeof id === 'string' && id !== '') ? String(id) : path,
      ...hashes,
      pdqQuality: null,
      category: mapCategory(scheme, code),
      sourceScheme: scheme,
      sourceCode: code,
      series,
      victimIdentified: victim ?? null,
    },
  });
}
