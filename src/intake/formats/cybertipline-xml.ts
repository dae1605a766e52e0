/**
 * A small, strict, non-validating XML 1.0 reader for CyberTipline documents.
 *
 * Why not fast-xml-parser: on a typical report it costs ~200 µs before any checking, and it is
 * lenient (it needs its separate validator pass to reject mismatched tags). CyberTipline documents use
 * only elements, attributes, character data, CDATA, comments and processing instructions, so a reader
 * for exactly that is short, rejects everything else as not well-formed, and is 5-10× faster.
 * DTDs are refused outright: no entity other than the five predefined ones and character references
 * is ever expanded.
 */
import { problem, type Problem } from '../../domain/errors.ts';

/** A converted simple value, stored by the schema check for the mapper. */
export type Scalar = string | number | boolean;

export interface XmlAttr {
  readonly name: string;
  /** After attribute-value normalisation and reference decoding. */
  readonly value: string;
  /** Set by the schema check when the value is valid for its declared type. */
  typed: Scalar | undefined;
}

export interface XmlElement {
  readonly name: string;
  readonly attrs: readonly XmlAttr[];
  readonly children: readonly XmlElement[];
  /**
   * Character data directly inside the element (CDATA included, references decoded), up to its first
   * child element: all of it for elements with simple content.
   */
  readonly text: string;
  /**
   * Whether the element holds character data that element-only content may not: non-white-space text
   * after a child element, or any CDATA section.
   */
  readonly mixed: boolean;
  /** Offset of the element's `<` in the (line-end normalised) input, for line numbers in messages. */
  readonly offset: number;
  /** Set by the schema check when the element has simple content that is valid for its type. */
  value: Scalar | undefined;
  /** Set by the schema check: the element's position among its same-named siblings (for paths). */
  index: number;
}

interface MutableElement {
  readonly name: string;
  readonly attrs: readonly XmlAttr[];
  readonly children: MutableElement[];
  text: string;
  mixed: boolean;
  readonly offset: number;
  value: Scalar | undefined;
  index: number;
}

export type ReadResult =
  | { readonly ok: true; readonly root: XmlElement; readonly source: string }
  | { readonly ok: false; readonly problem: Problem };

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const DOCTYPE = /<!DOCTYPE/i;
// XML 1.0 §2.2 Char: C0 controls other than tab/LF/CR, U+FFFE/U+FFFF and unpaired surrogates are not allowed.
// One cheap pass finds any candidate (surrogates included); paired surrogates are then let through.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const SUSPECT_CHAR = /[\x00-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/g;
const LINE_END = /\r\n?/g;
const ATTR_WS = /[\t\n]/g;
const XML_DECL =
  /^<\?xml\s+version\s*=\s*(["'])1\.[0-9]+\1(?:\s+encoding\s*=\s*(["'])([A-Za-z][A-Za-z0-9._-]*)\2)?(?:\s+standalone\s*=\s*(["'])(?:yes|no)\4)?\s*\?>/;
const DEC_REF = /^#[0-9]+$/;
const HEX_REF = /^#x[0-9a-fA-F]+$/;
const NO_ATTRS: readonly XmlAttr[] = [];

/**
 * Decodes and reads one XML document. `path` names the document in problems (`/report`, `/fileDetails[1]`).
 * Problems: `malformed_input` (invalid UTF-8, not well-formed, not UTF-8 per its declaration) or
 * `doctype_forbidden`. Schema checks are not done here.
 */
export function readXml(input: Buffer | string, path: string): ReadResult {
  let s: string;
  if (typeof input === 'string') {
    s = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  } else {
    try {
      s = UTF8.decode(input); // strips a UTF-8 byte-order mark
    } catch {
      return { ok: false, problem: problem('malformed_input', path, 'the document is not valid UTF-8') };
    }
  }
  // Before any parsing: a DTD is where entity-expansion and external-entity attacks live.
  if (DOCTYPE.test(s)) {
    return {
      ok: false,
      problem: problem(
        'doctype_forbidden',
        path,
        'a <!DOCTYPE> declaration is not accepted (entities are never expanded)',
      ),
    };
  }
  // XML 1.0 §2.11: line ends are normalised before parsing; line numbers are unchanged by this.
  if (s.includes('\r')) s = s.replace(LINE_END, '\n');
  const bad = forbiddenChar(s);
  if (bad >= 0) {
    return {
      ok: false,
      problem: malformed(path, s, bad, `character U+${hex4(s.charCodeAt(bad))} is not allowed in XML`),
    };
  }
  return new Reader(s, path).read();
}

