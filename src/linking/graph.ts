export type GraphNodeType = 'subject' | 'referral' | 'account' | 'identifier' | 'community';
export type GraphDatum = string | number | boolean;

export interface GraphNode {
  readonly id: string;
  readonly type: GraphNodeType;
  readonly label: string;
  /** Extra fields; the names `id`, `label`, `type` and `parent` (Cytoscape's compound nodes) are taken. */
  readonly data?: Readonly<Record<string, GraphDatum>>;
}

export interface GraphEdge {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  /** What links the two: `member`, `seen-in`, `strong:email`, `weak:ip-window`, `in-community`, … */
  readonly kind: string;
  readonly strength?: 'strong' | 'weak' | 'none';
  readonly evidence?: string;
}

export interface Graph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

export type CytoscapeNodeData = { id: string; label: string; type: GraphNodeType } & Record<
  string,
  GraphDatum
>;
export interface CytoscapeEdgeData {
  id: string;
  source: string;
  target: string;
  kind: string;
  strength?: 'strong' | 'weak' | 'none';
  evidence?: string;
}
export interface CytoscapeElements {
  nodes: { data: CytoscapeNodeData }[];
  edges: { data: CytoscapeEdgeData }[];
}

const RESERVED = new Set(['id', 'label', 'type', 'parent']);

/**
 * The graph in a fixed order (nodes, then edges, each by id), checked: ids unique across nodes and edges
 * (Cytoscape requires it), every edge between two nodes, no data field named like a core one. A graph
 * failing these was built wrong, so it throws.
 */
function checked(g: Graph): Graph {
  const ids = new Set<string>();
  for (const n of g.nodes) {
    if (ids.has(n.id)) throw new Error(`graph: node id ${JSON.stringify(n.id)} is repeated`);
    ids.add(n.id);
    for (const k of Object.keys(n.data ?? {}))
      if (RESERVED.has(k)) throw new Error(`graph: node ${JSON.stringify(n.id)} has a data field named ${k}`);
  }
  for (const e of g.edges) {
    if (ids.has(e.id)) throw new Error(`graph: edge id ${JSON.stringify(e.id)} is repeated or a node's`);
    for (const end of [e.source, e.target])
      if (!ids.has(end))
        throw new Error(`graph: edge ${JSON.stringify(e.id)} ends at ${JSON.stringify(end)}, not a node`);
    ids.add(e.id);
  }
  // Code-unit order, not localeCompare: the same bytes on every machine.
  const byId = (a: { readonly id: string }, b: { readonly id: string }) =>
    a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  return { nodes: [...g.nodes].sort(byId), edges: [...g.edges].sort(byId) };
}

/** Cytoscape.js elements JSON: `{ nodes: [{ data: { id, label, type, …data } }], edges: [{ data: … }] }`. */
export function graphJson(g: Graph): CytoscapeElements {
  const { nodes, edges } = checked(g);
  return {
    nodes: nodes.map((n) => ({ data: { ...n.data, id: n.id, label: n.label, type: n.type } })),
    edges: edges.map((e) => ({
      data: {
        id: e.id,
        source: e.source,
        target: e.target,
        kind: e.kind,
        ...(e.strength !== undefined && { strength: e.strength }),
        ...(e.evidence !== undefined && { evidence: e.evidence }),
      },
    })),
  };
}

// XML 1.0 Char: tab, LF, CR, U+0020–U+D7FF, U+E000–U+FFFD, U+10000–U+10FFFF. Lone surrogates and
// U+FFFE/U+FFFF are outside it too; with the `u` flag a lone surrogate is one code point and matches.
const NOT_XML_CHARS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const NOT_XML_CHAR = new RegExp(NOT_XML_CHARS.source, 'u');
const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // As references, because a parser turns a literal tab or newline in an attribute into a space and a
  // literal CR anywhere into LF.
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/** Text or attribute value: characters XML 1.0 cannot carry dropped, the rest escaped. */
function xmlEscape(s: string): string {
  return s.replace(NOT_XML_CHARS, '').replace(/[&<>"'\t\n\r]/g, (c) => ESCAPES[c] ?? c);
}

/** An id goes out as given: dropping a character from one could make two the same or break an edge. */
function xmlId(id: string): string {
  if (NOT_XML_CHAR.test(id))
    throw new Error(`graph: id ${JSON.stringify(id)} holds a character XML cannot carry`);
  return xmlEscape(id);
}

type AttrType = 'string' | 'double' | 'boolean';

/** xs:double's lexical form: JavaScript writes `Infinity` where XML Schema writes `INF`. */
function datum(v: GraphDatum, type: AttrType): string {
  if (type === 'double' && typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (!Number.isFinite(v)) return v > 0 ? 'INF' : '-INF';
  }
  return String(v);
}

/**
 * GraphML 1.0, directed. Keys `label`, `type` (nodes) and `kind`, `strength`, `evidence` (edges) are always
 * declared; each node data field used gets one key `d0`, `d1`, … in name order, typed `double` or `boolean`
 * when every value of it is one, else `string`. Nodes, edges and keys come in a fixed order, so the same
 * graph gives the same bytes.
 */
export function graphMl(g: Graph): string {
  const { nodes, edges } = checked(g);

  const fieldTypes = new Map<string, AttrType>();
  for (const n of nodes)
    for (const [k, v] of Object.entries(n.data ?? {})) {
      const t: AttrType = typeof v === 'number' ? 'double' : typeof v === 'boolean' ? 'boolean' : 'string';
      const seen = fieldTypes.get(k);
      fieldTypes.set(k, seen === undefined || seen === t ? t : 'string');
    }
  const fields = [...fieldTypes.keys()].sort().map((name, i) => ({
    name,
    key: `d${i}`,
    type: fieldTypes.get(name) ?? 'string',
  }));

  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"' +
      ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"' +
      ' xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns' +
      ' http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">',
  ];
  const key = (id: string, domain: 'node' | 'edge', name: string, type: AttrType) =>
    out.push(`  <key id="${id}" for="${domain}" attr.name="${xmlEscape(name)}" attr.type="${type}"/>`);
  key('label', 'node', 'label', 'string');
  key('type', 'node', 'type', 'string');
  for (const f of fields) key(f.key, 'node', f.name, f.type);
  key('kind', 'edge', 'kind', 'string');
  key('strength', 'edge', 'strength', 'string');
  key('evidence', 'edge', 'evidence', 'string');

  const data = (k: string, v: string) => `      <data key="${k}">${xmlEscape(v)}</data>`;
  out.push('  <graph id="G" edgedefault="directed">');
  for (const n of nodes) {
    out.push(`    <node id="${xmlId(n.id)}">`, data('label', n.label), data('type', n.type));
    for (const f of fields) {
      // Own fields only: `constructor` and the like are on every object's prototype.
      const v = n.data && Object.hasOwn(n.data, f.name) ? n.data[f.name] : undefined;
      if (v !== undefined) out.push(data(f.key, datum(v, f.type)));
    }
    out.push('    </node>');
  }
  for (const e of edges) {
    out.push(
      `    <edge id="${xmlId(e.id)}" source="${xmlId(e.source)}" target="${xmlId(e.target)}">`,
      data('kind', e.kind),
    );
    if (e.strength !== undefined) out.push(data('strength', e.strength));
    if (e.evidence !== undefined) out.push(data('evidence', e.evidence));
    out.push('    </edge>');
  }
  out.push('  </graph>', '</graphml>', '');
  return out.join('\n');
}
