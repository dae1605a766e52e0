import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { parseInstant } from '../../domain/ids.ts';
import {
  dateTimeValue,
  FILE_DETAILS,
  REPORT,
  simpleValue,
  XS_STRING,
  type AttrDecl,
  type Content,
  type ElementDecl,
  type Particle,
  type SimpleType,
} from './cybertipline-schema.ts';

const XSD = readFileSync(
  new URL('../../../../shared/reference/cybertipline/cyber_tipline.xsd', import.meta.url),
  'utf8',
);

/** A node of fast-xml-parser's `preserveOrder` output. */
type Node = Record<string, unknown>;

const nodes = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '' }).parse(
  XSD,
) as Node[];

function tagOf(n: Node): string {
  return Object.keys(n).find((k) => k !== ':@') ?? '';
}
function kids(n: Node): Node[] {
  return ((n[tagOf(n)] as Node[] | undefined) ?? []).filter(
    (k) => tagOf(k).startsWith('xs:') && tagOf(k) !== 'xs:annotation',
  );
}
function attrsOf(n: Node): Record<string, string> {
  return (n[':@'] as Record<string, string> | undefined) ?? {};
}
function kid(n: Node, tag: string): Node | undefined {
  return kids(n).find((k) => tagOf(k) === tag);
}

const schema = nodes.find((n) => tagOf(n) === 'xs:schema') as Node;
function global(tag: string): Map<string, Node> {
  return new Map(
    kids(schema)
      .filter((k) => tagOf(k) === tag)
      .map((k) => [attrsOf(k).name as string, k]),
  );
}
const ELEMENTS = global('xs:element');
const COMPLEX = global('xs:complexType');
const SIMPLE = global('xs:simpleType');

function occurs(v: string | undefined): number {
  return v === undefined ? 1 : v === 'unbounded' ? Number.POSITIVE_INFINITY : Number(v);
}

/** Checks that a simple type of the table is the XSD's `name` (a built-in or a named simple type). */
function compareSimple(name: string, t: SimpleType, fixed: string | undefined, where: string): void {
  expect(t.name, where).toBe(name);
  if (fixed !== undefined) expect([fixed, t.base], where).toEqual(['true', 'flag']);
  const simple = SIMPLE.get(name);
  if (simple === undefined) {
    expect(name.startsWith('xs:'), `${where}: unknown type ${name}`).toBe(true);
    return;
  }
  const restriction = kid(simple, 'xs:restriction') as Node;
  const enums = kids(restriction)
    .filter((k) => tagOf(k) === 'xs:enumeration')
    .map((k) => attrsOf(k).value);
  const pattern = kid(restriction, 'xs:pattern');
  if (enums.length > 0) {
    expect(t.base, where).toBe('enum');
    expect([...(t.values ?? [])].sort(), where).toEqual([...enums].sort());
  } else if (pattern !== undefined) {
    expect(t.pattern?.source, where).toBe(`^${attrsOf(pattern).value}$`);
  } else {
    expect(attrsOf(restriction).base, where).toBe('xs:double');
    expect(t.base, where).toBe('double');
  }
}

function compareAttrs(xsd: Node[], table: readonly AttrDecl[], where: string): void {
  const declared = xsd.filter((k) => tagOf(k) === 'xs:attribute').map((k) => attrsOf(k));
  expect(
    table.map((a) => a.name),
    where,
  ).toEqual(declared.map((a) => a.name));
  table.forEach((a, i) => {
    const d = declared[i] ?? {};
    compareSimple(d.type ?? '', a.type, undefined, `${where}/@${a.name}`);
    expect(a.required, `${where}/@${a.name}`).toBe(d.use === 'required');
  });
}

function compareParticles(xsd: Node[], table: readonly Particle[], where: string): void {
  expect(table.length, `${where}: particle count`).toBe(xsd.length);
  xsd.forEach((x, i) => {
    const p = table[i] as Particle;
    if (tagOf(x) === 'xs:choice') {
      expect(p.kind, where).toBe('choice');
      if (p.kind !== 'choice') return;
      expect([p.min, p.max], where).toEqual([occurs(attrsOf(x).minOccurs), occurs(attrsOf(x).maxOccurs)]);
      compareParticles(kids(x), p.options, `${where}/(choice)`);
    } else {
      expect(p.kind, where).toBe('element');
      if (p.kind === 'element') compareElement(x, p, where);
    }
  });
}

