/**
 * A subject's graph as the screen holds it: the server's Cytoscape.js elements, plus what the analyst
 * expanded (other subjects, a referral's other reported persons, a community's members, look-alike screen
 * names). Plain data and functions: the drawing (SubjectGraph.tsx) only mirrors it.
 */
import type {
  CommunityView,
  CytoscapeElements,
  GraphNodeType,
  NicknameReason,
  ReferralLinks,
} from '../api/views.ts';
import type { TraceAnswer } from './types.ts';

export type Datum = string | number | boolean;

export interface GNode {
  readonly id: string;
  readonly type: GraphNodeType;
  readonly label: string;
  readonly data: Readonly<Record<string, Datum>>;
}

export interface GEdge {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  /** `member`, `reports`, `seen-in`, `in-community`, `link:<rule>`, `named-in`, `nickname:<reason>`. */
  readonly kind: string;
  readonly strength?: 'strong' | 'weak' | 'none';
  readonly evidence?: string;
}

/** What expanding a node learned besides nodes and edges: why something could not link. */
export type Note =
  | { readonly type: 'unlinkable'; readonly kind: string; readonly shown: string; readonly reason: string }
  | { readonly type: 'too-common'; readonly kind: string; readonly value: string }
  | { readonly type: 'more-referrals'; readonly shown: number; readonly total: number };

export interface GraphState {
  readonly nodes: ReadonlyMap<string, GNode>;
  readonly edges: ReadonlyMap<string, GEdge>;
  /** Nodes already expanded. */
  readonly expanded: ReadonlySet<string>;
  readonly notes: ReadonlyMap<string, readonly Note[]>;
}

export interface Addition {
  readonly nodes: readonly GNode[];
  readonly edges: readonly GEdge[];
  readonly notes: readonly Note[];
}

export const EMPTY: GraphState = {
  nodes: new Map(),
  edges: new Map(),
  expanded: new Set(),
  notes: new Map(),
};

/** Referral nodes added per look-alike name: the rest are counted in a note. */
export const REFS_PER_NAME = 5;

export const subjectNode = (id: string) => `subject:${id}`;
export const idOf = (node: GNode) => node.id.slice(node.id.indexOf(':') + 1);

/**
 * The server's elements as nodes and edges. Edge ids are the server's prefixed with the subject they
 * came from: two subjects' graphs name their edges alike (`evidence:0`), and both may be on screen.
 */
export function fromElements(els: CytoscapeElements, origin: string): Addition {
  return {
    nodes: els.nodes.map(({ data }) => {
      const { id, label, type, ...rest } = data;
      return { id, label, type, data: rest };
    }),
    edges: els.edges.map(({ data }) => ({ ...data, id: `${origin}/${data.id}` })),
    notes: [],
  };
}

/** The state with `add` in it: nodes and edges already there (the same two ends and kind) are kept once. */
export function merge(
  s: GraphState,
  add: Addition,
  expandedNode?: string,
): { state: GraphState; nodes: number; edges: number } {
  const nodes = new Map(s.nodes);
  const edges = new Map(s.edges);
  const ends = new Set([...edges.values()].map((e) => `${e.source}\n${e.target}\n${e.kind}`));
  let n = 0;
  let e = 0;
  for (const node of add.nodes)
    if (!nodes.has(node.id)) {
      nodes.set(node.id, node);
      n++;
    }
  for (const edge of add.edges) {
    const key = `${edge.source}\n${edge.target}\n${edge.kind}`;
    if (edges.has(edge.id) || ends.has(key) || !nodes.has(edge.source) || !nodes.has(edge.target)) continue;
    edges.set(edge.id, edge);
    ends.add(key);
    e++;
  }
  const expanded = new Set(s.expanded);
  const notes = new Map(s.notes);
  if (expandedNode !== undefined) {
    expanded.add(expandedNode);
    if (add.notes.length > 0) notes.set(expandedNode, [...(notes.get(expandedNode) ?? []), ...add.notes]);
  }
  return { state: { nodes, edges, expanded, notes }, nodes: n, edges: e };
}

