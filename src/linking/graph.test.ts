import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { graphJson, graphMl, type Graph } from './graph.ts';

// Synthetic placeholders only.
const graph: Graph = {
  nodes: [
    { id: 'subject:1', type: 'subject', label: 'Subject 1', data: { score: 0.75, confirmed: true } },
    { id: 'account:1', type: 'account', label: 'placeholder_user1', data: { service: 'ExampleChat' } },
    { id: 'identifier:email:1', type: 'identifier', label: 'placeholder.user1@example.com' },
    { id: 'referral:1', type: 'referral', label: 'Referral 1', data: { score: 2 } },
  ],
  edges: [
    { id: 'e:2', source: 'account:1', target: 'referral:1', kind: 'seen-in' },
    {
      id: 'e:1',
      source: 'account:1',
      target: 'identifier:email:1',
      kind: 'strong:email',
      strength: 'strong',
      evidence: 'same address in two referrals',
    },
    { id: 'e:3', source: 'subject:1', target: 'account:1', kind: 'member' },
  ],
};

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  htmlEntities: true,
  isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
});
type El = Record<string, unknown> & { '#text'?: unknown };
const parsed = (xml: string) => {
  const doc = parser.parse(xml) as { graphml: El[] };
  const root = doc.graphml[0] as { key: El[]; graph: { node?: El[]; edge?: El[] }[] };
  const g = root.graph[0] ?? {};
  return { keys: root.key, nodes: g.node ?? [], edges: g.edge ?? [] };
};
const dataOf = (el: El, key: string) =>
  (el['data'] as El[] | undefined)?.find((d) => d['@key'] === key)?.['#text'];

describe('graphJson', () => {
  it('is Cytoscape elements JSON, in id order', () => {
    expect(graphJson(graph)).toEqual({
      nodes: [
        { data: { id: 'account:1', label: 'placeholder_user1', type: 'account', service: 'ExampleChat' } },
        { data: { id: 'identifier:email:1', label: 'placeholder.user1@example.com', type: 'identifier' } },
        { data: { id: 'referral:1', label: 'Referral 1', type: 'referral', score: 2 } },
        { data: { id: 'subject:1', label: 'Subject 1', type: 'subject', score: 0.75, confirmed: true } },
      ],
      edges: [
        {
          data: {
            id: 'e:1',
            source: 'account:1',
            target: 'identifier:email:1',
            kind: 'strong:email',
            strength: 'strong',
            evidence: 'same address in two referrals',
          },
        },
        { data: { id: 'e:2', source: 'account:1', target: 'referral:1', kind: 'seen-in' } },
        { data: { id: 'e:3', source: 'subject:1', target: 'account:1', kind: 'member' } },
      ],
    });
  });
});