function compareContent(
  typeName: string | undefined,
  inline: Node | undefined,
  fixed: string | undefined,
  c: Content,
  where: string,
): void {
  const complex = inline ?? (typeName === undefined ? undefined : COMPLEX.get(typeName));
  if (complex === undefined) {
    expect(c.kind, where).toBe('simple');
    if (c.kind !== 'simple') return;
    expect(c.attrs, where).toEqual([]);
    compareSimple(typeName ?? '', c.type, fixed, where);
    return;
  }
  const simpleContent = kid(complex, 'xs:simpleContent');
  if (simpleContent !== undefined) {
    const ext = kid(simpleContent, 'xs:extension') as Node;
    expect(c.kind, where).toBe('simple');
    if (c.kind !== 'simple') return;
    compareSimple(attrsOf(ext).base ?? '', c.type, undefined, where);
    compareAttrs(kids(ext), c.attrs, where);
    return;
  }
  const group = kids(complex).find((k) => ['xs:sequence', 'xs:choice', 'xs:all'].includes(tagOf(k)));
  if (group === undefined) {
    expect(c.kind, where).toBe('empty');
  } else {
    expect(c.kind, where).toBe(tagOf(group).slice(3));
    if (c.kind === 'simple' || c.kind === 'empty') return;
    expect(
      [occurs(attrsOf(group).minOccurs), occurs(attrsOf(group).maxOccurs)],
      `${where}: group occurrence`,
    ).toEqual([1, 1]);
    compareParticles(kids(group), c.particles, where);
  }
  compareAttrs(kids(complex), c.attrs, where);
}

function compareElement(x: Node, decl: ElementDecl, parent: string): void {
  const a = attrsOf(x);
  const target = a.ref === undefined ? x : (ELEMENTS.get(a.ref) as Node);
  const t = attrsOf(target);
  const where = `${parent}/${decl.name}`;
  expect(decl.name, parent).toBe(a.name ?? a.ref);
  expect([decl.min, decl.max], where).toEqual([occurs(a.minOccurs), occurs(a.maxOccurs)]);
  compareContent(t.type, kid(target, 'xs:complexType'), t.fixed, decl.content, where);
}

describe('the content-model table', () => {
  it.each([
    ['report', REPORT],
    ['fileDetails', FILE_DETAILS],
  ] as const)('matches <%s> in cyber_tipline.xsd element by element', (name, decl) => {
    const x = ELEMENTS.get(name) as Node;
    const a = attrsOf(x);
    expect(decl.name).toBe(a.name);
    compareContent(a.type, kid(x, 'xs:complexType'), a.fixed, decl.content, '');
  });

  it('would notice a difference (the comparison is not vacuous)', () => {
    const wrong: ElementDecl = { ...REPORT, content: { kind: 'simple', type: XS_STRING, attrs: [] } };
    expect(() =>
      compareContent(
        undefined,
        kid(ELEMENTS.get('report') as Node, 'xs:complexType'),
        undefined,
        wrong.content,
        '',
      ),
    ).toThrow();
  });
});

