import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type cytoscape from 'cytoscape';
import { useCallback, useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { api, ok } from '../api/client.ts';
import type { CommunityView, CytoscapeElements, GraphNodeType, ReferralLinks } from '../api/views.ts';
import { ErrorMessage, Loading } from '../components/states.tsx';
import { Table } from '../components/Table.tsx';
import { Time } from '../components/Time.tsx';
import { messages, useNumber, useT, type Translate } from '../i18n/i18n.tsx';
import { useCountryName } from './format.tsx';
import {
  EMPTY,
  expand,
  expandable,
  idOf,
  initial,
  merge,
  subjectNode,
  type Fetchers,
  type GEdge,
  type GNode,
  type GraphState,
  type Note,
} from './graph.ts';
import type { TraceAnswer } from './types.ts';

const m = messages(
  {
    title: 'Graph',
    intro:
      'Select a node or a link, in the drawing or in the lists below it, to see its evidence. Expand a referral, a community, a screen name or another subject to add what it leads to.',
    canvas:
      'Drawing of the graph: {nodes} nodes and {edges} links. The same nodes and links are listed below.',
    loadingGraph: 'Loading the graph…',
    legend: 'Legend',
    strongLink: 'strong link',
    weakLink: 'weak link',
    otherLink: 'membership, identifier',
    selection: 'Selected',
    nothingSelected: 'Nothing selected. Choose a node or a link.',
    nodes: 'Nodes ({n})',
    edges: 'Links ({n})',
    node: 'Node',
    type: 'Type',
    details: 'Details',
    actions: 'Actions',
    link: 'Link',
    from: 'From',
    to: 'To',
    evidence: 'Evidence',
    strength: 'Strength',
    expand: 'Expand',
    expandNode: 'Expand {label}',
    expanded: 'Expanded',
    expanding: 'Expanding…',
    open: 'Open',
    openNode: 'Open {label}',
    added: 'Added to the graph from {label}: {nodes} nodes, {edges} links.',
    nothingNew: 'Nothing more found from {label}.',
    selectNode: '{type} {label}',
    selectEdge: '{kind}: {from} → {to}',
    referrals: '{n} referrals',
    referralsOne: '1 referral',
    received: 'Received',
    country: 'Country',
    kind: 'Kind',
    service: 'Service',
    score: 'Score',
    reason: 'Match',
    referralsCount: 'Referrals',
    accounts: 'Accounts',
    notes: 'Notes',
    noteUnlinkable: 'Could not link {shown}: {reason}',
    noteTooCommon: 'Too common to link: {value}',
    noteMore: 'Showing {shown} of {total} referrals with this name.',
    primary: 'this subject',
    download: 'Download as GraphML',
    'type-subject': 'Subject',
    'type-referral': 'Referral',
    'type-account': 'Account',
    'type-identifier': 'Identifier',
    'type-community': 'Community',
    'kind-member': 'reported in',
    'kind-reports': 'reports account',
    'kind-seen-in': 'identifier seen',
    'kind-in-community': 'in community',
    'kind-named-in': 'name used in',
    'kind-link:strong': 'strong link',
    'kind-link:weak-corroborated': 'weak links that agree',
    'kind-link:analyst-merge': 'merged by an analyst',
    'kind-nickname:same-skeleton': 'look-alike name',
    'kind-nickname:same-letters': 'same letters',
    'kind-nickname:same-stem': 'same stem',
    'kind-nickname:similar': 'similar name',
    'strength-strong': 'strong',
    'strength-weak': 'weak',
    'strength-none': 'none',
    'unlinkable-excluded': 'on the exclusion list',
    'unlinkable-non-public': 'not a public address',
    'unlinkable-proxy': 'a proxy',
    'unlinkable-no-time': 'no time given',
    'unlinkable-no-port': 'IPv4 address without a port',
  },
  {
    title: 'Grafo',
    intro:
      'Seleziona un nodo o un collegamento, nel disegno o negli elenchi sotto, per vederne le prove. Espandi una segnalazione, una comunità, un nome utente o un altro soggetto per aggiungere ciò a cui porta.',
    canvas:
      'Disegno del grafo: {nodes} nodi e {edges} collegamenti. Gli stessi nodi e collegamenti sono elencati sotto.',
    loadingGraph: 'Caricamento del grafo…',
    legend: 'Legenda',
    strongLink: 'collegamento forte',
    weakLink: 'collegamento debole',
    otherLink: 'appartenenza, identificativo',
    selection: 'Selezione',
    nothingSelected: 'Nessuna selezione. Scegli un nodo o un collegamento.',
    nodes: 'Nodi ({n})',
    edges: 'Collegamenti ({n})',
    node: 'Nodo',
    type: 'Tipo',
    details: 'Dettagli',
    actions: 'Azioni',
    link: 'Collegamento',
    from: 'Da',
    to: 'A',
    evidence: 'Prove',
    strength: 'Forza',
    expand: 'Espandi',
    expandNode: 'Espandi {label}',
    expanded: 'Espanso',
    expanding: 'Espansione…',
    open: 'Apri',
    openNode: 'Apri {label}',
    added: 'Aggiunti al grafo da {label}: nodi {nodes}, collegamenti {edges}.',
    nothingNew: 'Nient’altro trovato da {label}.',
    selectNode: '{type} {label}',
    selectEdge: '{kind}: {from} → {to}',
    referrals: '{n} segnalazioni',
    referralsOne: '1 segnalazione',
    received: 'Ricevuta',
    country: 'Paese',
    kind: 'Tipo',
    service: 'Servizio',
    score: 'Punteggio',
    reason: 'Corrispondenza',
    referralsCount: 'Segnalazioni',
    accounts: 'Account',
    notes: 'Note',
    noteUnlinkable: 'Impossibile collegare {shown}: {reason}',
    noteTooCommon: 'Troppo comune per collegare: {value}',
    noteMore: 'Mostrate {shown} di {total} segnalazioni con questo nome.',
    primary: 'questo soggetto',
    download: 'Scarica in GraphML',
    'type-subject': 'Soggetto',
    'type-referral': 'Segnalazione',
    'type-account': 'Account',
    'type-identifier': 'Identificativo',
    'type-community': 'Comunità',
    'kind-member': 'segnalato in',
    'kind-reports': 'segnala l’account',
    'kind-seen-in': 'identificativo visto',
    'kind-in-community': 'nella comunità',
    'kind-named-in': 'nome usato in',
    'kind-link:strong': 'collegamento forte',
    'kind-link:weak-corroborated': 'collegamenti deboli concordi',
    'kind-link:analyst-merge': 'unito da un analista',
    'kind-nickname:same-skeleton': 'nome somigliante',
    'kind-nickname:same-letters': 'stesse lettere',
    'kind-nickname:same-stem': 'stessa radice',
    'kind-nickname:similar': 'nome simile',
    'strength-strong': 'forte',
    'strength-weak': 'debole',
    'strength-none': 'nessuna',
    'unlinkable-excluded': 'nella lista di esclusione',
    'unlinkable-non-public': 'indirizzo non pubblico',
    'unlinkable-proxy': 'un proxy',
    'unlinkable-no-time': 'senza orario',
    'unlinkable-no-port': 'indirizzo IPv4 senza porta',
  },
);

type K = keyof (typeof m)['en'];

/** A message key built from data (`kind-…`), or the data itself when no message names it. */
function known(t: Translate<K>, prefix: string, value: string): string {
  const key = `${prefix}-${value}`;
  return key in m.en ? t(key as K) : value;
}

/** The colours and shapes of the drawing, repeated by the legend. */
const LOOK: Readonly<Record<GraphNodeType, { colour: string; shape: cytoscape.Css.NodeShape }>> = {
  subject: { colour: '#0b4f8a', shape: 'star' },
  referral: { colour: '#c77700', shape: 'round-rectangle' },
  account: { colour: '#1e7b3e', shape: 'diamond' },
  identifier: { colour: '#7a4fb5', shape: 'ellipse' },
  community: { colour: '#b3261e', shape: 'hexagon' },
};
const TYPES = Object.keys(LOOK) as GraphNodeType[];

const STYLE: cytoscape.StylesheetJson = [
  {
    selector: 'node',
    style: {
      label: 'data(display)',
      'font-size': 9,
      color: '#1b1f24',
      'text-valign': 'bottom',
      'text-margin-y': 3,
      'text-wrap': 'ellipsis',
      'text-max-width': '110px',
      width: 20,
      height: 20,
      'border-width': 1,
      'border-color': '#1b1f24',
    },
  },
  ...TYPES.map((type) => ({
    selector: `node[type = "${type}"]`,
    style: { shape: LOOK[type].shape, 'background-color': LOOK[type].colour },
  })),
  { selector: 'node[type = "subject"], node[type = "community"]', style: { width: 30, height: 30 } },
  { selector: 'node.primary', style: { width: 42, height: 42, 'border-width': 3, 'font-weight': 'bold' } },
  {
    selector: 'edge',
    style: {
      width: 1,
      'line-color': '#9aa3af',
      'target-arrow-color': '#9aa3af',
      'target-arrow-shape': 'triangle',
      'arrow-scale': 0.7,
      'curve-style': 'bezier',
      label: 'data(display)',
      'font-size': 7,
      color: '#4a5360',
      'text-rotation': 'autorotate',
      'text-background-color': '#ffffff',
      'text-background-opacity': 0.85,
      'text-background-padding': '1px',
    },
  },
  {
    selector: 'edge[strength = "strong"]',
    style: { width: 3, 'line-color': '#1b1f24', 'target-arrow-color': '#1b1f24' },
  },
  {
    selector: 'edge[strength = "weak"]',
    style: { width: 2, 'line-style': 'dashed', 'line-color': '#a15c00', 'target-arrow-color': '#a15c00' },
  },
  {
    selector: 'node:selected',
    style: {
      'border-color': '#c25e00',
      'border-width': 5,
      'overlay-color': '#c25e00',
      'overlay-opacity': 0.2,
    },
  },
  {
    selector: 'edge:selected',
    style: { width: 4, 'line-color': '#c25e00', 'target-arrow-color': '#c25e00', 'font-size': 9 },
  },
];

/** The label of a node in the lists: a subject by its id (the type column says the rest). */
function labelOf(n: GNode): string {
  return n.type === 'subject' ? idOf(n) : n.label;
}

/** A label short enough for the drawing. */
function shortLabel(n: GNode): string {
  const full = n.type === 'referral' ? `${n.label.slice(0, 8)}…` : labelOf(n);
  return full.length > 24 ? `${full.slice(0, 23)}…` : full;
}

/**
 * The graph of one subject with the analyst's expansions. `found` lists the other subjects that expanding
 * reached (the merge dialog offers them).
 */
export function useSubjectGraph(subject: string) {
  const queries = useQueryClient();
  const base = useQuery({
    queryKey: ['subjects', subject, 'graph'],
    queryFn: () =>
      ok<CytoscapeElements>(api.GET('/api/v1/subjects/{id}/graph', { params: { path: { id: subject } } })),
  });
  const [state, setState] = useState<GraphState>(EMPTY);
  const [last, setLast] = useState<{ label: string; nodes: number; edges: number } | null>(null);
  useEffect(() => {
    if (base.data) {
      setState(initial(base.data, subject));
      setLast(null);
    }
  }, [base.data, subject]);

  const fetchers = useMemo<Fetchers>(
    () => ({
      graph: (id) =>
        queries.fetchQuery({
          queryKey: ['subjects', id, 'graph'],
          queryFn: () =>
            ok<CytoscapeElements>(api.GET('/api/v1/subjects/{id}/graph', { params: { path: { id } } })),
          staleTime: 30_000,
        }),
      links: (id) =>
        queries.fetchQuery({
          queryKey: ['referral-links', id],
          queryFn: () =>
            ok<ReferralLinks>(api.GET('/api/v1/referrals/{id}/links', { params: { path: { id } } })),
          staleTime: 30_000,
        }),
      community: (id) =>
        queries.fetchQuery({
          queryKey: ['communities', id],
          queryFn: () => ok<CommunityView>(api.GET('/api/v1/communities/{id}', { params: { path: { id } } })),
          staleTime: 30_000,
        }),
      trace: (q) =>
        queries.fetchQuery({
          queryKey: ['nicknames', q, 10],
          queryFn: () =>
            ok<TraceAnswer>(api.GET('/api/v1/nicknames', { params: { query: { q, limit: 10 } } })),
          staleTime: 30_000,
        }),
    }),
    [queries],
  );

  const expansion = useMutation({
    mutationFn: (node: GNode) => expand(node, fetchers),
    onSuccess: (add, node) => {
      setState((s) => {
        const r = merge(s, add, node.id);
        setLast({ label: labelOf(node), nodes: r.nodes, edges: r.edges });
        return r.state;
      });
    },
  });

  const found = useMemo(
    () =>
      [...state.nodes.values()]
        .filter((n) => n.type === 'subject' && n.id !== subjectNode(subject))
        .map((n) => idOf(n)),
    [state, subject],
  );
  return { subject, base, state, expansion, last, found };
}

export type SubjectGraphModel = ReturnType<typeof useSubjectGraph>;

/** The drawing, its legend and selection, and the same graph as accessible lists. */
export function SubjectGraph({ graph }: { graph: SubjectGraphModel }) {
  const t = useT(m);
  const num = useNumber();
  const headingId = useId();
  const [selected, setSelected] = useState<string | null>(null);
  const [hovered, setHovered] = useState<string | null>(null);
  const { state, expansion, last, subject } = graph;
  const nodes = useMemo(() => [...state.nodes.values()], [state]);
  const edges = useMemo(() => [...state.edges.values()], [state]);
  const primary = subjectNode(subject);
  useEffect(() => {
    if (selected !== null && !state.nodes.has(selected) && !state.edges.has(selected)) setSelected(null);
  }, [state, selected]);

  const kindLabel = useCallback((kind: string) => known(t, 'kind', kind), [t]);
  const nameOf = useCallback(
    (id: string) => {
      const n = state.nodes.get(id);
      return n ? labelOf(n) : id;
    },
    [state],
  );

  const shown = hovered ?? selected;
  const expanding = expansion.isPending ? expansion.variables : undefined;
  const doExpand = (n: GNode) => {
    setSelected(n.id);
    expansion.mutate(n);
  };

  return (
    <section className="panel subject-graph" aria-labelledby={headingId}>
      <div className="graph-head">
        <h2 id={headingId}>{t('title')}</h2>
        <a href={`/api/v1/subjects/${encodeURIComponent(subject)}/graph?format=graphml`} download>
          {t('download')}
        </a>
      </div>
      <p className="muted">{t('intro')}</p>
      {graph.base.isPending ? (
        <Loading label={t('loadingGraph')} />
      ) : graph.base.error ? (
        <ErrorMessage error={graph.base.error} onRetry={() => void graph.base.refetch()} />
      ) : (
        <>
          <div className="graph-layout">
            <GraphCanvas
              nodes={nodes}
              edges={edges}
              primary={primary}
              selected={selected}
              origin={expansion.variables?.id ?? null}
              onSelect={setSelected}
              onHover={setHovered}
              label={t('canvas', { nodes: num(nodes.length), edges: num(edges.length) })}
              kindLabel={kindLabel}
            />
            <div className="graph-side">
              <Legend t={t} />
              <div className="graph-selection" aria-live="polite">
                <h3>{t('selection')}</h3>
                {shown === null ? (
                  <p className="muted">{t('nothingSelected')}</p>
                ) : (
                  <Details
                    id={shown}
                    state={state}
                    primary={primary}
                    t={t}
                    kindLabel={kindLabel}
                    nameOf={nameOf}
                    expanding={expanding?.id === shown}
                    onExpand={doExpand}
                  />
                )}
              </div>
              <div role="status" className="graph-status">
                {expansion.isPending && t('expanding')}
                {!expansion.isPending &&
                  last &&
                  (last.nodes + last.edges > 0
                    ? t('added', { nodes: num(last.nodes), edges: num(last.edges), label: last.label })
                    : t('nothingNew', { label: last.label }))}
              </div>
              {expansion.error && <ErrorMessage error={expansion.error} />}
            </div>
          </div>
          <details open className="graph-list">
            <summary>{t('nodes', { n: num(nodes.length) })}</summary>
            <Table head={[t('node'), t('type'), t('details'), t('actions')]}>
              {nodes.map((n) => (
                <tr
                  key={n.id}
                  aria-selected={selected === n.id}
                  aria-current={selected === n.id ? 'true' : undefined}
                >
                  <th scope="row">
                    <button
                      type="button"
                      className="linkish"
                      aria-pressed={selected === n.id}
                      onFocus={() => setSelected(n.id)}
                      onClick={() => setSelected(n.id)}
                    >
                      <Shape type={n.type} />
                      <span className="mono">{labelOf(n)}</span>
                      {n.id === primary && <span className="muted"> ({t('primary')})</span>}
                    </button>
                  </th>
                  <td>{t(`type-${n.type}` as const)}</td>
                  <td>
                    <Summary node={n} t={t} />
                  </td>
                  <td className="actions">
                    <NodeActions
                      node={n}
                      state={state}
                      primary={primary}
                      t={t}
                      expanding={expanding?.id === n.id}
                      onExpand={doExpand}
                    />
                  </td>
                </tr>
              ))}
            </Table>
          </details>
          <details open className="graph-list">
            <summary>{t('edges', { n: num(edges.length) })}</summary>
            <Table head={[t('link'), t('from'), t('to'), t('evidence')]}>
              {edges.map((e) => (
                <tr
                  key={e.id}
                  aria-selected={selected === e.id}
                  aria-current={selected === e.id ? 'true' : undefined}
                >
                  <th scope="row">
                    <button
                      type="button"
                      className="linkish"
                      aria-pressed={selected === e.id}
                      aria-label={t('selectEdge', {
                        kind: kindLabel(e.kind),
                        from: nameOf(e.source),
                        to: nameOf(e.target),
                      })}
                      onFocus={() => setSelected(e.id)}
                      onClick={() => setSelected(e.id)}
                    >
                      {kindLabel(e.kind)}
                    </button>
                    {e.strength && e.strength !== 'none' && (
                      <span className={`strength strength-${e.strength}`}>
                        {' '}
                        {t(`strength-${e.strength}` as const)}
                      </span>
                    )}
                  </th>
                  <td className="mono">{nameOf(e.source)}</td>
                  <td className="mono">{nameOf(e.target)}</td>
                  <td>{e.evidence ?? ''}</td>
                </tr>
              ))}
            </Table>
          </details>
        </>
      )}
    </section>
  );
}

function Shape({ type }: { type: GraphNodeType }) {
  const c = LOOK[type].colour;
  const path: Record<GraphNodeType, string> = {
    subject: 'M8 1 L10 6 L15 6 L11 9.5 L12.5 15 L8 11.8 L3.5 15 L5 9.5 L1 6 L6 6 Z',
    referral: 'M3 2 H13 Q15 2 15 4 V12 Q15 14 13 14 H3 Q1 14 1 12 V4 Q1 2 3 2 Z',
    account: 'M8 1 L15 8 L8 15 L1 8 Z',
    identifier: 'M8 1 A7 7 0 1 1 7.99 1 Z',
    community: 'M4.5 2 H11.5 L15 8 L11.5 14 H4.5 L1 8 Z',
  };
  return (
    <svg className="shape" width="14" height="14" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path d={path[type]} fill={c} stroke="#1b1f24" strokeWidth="1" />
    </svg>
  );
}

function Legend({ t }: { t: Translate<K> }) {
  return (
    <div className="graph-legend">
      <h3>{t('legend')}</h3>
      <ul>
        {TYPES.map((type) => (
          <li key={type}>
            <Shape type={type} /> {t(`type-${type}` as const)}
          </li>
        ))}
        <li>
          <span className="line line-strong" aria-hidden="true" /> {t('strongLink')}
        </li>
        <li>
          <span className="line line-weak" aria-hidden="true" /> {t('weakLink')}
        </li>
        <li>
          <span className="line line-other" aria-hidden="true" /> {t('otherLink')}
        </li>
      </ul>
    </div>
  );
}

/** One line about a node, for the list. */
function Summary({ node, t }: { node: GNode; t: Translate<K> }) {
  const country = useCountryName();
  const d = node.data;
  const parts: ReactNode[] = [];
  if (typeof d.kind === 'string') parts.push(d.kind);
  if (typeof d.service === 'string' && d.service) parts.push(d.service);
  if (typeof d.country === 'string' && d.country) parts.push(country(d.country));
  if (typeof d.receivedAt === 'string') parts.push(<Time key="t" value={d.receivedAt} />);
  if (typeof d.referrals === 'number')
    parts.push(d.referrals === 1 ? t('referralsOne') : t('referrals', { n: d.referrals }));
  if (typeof d.reason === 'string') parts.push(known(t, 'kind', `nickname:${d.reason}`));
  return (
    <>
      {parts.map((p, i) => (
        <span key={i}>
          {i > 0 && ' · '}
          {p}
        </span>
      ))}
    </>
  );
}

function NodeActions({
  node,
  state,
  primary,
  t,
  expanding,
  onExpand,
}: {
  node: GNode;
  state: GraphState;
  primary: string;
  t: Translate<K>;
  expanding: boolean;
  onExpand: (n: GNode) => void;
}) {
  const label = labelOf(node);
  const to =
    node.type === 'referral'
      ? `/referrals/${encodeURIComponent(idOf(node))}`
      : node.type === 'subject' && node.id !== primary
        ? `/subjects/${encodeURIComponent(idOf(node))}`
        : node.type === 'community'
          ? `/communities/${encodeURIComponent(idOf(node))}`
          : null;
  const canExpand = expandable(node, primary);
  return (
    <>
      {canExpand &&
        (state.expanded.has(node.id) ? (
          <span className="muted">{t('expanded')}</span>
        ) : (
          <button
            type="button"
            onClick={() => onExpand(node)}
            disabled={expanding}
            aria-label={t('expandNode', { label })}
          >
            {expanding ? t('expanding') : t('expand')}
          </button>
        ))}
      {to && (
        <Link to={to} aria-label={t('openNode', { label })}>
          {t('open')}
        </Link>
      )}
    </>
  );
}

function Details({
  id,
  state,
  primary,
  t,
  kindLabel,
  nameOf,
  expanding,
  onExpand,
}: {
  id: string;
  state: GraphState;
  primary: string;
  t: Translate<K>;
  kindLabel: (k: string) => string;
  nameOf: (id: string) => string;
  expanding: boolean;
  onExpand: (n: GNode) => void;
}) {
  const num = useNumber();
  const country = useCountryName();
  const edge = state.edges.get(id);
  if (edge) return <EdgeDetails edge={edge} t={t} kindLabel={kindLabel} nameOf={nameOf} />;
  const node = state.nodes.get(id);
  if (!node) return null;
  const d = node.data;
  const notes = state.notes.get(id) ?? [];
  return (
    <div className="selection-node">
      <p>
        <Shape type={node.type} /> <strong>{t(`type-${node.type}` as const)}</strong>{' '}
        <span className="mono">{labelOf(node)}</span>
      </p>
      <dl className="facts">
        {typeof d.kind === 'string' && (
          <>
            <dt>{t('kind')}</dt>
            <dd>{d.kind}</dd>
          </>
        )}
        {typeof d.service === 'string' && d.service && (
          <>
            <dt>{t('service')}</dt>
            <dd>{d.service}</dd>
          </>
        )}
        {typeof d.receivedAt === 'string' && (
          <>
            <dt>{t('received')}</dt>
            <dd>
              <Time value={d.receivedAt} />
            </dd>
          </>
        )}
        {typeof d.country === 'string' && d.country && (
          <>
            <dt>{t('country')}</dt>
            <dd>{country(d.country)}</dd>
          </>
        )}
        {typeof d.referrals === 'number' && (
          <>
            <dt>{t('referralsCount')}</dt>
            <dd>{num(d.referrals)}</dd>
          </>
        )}
        {typeof d.accounts === 'number' && (
          <>
            <dt>{t('accounts')}</dt>
            <dd>{num(d.accounts)}</dd>
          </>
        )}
        {typeof d.reason === 'string' && (
          <>
            <dt>{t('reason')}</dt>
            <dd>{known(t, 'kind', `nickname:${d.reason}`)}</dd>
          </>
        )}
        {typeof d.score === 'number' && (
          <>
            <dt>{t('score')}</dt>
            <dd>{num(d.score, 2)}</dd>
          </>
        )}
      </dl>
      {notes.length > 0 && (
        <>
          <h4>{t('notes')}</h4>
          <ul>
            {notes.map((n, i) => (
              <li key={i}>
                <NoteText note={n} t={t} />
              </li>
            ))}
          </ul>
        </>
      )}
      <p className="toolbar">
        <NodeActions
          node={node}
          state={state}
          primary={primary}
          t={t}
          expanding={expanding}
          onExpand={onExpand}
        />
      </p>
    </div>
  );
}

function NoteText({ note, t }: { note: Note; t: Translate<K> }) {
  switch (note.type) {
    case 'unlinkable':
      return <>{t('noteUnlinkable', { shown: note.shown, reason: known(t, 'unlinkable', note.reason) })}</>;
    case 'too-common':
      return <>{t('noteTooCommon', { value: note.value })}</>;
    case 'more-referrals':
      return <>{t('noteMore', { shown: note.shown, total: note.total })}</>;
  }
}

function EdgeDetails({
  edge,
  t,
  kindLabel,
  nameOf,
}: {
  edge: GEdge;
  t: Translate<K>;
  kindLabel: (k: string) => string;
  nameOf: (id: string) => string;
}) {
  return (
    <div className="selection-edge">
      <p>
        <strong>{kindLabel(edge.kind)}</strong>
      </p>
      <dl className="facts">
        <dt>{t('from')}</dt>
        <dd className="mono">{nameOf(edge.source)}</dd>
        <dt>{t('to')}</dt>
        <dd className="mono">{nameOf(edge.target)}</dd>
        {edge.strength && (
          <>
            <dt>{t('strength')}</dt>
            <dd>{t(`strength-${edge.strength}` as const)}</dd>
          </>
        )}
        {edge.evidence && (
          <>
            <dt>{t('evidence')}</dt>
            <dd className="evidence">{edge.evidence}</dd>
          </>
        )}
      </dl>
    </div>
  );
}

/**
 * The drawing: Cytoscape.js, loaded on first use (its own chunk), mirroring the nodes and edges given.
 * The canvas is not keyboard-accessible; the lists beside it are, and selecting there highlights here.
 */
function GraphCanvas({
  nodes,
  edges,
  primary,
  selected,
  origin,
  onSelect,
  onHover,
  label,
  kindLabel,
}: {
  nodes: readonly GNode[];
  edges: readonly GEdge[];
  primary: string;
  selected: string | null;
  origin: string | null;
  onSelect: (id: string | null) => void;
  onHover: (id: string | null) => void;
  label: string;
  kindLabel: (kind: string) => string;
}) {
  const container = useRef<HTMLDivElement>(null);
  const cyRef = useRef<cytoscape.Core | null>(null);
  const [ready, setReady] = useState(false);
  const [failed, setFailed] = useState<unknown>(null);
  const handlers = useRef({ onSelect, onHover });
  handlers.current = { onSelect, onHover };
  const laidOut = useRef(false);

  useEffect(() => {
    let cancelled = false;
    let cy: cytoscape.Core | null = null;
    import('cytoscape').then(
      ({ default: create }) => {
        if (cancelled || !container.current) return;
        cy = create({
          container: container.current,
          style: STYLE,
          elements: [],
          minZoom: 0.2,
          maxZoom: 3,
          boxSelectionEnabled: false,
        });
        cy.on('tap', (e) => {
          const target = e.target as cytoscape.Core | cytoscape.SingularElementArgument;
          handlers.current.onSelect(
            target === e.cy ? null : (target as cytoscape.SingularElementArgument).id(),
          );
        });
        cy.on('mouseover', 'node, edge', (e) =>
          handlers.current.onHover((e.target as cytoscape.SingularElementArgument).id()),
        );
        cy.on('mouseout', 'node, edge', () => handlers.current.onHover(null));
        cyRef.current = cy;
        setReady(true);
      },
      (e: unknown) => {
        if (!cancelled) setFailed(e);
      },
    );
    return () => {
      cancelled = true;
      cy?.destroy();
      cyRef.current = null;
    };
  }, []);

  useEffect(() => {
    const cy = cyRef.current;
    if (!ready || !cy) return;
    const want = new Set<string>([...nodes.map((n) => n.id), ...edges.map((e) => e.id)]);
    let changed = false;
    cy.batch(() => {
      cy.elements().forEach((el) => {
        if (!want.has(el.id()) && !el.removed()) {
          el.remove();
          changed = true;
        }
      });
      const near = origin ? cy.getElementById(origin) : null;
      const at = near && near.nonempty() ? near.position() : { x: 0, y: 0 };
      let i = 0;
      for (const n of nodes) {
        const display = shortLabel(n);
        const el = cy.getElementById(n.id);
        if (el.nonempty()) {
          if (el.data('display') !== display) el.data('display', display);
          continue;
        }
        i++;
        cy.add({
          group: 'nodes',
          data: { ...n.data, id: n.id, label: n.label, type: n.type, display },
          position: { x: at.x + 60 * Math.cos(i * 2.4), y: at.y + 60 * Math.sin(i * 2.4) },
          classes: n.id === primary ? 'primary' : '',
        });
        changed = true;
      }
      for (const e of edges) {
        const display = kindLabel(e.kind);
        const el = cy.getElementById(e.id);
        if (el.nonempty()) {
          if (el.data('display') !== display) el.data('display', display);
          continue;
        }
        cy.add({
          group: 'edges',
          data: {
            id: e.id,
            source: e.source,
            target: e.target,
            kind: e.kind,
            display,
            ...(e.strength !== undefined && { strength: e.strength }),
          },
        });
        changed = true;
      }
    });
    if (changed && cy.nodes().nonempty()) {
      cy.layout({
        name: 'cose',
        animate: false,
        randomize: !laidOut.current,
        fit: true,
        padding: 24,
        nodeDimensionsIncludeLabels: true,
      }).run();
      laidOut.current = true;
    }
  }, [ready, nodes, edges, primary, origin, kindLabel]);

  useEffect(() => {
    const cy = cyRef.current;
    if (!ready || !cy) return;
    cy.$(':selected').unselect();
    if (selected) cy.getElementById(selected).select();
  }, [ready, selected, nodes, edges]);

  return (
    <div className="graph-canvas-wrap">
      {failed != null && <ErrorMessage error={failed} />}
      <div ref={container} className="graph-canvas" role="img" aria-label={label} />
    </div>
  );
}
