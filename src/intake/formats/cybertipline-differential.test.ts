/**
 * Differential test: mutate the reference examples in many ways and check that the fast path
 * (checkCyberTiplineXml) refuses exactly the variants libxml2 refuses with NCMEC's XSD, and that it names
 * the mutated element. Mutations are made with fast-xml-parser, independently of the reader under test.
 */
import { readFileSync } from 'node:fs';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { checkCyberTiplineXml, parseCyberTipline } from './cybertipline.ts';

const REF = new URL('../../../../shared/reference/cybertipline/', import.meta.url);
const XSD = readFileSync(new URL('cyber_tipline.xsd', REF), 'utf8');
const STEMS = ['example-01-chatim-enticement', 'example-02-webpage-upload', 'example-03-batched-viral'];

// Values that are wrong for some simple types and right for others. `1` is left out on purpose: libxml2
// compares `fixed="true"` flags lexically and refuses `1`, which xs:boolean's value space (and Conduit)
// accepts — see cybertipline.test.ts.
const VALUES = ['Bogus', 'yes', '2025-02-30T10:00:00Z', 'abc', '99999999999', '', '-5', '2025-02-28'];

const FXP = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  suppressEmptyNode: true,
} as const;
const parser = new XMLParser(FXP);
const builder = new XMLBuilder(FXP);

/** One node of fast-xml-parser's `preserveOrder` output: `{ tag: children, ':@'?: attributes }` or `{ '#text': … }`. */
type FxNode = Record<string, unknown>;

function tagOf(n: FxNode): string | undefined {
  return Object.keys(n).find((k) => k !== ':@' && k !== '#text' && !k.startsWith('?'));
}
function kidsOf(n: FxNode): FxNode[] {
  const tag = tagOf(n);
  return tag === undefined ? [] : (n[tag] as FxNode[]);
}
function attrsOf(n: FxNode): Record<string, string> | undefined {
  return n[':@'] as Record<string, string> | undefined;
}
function isElement(n: FxNode): boolean {
  return tagOf(n) !== undefined;
}

interface Variant {
  readonly label: string;
  readonly kind: 'report' | 'fileDetails';
  readonly xml: string;
  /** A refused variant's problems must name one of these (last path segment, index stripped). */
  readonly names: readonly string[];
}

/** Every element of the document with its route (child indexes from the document node). */
function elementsOf(doc: FxNode[]): { route: number[]; node: FxNode; parent: FxNode | undefined }[] {
  const out: { route: number[]; node: FxNode; parent: FxNode | undefined }[] = [];
  const walk = (kids: FxNode[], route: number[], parent: FxNode | undefined): void => {
    kids.forEach((k, i) => {
      if (!isElement(k)) return;
      out.push({ route: [...route, i], node: k, parent });
      walk(kidsOf(k), [...route, i], k);
    });
  };
  walk(doc, [], undefined);
  return out;
}

/** A deep copy of `doc` with `f` applied to the children array that holds the node at `route`, and its index. */
function mutate(doc: FxNode[], route: readonly number[], f: (siblings: FxNode[], i: number) => void): string {
  const copy = structuredClone(doc);
  let siblings = copy;
  for (const i of route.slice(0, -1)) siblings = kidsOf(siblings[i] as FxNode);
  f(siblings, route[route.length - 1] as number);
  return builder.build(copy);
}