describe('docs/cybertipline-mapping.md', () => {
  it('names every element and attribute of the table', () => {
    const doc = readFileSync(new URL('../../../docs/cybertipline-mapping.md', import.meta.url), 'utf8');
    const named = new Set(
      [...doc.matchAll(/`([^`]+)`/g)].flatMap((m) => (m[1] as string).split(/[/\s,()+*]+/)).filter(Boolean),
    );
    const missing = new Set<string>();
    const walk = (d: ElementDecl): void => {
      if (!named.has(d.name)) missing.add(d.name);
      for (const a of d.content.attrs) if (!named.has(`@${a.name}`)) missing.add(`${d.name}/@${a.name}`);
      if (d.content.kind === 'simple' || d.content.kind === 'empty') return;
      for (const p of d.content.particles) {
        if (p.kind === 'element') walk(p);
        else p.options.forEach(walk);
      }
    };
    walk(REPORT);
    walk(FILE_DETAILS);
    expect([...missing]).toEqual([]);
  });
});

describe('simple values', () => {
  const t = (base: SimpleType['base']): SimpleType => ({ name: base, base });

  it('reads xs:boolean, xs:int and xs:long as XSD does (white space collapsed, ranges checked)', () => {
    expect(['true', ' 1 ', 'false', '0', 'TRUE', 'yes', ''].map((v) => simpleValue(v, t('boolean')))).toEqual(
      [true, true, false, false, undefined, undefined, undefined],
    );
    expect(['+12', ' -2147483648 ', '2147483648', '1.0', '1 2'].map((v) => simpleValue(v, t('int')))).toEqual(
      [12, -2147483648, undefined, undefined, undefined],
    );
    expect(
      ['+0009223372036854775807', '-9223372036854775808', '9223372036854775808', '-0'].map((v) =>
        simpleValue(v, t('long')),
      ),
    ).toEqual(['9223372036854775807', '-9223372036854775808', undefined, '0']);
  });

  it('reads presence flags as empty, true or 1', () => {
    expect(['', 'true', ' true ', '1', ' ', 'false', '0'].map((v) => simpleValue(v, t('flag')))).toEqual([
      true,
      true,
      true,
      true,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('reads xs:date with an optional time zone and refuses impossible days', () => {
    expect(
      ['2011-04-30', '2011-04-30Z', '2011-04-30+02:00', '2011-04-31', '0000-01-01', '2011-4-30'].map((v) =>
        simpleValue(v, t('date')),
      ),
    ).toEqual(['2011-04-30', '2011-04-30', '2011-04-30', undefined, undefined, undefined]);
  });

  it('converts xs:dateTime exactly as parseInstant does, and refuses what XSD refuses besides', () => {
    const samples = [
      '2025-06-14T21:37:05+02:00',
      '2025-06-14T19:37:05Z',
      '2025-06-14T19:37:05',
      '2025-06-14T19:37:05.1Z',
      '2025-06-14T19:37:05.12-05:30',
      '2025-06-14T19:37:05.123456Z',
      '2024-02-29T00:00:00Z',
      '2025-02-29T00:00:00Z',
      '2025-02-30T10:00:00Z',
      '2025-12-31T24:00:00Z',
      '2025-12-31T24:00:01Z',
      '2025-12-31T23:60:00Z',
      '2025-12-31T23:59:60Z',
      '2025-13-01T00:00:00Z',
      '2025-00-01T00:00:00Z',
      '2025-06-14T19:37:05+14:00',
      '2025-06-14T19:37:05-14:00',
      '2025-06-14T19:37:05+15:00',
      '9999-12-31T23:59:59-14:00',
      '1000-01-01T00:00:00+01:00',
      '0999-01-01T00:00:00Z',
      '2025-06-14 19:37:05Z',
      '2025-06-14T19:37Z',
      '',
    ];
    for (const s of samples) expect(dateTimeValue(s), s).toBe(parseInstant(s));
    // Random well-formed values, valid or not.
    const two = (n: number): string => String(n).padStart(2, '0');
    for (let i = 0; i < 2000; i++) {
      const r = (n: number): number => Math.floor(Math.random() * n);
      const zone = ['', 'Z', `+${two(r(15))}:${two(r(60))}`, `-${two(r(15))}:${two(r(60))}`][r(4)] as string;
      const frac = ['', `.${r(10)}`, `.${two(r(100))}`, `.${String(r(1000)).padStart(3, '0')}`][
        r(4)
      ] as string;
      const s = `${1000 + r(9000)}-${two(r(14))}-${two(r(33))}T${two(r(25))}:${two(r(61))}:${two(r(61))}${frac}${zone}`;
      const expected = /[+-]14:(?!00)/.test(zone) ? undefined : parseInstant(s);
      expect(dateTimeValue(s), s).toBe(expected);
    }
    // XSD has no year 0000 and no offset beyond 14:00.
    expect(dateTimeValue('0000-01-01T00:00:00Z')).toBeUndefined();
    expect(dateTimeValue('2025-01-01T00:00:00+14:01')).toBeUndefined();
  });
});