/** The subject's own graph, its subject node marked as the one the screen is about. */
export function initial(els: CytoscapeElements, subject: string): GraphState {
  return merge(EMPTY, fromElements(els, subject), subjectNode(subject)).state;
}

/** Whether a node leads anywhere the API can answer (`primary`: the screen's own subject node). */
export function expandable(node: GNode, primary: string): boolean {
  switch (node.type) {
    case 'subject':
      return node.id !== primary;
    case 'referral':
    case 'community':
      return true;
    case 'identifier':
      return node.data.kind === 'screen-name';
    case 'account':
      return false;
  }
}

export interface Fetchers {
  graph(subject: string): Promise<CytoscapeElements>;
  links(referral: string): Promise<ReferralLinks>;
  community(id: string): Promise<CommunityView>;
  trace(name: string): Promise<TraceAnswer>;
}

/** What a node leads to: fetched from the API, as nodes and edges to add. */
export async function expand(node: GNode, get: Fetchers): Promise<Addition> {
  switch (node.type) {
    case 'subject': {
      const id = idOf(node);
      return fromElements(await get.graph(id), id);
    }
    case 'referral': {
      const rid = idOf(node);
      const links = await get.links(rid);
      const nodes: GNode[] = [];
      const edges: GEdge[] = [];
      const notes: Note[] = [];
      for (const m of links.mentions) {
        for (const u of m.unlinkable)
          notes.push({ type: 'unlinkable', kind: u.kind, shown: u.shown, reason: u.reason });
        if (!m.subject) continue;
        const sid = subjectNode(m.subject.id);
        nodes.push({
          id: sid,
          type: 'subject',
          label: `subject ${m.subject.id}`,
          data: { referrals: m.subject.referrals, accounts: m.subject.accounts.length },
        });
        edges.push({ id: `links:${rid}:${m.slot}`, source: sid, target: node.id, kind: 'member' });
      }
      for (const c of links.tooCommon) notes.push({ type: 'too-common', kind: c.kind, value: c.value });
      return { nodes, edges, notes };
    }
    case 'community': {
      const cid = idOf(node);
      const c = await get.community(cid);
      const nodes: GNode[] = [];
      const edges: GEdge[] = [];
      for (const m of c.members ?? []) {
        const sid = subjectNode(m.subject);
        nodes.push({
          id: sid,
          type: 'subject',
          label: `subject ${m.subject}`,
          data: { referrals: m.referrals, country: m.country ?? '' },
        });
        edges.push({
          id: `member-of:${cid}:${m.subject}`,
          source: sid,
          target: node.id,
          kind: 'in-community',
        });
      }
      return { nodes, edges, notes: [] };
    }
    case 'identifier': {
      const answer = await get.trace(node.label);
      const nodes: GNode[] = [];
      const edges: GEdge[] = [];
      const notes: Note[] = [];
      const referrals = (from: string, refs: readonly string[], total: number) => {
        for (const ref of refs.slice(0, REFS_PER_NAME)) {
          nodes.push({ id: `referral:${ref}`, type: 'referral', label: ref, data: {} });
          edges.push({
            id: `named-in:${from}:${ref}`,
            source: from,
            target: `referral:${ref}`,
            kind: 'named-in',
          });
        }
        if (from === node.id && total > REFS_PER_NAME)
          notes.push({ type: 'more-referrals', shown: REFS_PER_NAME, total });
      };
      for (const s of answer.suggestions) {
        if (s.name === node.label) {
          referrals(node.id, s.refs, s.refCount);
          continue;
        }
        const nid = `nickname:${s.name}`;
        nodes.push({
          id: nid,
          type: 'identifier',
          label: s.name,
          data: { kind: 'screen-name', reason: s.reason, score: s.score, referrals: s.refCount },
        });
        edges.push({
          id: `nickname:${node.id}:${s.name}`,
          source: node.id,
          target: nid,
          kind: `nickname:${s.reason satisfies NicknameReason}`,
          strength: 'weak',
          evidence: s.detail,
        });
        referrals(nid, s.refs, s.refCount);
      }
      return { nodes, edges, notes };
    }
    case 'account':
      return { nodes: [], edges: [], notes: [] };
  }
}