describe('graphMl', () => {
  it('is well-formed GraphML with every node and edge', () => {
    const xml = graphMl(graph);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toContain('<graphml xmlns="http://graphml.graphdrawing.org/xmlns"');
    expect(xml).toContain('<graph id="G" edgedefault="directed">');
    const { nodes, edges } = parsed(xml);
    expect(nodes).toHaveLength(4);
    expect(edges).toHaveLength(3);
    const e1 = edges.find((e) => e['@id'] === 'e:1');
    expect(e1?.['@source']).toBe('account:1');
    expect(e1?.['@target']).toBe('identifier:email:1');
    expect(dataOf(e1 ?? {}, 'evidence')).toBe('same address in two referrals');
  });

  it('declares each key once, data fields typed by their values', () => {
    const { keys } = parsed(graphMl(graph));
    const declared = keys.map(
      (k) => `${String(k['@for'])} ${String(k['@attr.name'])} ${String(k['@attr.type'])}`,
    );
    expect(declared).toEqual([
      'node label string',
      'node type string',
      'node confirmed boolean',
      'node score double',
      'node service string',
      'edge kind string',
      'edge strength string',
      'edge evidence string',
    ]);
    expect(new Set(keys.map((k) => k['@id'])).size).toBe(keys.length);
  });

  it('declares a field with values of mixed types as a string', () => {
    const { keys } = parsed(
      graphMl({
        nodes: [
          { id: 'a', type: 'account', label: 'a', data: { n: 1 } },
          { id: 'b', type: 'account', label: 'b', data: { n: 'one' } },
        ],
        edges: [],
      }),
    );
    expect(keys.find((k) => k['@attr.name'] === 'n')?.['@attr.type']).toBe('string');
  });

  it('escapes markup, quotes and line breaks and drops characters XML cannot carry', async () => {
    const nasty = `<b>&"'\u0001\u0008\uFFFE\uD800 x\ty\r\nz`;
    const xml = graphMl({
      nodes: [
        { id: `n<&"'>`, type: 'subject', label: nasty, data: { [`note<&>`]: nasty } },
        { id: 'm', type: 'subject', label: 'm' },
      ],
      edges: [{ id: 'e', source: `n<&"'>`, target: 'm', kind: 'weak:ip-window', evidence: nasty }],
    });
    for (const c of ['\u0001', '\u0008', '\uFFFE', '\uD800']) expect(xml).not.toContain(c);
    expect(XMLValidator.validate(xml)).toBe(true);
    // libxml2 as well: stricter about characters than fast-xml-parser.
    expect((await validateXML({ xml, normalization: 'c14n' })).errors).toEqual([]);
    const { keys, nodes, edges } = parsed(xml);
    const clean = `<b>&"' x\ty\r\nz`;
    const n = nodes.find((x) => x['@id'] === `n<&"'>`);
    expect(dataOf(n ?? {}, 'label')).toBe(clean);
    expect(keys.find((k) => k['@id'] === 'd0')?.['@attr.name']).toBe('note<&>');
    expect(dataOf(n ?? {}, 'd0')).toBe(clean);
    expect(edges[0]?.['@source']).toBe(`n<&"'>`);
    expect(dataOf(edges[0] ?? {}, 'evidence')).toBe(clean);
  });

  it('writes the same bytes whatever order the graph was built in', () => {
    const reversed: Graph = { nodes: [...graph.nodes].reverse(), edges: [...graph.edges].reverse() };
    expect(graphMl(reversed)).toBe(graphMl(graph));
    expect(graphJson(reversed)).toEqual(graphJson(graph));
  });

  it('writes non-finite numbers as xs:double does', () => {
    const xml = graphMl({
      nodes: [
        { id: 'a', type: 'community', label: 'a', data: { x: Infinity } },
        { id: 'b', type: 'community', label: 'b', data: { x: Number.NaN } },
      ],
      edges: [],
    });
    expect(xml).toContain('<data key="d0">INF</data>');
    expect(xml).toContain('<data key="d0">NaN</data>');
  });
});

describe('a graph built wrong', () => {
  const node = (id: string) => ({ id, type: 'account' as const, label: id });
  const bad: [string, Graph][] = [
    ['a repeated node id', { nodes: [node('a'), node('a')], edges: [] }],
    [
      'an edge to no node',
      { nodes: [node('a')], edges: [{ id: 'e', source: 'a', target: 'b', kind: 'member' }] },
    ],
    [
      'an edge id repeated',
      {
        nodes: [node('a'), node('b')],
        edges: [
          { id: 'e', source: 'a', target: 'b', kind: 'member' },
          { id: 'e', source: 'b', target: 'a', kind: 'member' },
        ],
      },
    ],
    [
      'an edge id that is a node id',
      { nodes: [node('a')], edges: [{ id: 'a', source: 'a', target: 'a', kind: 'x' }] },
    ],
    ['a data field named id', { nodes: [{ ...node('a'), data: { id: 'other' } }], edges: [] }],
  ];
  it.each(bad)('throws for %s', (_, g) => {
    expect(() => graphJson(g)).toThrow(/^graph: /);
    expect(() => graphMl(g)).toThrow(/^graph: /);
  });

  it('throws for an id XML cannot carry rather than change it', () => {
    expect(() => graphMl({ nodes: [node('a\u0000')], edges: [] })).toThrow(/^graph: /);
  });
});