function variantsOf(xml: string, kind: 'report' | 'fileDetails', stem: string): Variant[] {
  const doc = parser.parse(xml) as FxNode[];
  const out: Variant[] = [];
  const add = (label: string, x: string, names: readonly string[]): void => {
    out.push({ label: `${stem}.${kind}: ${label}`, kind, xml: x, names });
  };
  for (const { route, node, parent } of elementsOf(doc)) {
    const tag = tagOf(node) as string;
    const parentTag = parent === undefined ? undefined : (tagOf(parent) as string);
    const kids = kidsOf(node);
    const isLeaf = kids.every((k) => !isElement(k));
    const at = route.join('.');
    if (parent !== undefined) {
      // A dropped child of a choice leaves its parent empty: the parent is what is named.
      add(
        `drop <${tag}> @${at}`,
        mutate(doc, route, (s, i) => s.splice(i, 1)),
        parentTag === 'internetDetails' ? [tag, parentTag] : [tag],
      );
      add(
        `duplicate <${tag}> @${at}`,
        mutate(doc, route, (s, i) => s.splice(i + 1, 0, structuredClone(s[i] as FxNode))),
        [tag],
      );
      const siblings = kidsOf(parent);
      const next = siblings.findIndex((k, j) => j > (route[route.length - 1] as number) && isElement(k));
      const nextTag = next < 0 ? undefined : tagOf(siblings[next] as FxNode);
      if (nextTag !== undefined && nextTag !== tag) {
        add(
          `swap <${tag}> and <${nextTag}> @${at}`,
          mutate(doc, route, (s, i) => {
            const a = s[i] as FxNode;
            s[i] = s[next] as FxNode;
            s[next] = a;
          }),
          [tag, nextTag],
        );
      }
    }
    if (isLeaf) {
      for (const v of VALUES) {
        add(
          `<${tag}> = ${JSON.stringify(v)} @${at}`,
          mutate(doc, route, (s, i) => ((s[i] as FxNode)[tag] = v === '' ? [] : [{ '#text': v }])),
          [tag],
        );
      }
    }
    if (!isLeaf || kids.length === 0) {
      add(
        `unknown child in <${tag}> @${at}`,
        mutate(doc, route, (s, i) => kidsOf(s[i] as FxNode).push({ bogus: [] })),
        ['bogus'],
      );
    }
    for (const name of Object.keys(attrsOf(node) ?? {})) {
      const attr = name.slice(2);
      if (attr.startsWith('xmlns') || attr.startsWith('xsi:')) continue;
      for (const v of ['Bogus', 'yes', '2025-02-30T10:00:00Z', '']) {
        add(
          `@${attr} of <${tag}> = ${JSON.stringify(v)} @${at}`,
          mutate(doc, route, (s, i) => ((attrsOf(s[i] as FxNode) ?? {})[name] = v)),
          [`@${attr}`],
        );
      }
      add(
        `drop @${attr} of <${tag}> @${at}`,
        mutate(doc, route, (s, i) => delete (attrsOf(s[i] as FxNode) ?? {})[name]),
        [`@${attr}`],
      );
    }
    add(
      `unknown attribute on <${tag}> @${at}`,
      mutate(doc, route, (s, i) => ((s[i] as FxNode)[':@'] = { ...attrsOf(s[i] as FxNode), '@_bogus': 'x' })),
      ['@bogus'],
    );
  }
  return out;
}

/** Which of `docs` libxml2 refuses, validating them in batches (one worker per batch). */
async function refusedByXmllint(docs: readonly string[]): Promise<boolean[]> {
  const verdicts: boolean[] = [];
  for (let from = 0; from < docs.length; from += 300) {
    const batch = docs.slice(from, from + 300);
    const result = await validateXML({
      xml: batch.map((contents, i) => ({ fileName: `v${from + i}.xml`, contents })),
      schema: { fileName: 'cyber_tipline.xsd', contents: XSD },
      maxMemoryPages: 4096,
    });
    const lines = result.rawOutput.split('\n');
    batch.forEach((_, i) => {
      const file = `v${from + i}.xml`;
      const refused = lines.some((l) => l === `${file} fails to validate` || l.startsWith(`${file}:`));
      const accepted = lines.includes(`${file} validates`);
      // Every document gets exactly one verdict line from xmllint.
      expect(refused !== accepted, `${file}: ${lines.filter((l) => l.startsWith(file)).join(' / ')}`).toBe(
        true,
      );
      verdicts.push(refused);
    });
  }
  return verdicts;
}

function lastSegment(path: string): string {
  return (path.split('/').pop() ?? '').replace(/\[\d+\]$/, '');
}