/** The offset of the first character XML does not allow, or -1. */
function forbiddenChar(s: string): number {
  SUSPECT_CHAR.lastIndex = 0;
  for (let m = SUSPECT_CHAR.exec(s); m !== null; m = SUSPECT_CHAR.exec(s)) {
    const i = m.index;
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        SUSPECT_CHAR.lastIndex = i + 2; // a valid pair
        continue;
      }
    }
    return i;
  }
  return -1;
}

/** Removes XML white space (space, tab, LF, CR) at both ends: the `collapse` facet for single tokens. */
export function xmlTrim(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isWs(s.charCodeAt(a))) a++;
  while (b > a && isWs(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** 1-based line of an offset, for messages. */
export function lineOf(s: string, offset: number): number {
  let line = 1;
  for (let i = s.indexOf('\n'); i >= 0 && i < offset; i = s.indexOf('\n', i + 1)) line++;
  return line;
}

/** Line numbers for many offsets of one text: the line ends are found once, on first use. */
export class Lines {
  private ends: number[] | undefined;

  constructor(private readonly s: string) {}

  of(offset: number): number {
    if (this.ends === undefined) {
      this.ends = [];
      for (let i = this.s.indexOf('\n'); i >= 0; i = this.s.indexOf('\n', i + 1)) this.ends.push(i);
    }
    // The number of line ends before `offset`, plus one.
    let lo = 0;
    let hi = this.ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ends[mid] as number) < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  }
}

function malformed(path: string, s: string, offset: number, message: string): Problem {
  const line = lineOf(s, offset);
  const col = offset - s.lastIndexOf('\n', offset - 1);
  return problem('malformed_input', path, `not well-formed XML at line ${line}, column ${col}: ${message}`);
}

function hex4(c: number): string {
  return c.toString(16).toUpperCase().padStart(4, '0');
}

function hasNonWs(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isWs(s.charCodeAt(i))) return true;
  return false;
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

// XML 1.0 (5th ed.) §2.3 NameStartChar / NameChar. Astral characters arrive as surrogate pairs: both
// halves are accepted (pairing was checked up front).
/** ASCII name characters: 1 = NameChar, 2 = also NameStartChar. */
const ASCII_NAME = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const start = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a;
  ASCII_NAME[c] = start ? 2 : (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e ? 1 : 0;
}

function isNameStart(c: number): boolean {
  if (c < 0x80) return ASCII_NAME[c] === 2;
  return (
    (c >= 0xc0 && c <= 0xd6) ||
    (c >= 0xd8 && c <= 0xf6) ||
    (c >= 0xf8 && c <= 0x2ff) ||
    (c >= 0x370 && c <= 0x37d) ||
    (c >= 0x37f && c <= 0x1fff) ||
    (c >= 0x200c && c <= 0x200d) ||
    (c >= 0x2070 && c <= 0x218f) ||
    (c >= 0x2c00 && c <= 0x2fef) ||
    (c >= 0x3001 && c <= 0xdfff) ||
    (c >= 0xf900 && c <= 0xfdcf) ||
    (c >= 0xfdf0 && c <= 0xfffd)
  );
}

function isNameChar(c: number): boolean {
  if (c < 0x80) return ASCII_NAME[c] !== 0;
  return c === 0xb7 || (c >= 0x300 && c <= 0x36f) || (c >= 0x203f && c <= 0x2040) || isNameStart(c);
}

function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** One pass over the input; the first well-formedness error ends it (`err`). */
class Reader {
  private err: Problem | undefined;

  constructor(
    private readonly s: string,
    private readonly path: string,
  ) {}

  read(): ReadResult {
    const s = this.s;
    const n = s.length;
    let pos = 0;
    if (s.startsWith('<?xml') && isWs(s.charCodeAt(5))) {
      const decl = XML_DECL.exec(s);
      if (!decl) return this.fail(0, 'malformed XML declaration');
      const enc = decl[3];
      if (enc !== undefined && enc.toLowerCase() !== 'utf-8') {
        return this.fail(0, `encoding "${enc}" is not supported: CyberTipline documents are UTF-8`);
      }
      pos = decl[0].length;
    }
    const stack: MutableElement[] = [];
    let cur: MutableElement | undefined;
    let root: MutableElement | undefined;
    while (pos < n) {
      const lt = s.indexOf('<', pos);
      const end = lt < 0 ? n : lt;
      if (end > pos) {
        if (cur === undefined) {
          for (let i = pos; i < end; i++) {
            if (!isWs(s.charCodeAt(i))) {
              return this.fail(i, root ? 'text after the root element' : 'text before the root element');
            }
          }
        } else if (cur.children.length === 0) {
          const t = this.charData(pos, end);
          if (t === undefined) return this.failed();
          cur.text = cur.text === '' ? t : cur.text + t;
        } else {
          // Between child elements only "is there any text" matters (it must still be well-formed).
          if (hasNonWs(s, pos, end)) {
            if (this.charData(pos, end) === undefined) return this.failed();
            cur.mixed = true;
          }
        }
      }
      if (lt < 0) break;
      const c = s.charCodeAt(lt + 1);
      if (c === 0x2f) {
        // End tag.
        if (cur === undefined) return this.fail(lt, 'end tag without a start tag');
        const nameStart = lt + 2;
        const gt = s.indexOf('>', nameStart);
        // Fast path for the usual `</name>`; anything else (white space, mismatch) is looked at closely.
        if (gt - nameStart !== cur.name.length || s.slice(nameStart, gt) !== cur.name) {
          const nameEnd = this.nameEnd(nameStart);
          if (nameEnd === nameStart) return this.fail(nameStart, 'invalid end tag');
          const endName = s.slice(nameStart, nameEnd);
          if (endName !== cur.name)
            return this.fail(lt, `end tag </${endName}> does not match <${cur.name}>`);
          let p = nameEnd;
          while (isWs(s.charCodeAt(p))) p++;
          if (p !== gt) return this.fail(p, `expected ">" to close </${cur.name}>`);
        }
        stack.pop();
        cur = stack[stack.length - 1];
        pos = gt + 1;
      } else if (c === 0x21) {
        if (s.startsWith('<!--', lt)) {
          const close = s.indexOf('--', lt + 4);
          if (close < 0) return this.fail(lt, 'comment is not closed');
          if (s.charCodeAt(close + 2) !== 0x3e)
            return this.fail(close, '"--" is not allowed inside a comment');
          pos = close + 3;
        } else if (s.startsWith('<![CDATA[', lt)) {
          if (cur === undefined) return this.fail(lt, 'CDATA section outside the root element');
          const close = s.indexOf(']]>', lt + 9);
          if (close < 0) return this.fail(lt, 'CDATA section is not closed');
          if (cur.children.length === 0) cur.text += s.slice(lt + 9, close);
          // libxml2 counts any CDATA section, even white space, as text where only elements may appear.
          cur.mixed = true;
          pos = close + 3;
        } else {
          return this.fail(lt, 'markup declarations are not allowed');
        }
      } else if (c === 0x3f) {
        // Processing instruction: ignored, but must be well-formed.
        const nameStart = lt + 2;
        const nameEnd = this.nameEnd(nameStart);
        if (nameEnd === nameStart) return this.fail(nameStart, 'invalid processing instruction');
        if (nameEnd - nameStart === 3 && s.slice(nameStart, nameEnd).toLowerCase() === 'xml') {
          return this.fail(lt, 'the XML declaration is only allowed at the very start');
        }
        const close = s.indexOf('?>', nameEnd);
        if (close < 0) return this.fail(lt, 'processing instruction is not closed');
        if (close !== nameEnd && !isWs(s.charCodeAt(nameEnd)))
          return this.fail(nameEnd, 'invalid processing instruction');
        pos = close + 2;
      } else {
        // Start tag.
        const nameStart = lt + 1;
        const nameEnd = this.nameEnd(nameStart);
        if (nameEnd === nameStart) return this.fail(nameStart, '"<" must start a tag (write &lt; in text)');
        if (cur === undefined && root !== undefined) return this.fail(lt, 'a second root element');
        const name = s.slice(nameStart, nameEnd);
        let attrs = NO_ATTRS;
        let seen: Set<string> | undefined;
        let p = nameEnd;
        let selfClosing = false;
        for (;;) {
          const before = p;
          while (isWs(s.charCodeAt(p))) p++;
          const d = s.charCodeAt(p);
          if (d === 0x3e) {
            p++;
            break;
          }
          if (d === 0x2f) {
            if (s.charCodeAt(p + 1) !== 0x3e) return this.fail(p, 'expected "/>"');
            p += 2;
            selfClosing = true;
            break;
          }
          if (p === n) return this.fail(lt, `start tag <${name}> is not closed`);
          if (p === before) return this.fail(p, 'expected white space before an attribute');
          const attrEnd = this.nameEnd(p);
          if (attrEnd === p) return this.fail(p, `invalid attribute in <${name}>`);
          const attrName = s.slice(p, attrEnd);
          p = attrEnd;
          while (isWs(s.charCodeAt(p))) p++;
          if (s.charCodeAt(p) !== 0x3d) return this.fail(p, `expected "=" after attribute ${attrName}`);
          p++;
          while (isWs(s.charCodeAt(p))) p++;
          const q = s.charCodeAt(p);
          if (q !== 0x22 && q !== 0x27)
            return this.fail(p, `the value of attribute ${attrName} must be quoted`);
          const close = s.indexOf(q === 0x22 ? '"' : "'", p + 1);
          if (close < 0) return this.fail(p, `the value of attribute ${attrName} is not closed`);
          const value = this.attrValue(p + 1, close);
          if (value === undefined) return this.failed();
          if (attrs === NO_ATTRS) attrs = [];
          // A set only for elements with many attributes, so hostile input cannot make this quadratic.
          if (attrs.length < 8) {
            for (const a of attrs)
              if (a.name === attrName) return this.fail(p, `attribute ${attrName} is repeated`);
          } else {
            seen ??= new Set(attrs.map((a) => a.name));
            if (seen.has(attrName)) return this.fail(p, `attribute ${attrName} is repeated`);
            seen.add(attrName);
          }
          (attrs as XmlAttr[]).push({ name: attrName, value, typed: undefined });
          p = close + 1;
        }
        const el: MutableElement = {
          name,
          attrs,
          children: [],
          text: '',
          mixed: false,
          offset: lt,
          value: undefined,
          index: 0,
        };
        if (cur === undefined) root = el;
        else cur.children.push(el);
        if (!selfClosing) {
          stack.push(el);
          cur = el;
        }
        pos = p;
      }
    }
    if (cur !== undefined) return this.fail(n, `element <${cur.name}> is not closed`);
    if (root === undefined) return this.fail(n, 'no root element');
    return { ok: true, root, source: s };
  }

  /** Character data between markup: references decoded, `]]>` refused. */
  private charData(start: number, end: number): string | undefined {
    const raw = this.s.slice(start, end);
    const cdataEnd = raw.indexOf(']]>');
    if (cdataEnd >= 0) return this.failAt(start + cdataEnd, '"]]>" is not allowed in text');
    return raw.includes('&') ? this.decode(raw, start) : raw;
  }

  private attrValue(start: number, end: number): string | undefined {
    let raw = this.s.slice(start, end);
    const lt = raw.indexOf('<');
    if (lt >= 0) return this.failAt(start + lt, '"<" is not allowed in an attribute value');
    // XML 1.0 §3.3.3: literal tab/LF become spaces; ones written as references survive.
    if (raw.includes('\t') || raw.includes('\n')) raw = raw.replace(ATTR_WS, ' ');
    return raw.includes('&') ? this.decode(raw, start) : raw;
  }

  private decode(raw: string, base: number): string | undefined {
    let out = '';
    let from = 0;
    for (let amp = raw.indexOf('&'); amp >= 0; amp = raw.indexOf('&', from)) {
      out += raw.slice(from, amp);
      const semi = raw.indexOf(';', amp + 1);
      if (semi < 0) return this.failAt(base + amp, '"&" must start a reference (write &amp;)');
      const ref = raw.slice(amp + 1, semi);
      switch (ref) {
        case 'lt':
          out += '<';
          break;
        case 'gt':
          out += '>';
          break;
        case 'amp':
          out += '&';
          break;
        case 'quot':
          out += '"';
          break;
        case 'apos':
          out += "'";
          break;
        default: {
          const dec = DEC_REF.test(ref);
          if (!dec && !HEX_REF.test(ref)) {
            return this.failAt(
              base + amp,
              `reference &${ref.slice(0, 20)}; is not defined (no DTD is accepted)`,
            );
          }
          const cp = dec ? Number(ref.slice(1)) : parseInt(ref.slice(2), 16);
          if (!isXmlChar(cp)) return this.failAt(base + amp, `&${ref}; is not an allowed character`);
          out += String.fromCodePoint(cp);
        }
      }
      from = semi + 1;
    }
    return out + raw.slice(from);
  }

  private nameEnd(p: number): number {
    const s = this.s;
    if (!isNameStart(s.charCodeAt(p))) return p;
    let i = p + 1;
    for (let c = s.charCodeAt(i); c < 0x80 ? ASCII_NAME[c] !== 0 : isNameChar(c); c = s.charCodeAt(i)) i++;
    return i;
  }

  private failAt(offset: number, message: string): undefined {
    this.err = malformed(this.path, this.s, offset, message);
    return undefined;
  }

  private fail(offset: number, message: string): ReadResult {
    return { ok: false, problem: malformed(this.path, this.s, offset, message) };
  }

  private failed(): ReadResult {
    return { ok: false, problem: this.err ?? problem('malformed_input', this.path, 'not well-formed XML') };
  }
}