describe('the fast path against libxml2 with the XSD', () => {
  const variants = STEMS.flatMap((stem) =>
    (['report', 'fileDetails'] as const).flatMap((kind) =>
      variantsOf(readFileSync(new URL(`examples/${stem}.${kind}.xml`, REF), 'utf8'), kind, stem),
    ),
  );

  it(
    'refuses exactly the mutated examples the XSD refuses, naming the mutated element',
    { timeout: 180_000 },
    async () => {
      expect(variants.length).toBeGreaterThan(1500);
      const xsd = await refusedByXmllint(variants.map((v) => v.xml));
      const mismatches: string[] = [];
      const unnamed: string[] = [];
      let refused = 0;
      variants.forEach((v, i) => {
        const problems = checkCyberTiplineXml(v.xml, v.kind);
        const fastRefuses = problems.length > 0;
        if (fastRefuses !== xsd[i]) {
          mismatches.push(
            `${v.label}: fast path ${fastRefuses ? 'refuses' : 'accepts'} (${JSON.stringify(problems)}), XSD ${xsd[i] ? 'refuses' : 'accepts'}`,
          );
        }
        if (fastRefuses) {
          refused++;
          if (!problems.some((p) => v.names.includes(lastSegment(p.path)))) {
            unnamed.push(`${v.label}: ${problems.map((p) => p.path).join(', ')}`);
          }
        }
      });
      expect(mismatches).toEqual([]);
      expect(unnamed).toEqual([]);
      // Both verdicts occur often: the mutations are neither all harmless nor all fatal.
      expect(refused).toBeGreaterThan(variants.length / 4);
      expect(variants.length - refused).toBeGreaterThan(variants.length / 10);
    },
  );

  it(
    'agrees on unusual but well-formed syntax and on XML that is not well-formed',
    { timeout: 60_000 },
    async () => {
      const base =
        '<report><batchedReport reason="VIRAL_POTENTIAL_MEME"/><incidentSummary><incidentType>Child Sex Trafficking</incidentType>' +
        '<platform>P</platform><reportAnnotations><spam/></reportAnnotations><incidentDateTime>2025-01-01T00:00:00Z</incidentDateTime>' +
        '</incidentSummary><reporter><reportingPerson><age>13</age></reportingPerson></reporter></report>';
      const edits: [string, string][] = [
        ['<platform>P</platform>', '<platform>A &amp; B &#x263A;&#65;<![CDATA[<raw> & ]]>]]&gt;</platform>'],
        ['<report>', "<?xml version='1.0' encoding='UTF-8' standalone='yes'?><report>"],
        ['<report>', '\uFEFF<?xml version="1.0"?>\r\n<!-- c -->\r\n<?pi x?><report>'],
        ['</platform>', '</platform \n >'],
        ['reason="VIRAL_POTENTIAL_MEME"', "reason = 'VIRAL_POTENTIAL_MEME'"],
        ['reason="VIRAL_POTENTIAL_MEME"', 'reason="VIRAL_POTENTIAL_MEME\t"'],
        ['reason="VIRAL_POTENTIAL_MEME"', 'reason="VIRAL&#95;POTENTIAL_MEME"'],
        ['<age>13</age>', '<age>1<!-- c -->3</age>'],
        ['<age>13</age>', '<age>1<?pi?>3</age>'],
        ['<age>13</age>', '<age><![CDATA[13]]></age>'],
        ['<spam/>', '<spam></spam>'],
        ['<spam/>', '<spam><!-- c --></spam>'],
        ['<spam/>', '<spam> </spam>'],
        [
          '<batchedReport reason="VIRAL_POTENTIAL_MEME"/>',
          '<batchedReport reason="VIRAL_POTENTIAL_MEME"><!-- c --></batchedReport>',
        ],
        ['<incidentSummary>', '<incidentSummary><![CDATA[ ]]>'],
        ['<incidentSummary>', '<incidentSummary><![CDATA[x]]>'],
        ['<incidentSummary>', '<incidentSummary><![CDATA[]]>'],
        [
          '<batchedReport reason="VIRAL_POTENTIAL_MEME"/>',
          '<batchedReport reason="VIRAL_POTENTIAL_MEME"><![CDATA[]]></batchedReport>',
        ],
        ['<age>13</age>', '<age>13<![CDATA[]]></age>'],
        ['<incidentSummary>', '<incidentSummary>&#32;'],
        ['<report>', '<report xmlns:foo="urn:foo" foo:bar="1">'],
        ['<report>', '<report xmlns="">'],
        [
          '<report>',
          '<report xmlns:x="http://www.w3.org/2001/XMLSchema-instance" x:noNamespaceSchemaLocation="a.xsd">',
        ],
        ['<platform>P</platform>', '<platform>]]></platform>'],
        ['<platform>P</platform>', '<platform a="<"/>'],
        ['<platform>P</platform>', '<platform>&#0;</platform>'],
        ['<platform>P</platform>', '<platform>&#xD800;</platform>'],
        ['<platform>P</platform>', '<platform>&#x110000;</platform>'],
        ['<platform>P</platform>', '<1platform>P</1platform>'],
        ['<platform>P</platform>', '<platform/ >'],
        ['<platform>P</platform>', '<platform>P</platform><!-- a --->'],
        ['<platform>P</platform>', '<platform>P</ platform>'],
        ['<platform>P</platform>', '<platform x="1"y="2">P</platform>'],
        ['<report>', '<?xml version="1.0"?><?xml version="1.0"?><report>'],
        ['<report>', '<?xml version="2.0"?><report>'],
        ['<report>', '<![CDATA[x]]><report>'],
        ['</report>', '</report><!-- trailing --> <?pi?> '],
        ['</report>', '</report>&amp;'],
        ['<platform>P</platform>', '<platform>P</platform><platform2:x xmlns:platform2="urn:x"/>'],
      ];
      const docs = edits.map(([from, to]) => {
        expect(base).toContain(from);
        return base.replace(from, to);
      });
      const xsd = await refusedByXmllint(docs);
      const mismatches = docs
        .map((d, i) => ({ d, fast: checkCyberTiplineXml(d, 'report'), xsd: xsd[i] }))
        .filter((r) => r.fast.length > 0 !== r.xsd)
        .map(
          (r) =>
            `${JSON.stringify(r.d)}: fast ${JSON.stringify(r.fast)}, XSD ${r.xsd ? 'refuses' : 'accepts'}`,
        );
      expect(mismatches).toEqual([]);
    },
  );

  it('refuses in the full parse whatever the schema check refuses', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const report = readFileSync(new URL(`examples/${STEMS[0] as string}.report.xml`, REF), 'utf8');
    for (const v of variants.filter((_, i) => i % 7 === 0)) {
      if (checkCyberTiplineXml(v.xml, v.kind).length === 0) continue;
      const r =
        v.kind === 'report'
          ? parseCyberTipline({ report: v.xml, fileDetails: [], now })
          : parseCyberTipline({ report, fileDetails: [v.xml], now });
      expect(r.ok, v.label).toBe(false);
    }
  });
});
