import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import { Fragment, useId, useState, type FormEvent } from 'react';
import { api, ok } from '../api/client.ts';
import type { AuditEventView, ChainVerdict } from '../api/views.ts';
import { Empty, ErrorMessage, Loading } from '../components/states.tsx';
import { Table } from '../components/Table.tsx';
import { Time } from '../components/Time.tsx';
import { messages, useNumber, useT } from '../i18n/i18n.tsx';
import { keys } from './queries.ts';
import { AdminPage } from './shared.tsx';
import type { AuditPage } from './types.ts';

const m = messages(
  {
    search: 'Search the trail',
    actor: 'Actor',
    actorHint: 'exactly: user:ana@example.org, apikey:<id> or cli:<name>',
    action: 'Action',
    actionHint: 'exactly, e.g. user.add, apikey.revoke, referral.read',
    objectType: 'Subject type',
    objectTypeHint: 'what was acted on, e.g. user, apikey, referral',
    objectId: 'Subject id',
    from: 'From',
    to: 'Until',
    timeHint: 'in your time zone',
    submit: 'Search',
    clear: 'Clear filters',
    results: 'Events',
    resultsNote: 'Newest first. Your searches are recorded in the trail too.',
    shown: '{n} events shown',
    shownOne: '{n} event shown',
    seq: 'No.',
    at: 'Time',
    organisation: 'Organisation',
    object: 'Subject',
    outcome: 'Outcome',
    details: 'Details',
    show: 'Show',
    hide: 'Hide',
    ofEvent: ' details of event {seq}',
    requestId: 'Request id',
    hash: 'Chain hash',
    payload: 'Recorded details',
    older: 'Load older events',
    loadingOlder: 'Loading older events…',
    end: 'The beginning of the trail (for this search) is reached.',
    none: 'No event matches this search.',
    verify: 'Verify the chain',
    verifyTitle: 'Chain verification',
    verifyHelp:
      'Recomputes the hash of every event in order and compares each link: any change, removal or reordering shows.',
    verifying: 'Verifying…',
    intact: 'The chain is intact: {events} events, every link checked.',
    headHash: 'Head hash',
    broken: 'The chain is broken at event {seq}: {reason}',
    brokenHelp: 'Report this to your security officer: the trail may have been altered.',
    ok: 'ok',
    denied: 'denied',
    error: 'error',
  },
  {
    search: 'Cerca nel registro',
    actor: 'Autore',
    actorHint: 'esatto: user:ana@example.org, apikey:<id> o cli:<nome>',
    action: 'Azione',
    actionHint: 'esatta, es. user.add, apikey.revoke, referral.read',
    objectType: 'Tipo di oggetto',
    objectTypeHint: 'su cosa si è agito, es. user, apikey, referral',
    objectId: 'Id dell’oggetto',
    from: 'Da',
    to: 'Fino a',
    timeHint: 'nel tuo fuso orario',
    submit: 'Cerca',
    clear: 'Azzera i filtri',
    results: 'Eventi',
    resultsNote: 'Dal più recente. Anche le tue ricerche sono registrate.',
    shown: '{n} eventi mostrati',
    shownOne: '{n} evento mostrato',
    seq: 'N.',
    at: 'Ora',
    organisation: 'Organizzazione',
    object: 'Oggetto',
    outcome: 'Esito',
    details: 'Dettagli',
    show: 'Mostra',
    hide: 'Nascondi',
    ofEvent: ' i dettagli dell’evento {seq}',
    requestId: 'Id richiesta',
    hash: 'Hash della catena',
    payload: 'Dettagli registrati',
    older: 'Carica eventi precedenti',
    loadingOlder: 'Caricamento degli eventi precedenti…',
    end: 'Raggiunto l’inizio del registro (per questa ricerca).',
    none: 'Nessun evento corrisponde a questa ricerca.',
    verify: 'Verifica la catena',
    verifyTitle: 'Verifica della catena',
    verifyHelp:
      'Ricalcola l’hash di ogni evento in ordine e confronta ogni collegamento: qualsiasi modifica, rimozione o riordino emerge.',
    verifying: 'Verifica in corso…',
    intact: 'La catena è integra: {events} eventi, ogni collegamento verificato.',
    headHash: 'Hash di testa',
    broken: 'La catena è interrotta all’evento {seq}: {reason}',
    brokenHelp: 'Segnalalo al responsabile della sicurezza: il registro potrebbe essere stato alterato.',
    ok: 'ok',
    denied: 'negato',
    error: 'errore',
  },
);

interface Filters {
  actor: string;
  action: string;
  objectType: string;
  objectId: string;
  from: string;
  to: string;
}

const EMPTY: Filters = { actor: '', action: '', objectType: '', objectId: '', from: '', to: '' };
const PAGE = 50;
const ACTIONS = [
  'access.denied',
  'apikey.create',
  'apikey.revoke',
  'audit.search',
  'hashlist.import',
  'hashlist.remove',
  'organisation.add',
  'referral.read',
  'referral.receive',
  'register.import',
  'routing.load',
  'priority.load',
  'rules.read',
  'session.create',
  'session.revoke',
  'user.add',
  'user.disable',
];

/** A datetime-local value (the user's zone) as an instant, or undefined when empty or unreadable. */
function instant(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export default function Audit() {
  return (
    <AdminPage section="audit">
      <Verify />
      <Search />
    </AdminPage>
  );
}

function Search() {
  const t = useT(m);
  const num = useNumber();
  const id = useId();
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [applied, setApplied] = useState<Filters>(EMPTY);
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  const query = {
    ...(applied.actor.trim() && { actor: applied.actor.trim() }),
    ...(applied.action.trim() && { action: applied.action.trim() }),
    ...(applied.objectType.trim() && { objectType: applied.objectType.trim() }),
    ...(applied.objectId.trim() && { objectId: applied.objectId.trim() }),
    ...(instant(applied.from) && { from: instant(applied.from) }),
    ...(instant(applied.to) && { to: instant(applied.to) }),
  };
  const pages = useInfiniteQuery({
    queryKey: keys.audit(query),
    initialPageParam: undefined as number | undefined,
    queryFn: ({ pageParam }) =>
      ok<AuditPage>(
        api.GET('/api/v1/audit', {
          params: { query: { ...query, limit: PAGE, ...(pageParam !== undefined && { before: pageParam }) } },
        }),
      ),
    getNextPageParam: (last) => last.next ?? undefined,
    staleTime: 0,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setOpen(new Set());
    if (JSON.stringify(draft) === JSON.stringify(applied)) void pages.refetch();
    else setApplied(draft);
  };
  const set = (k: keyof Filters) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [k]: e.target.value }));
  const toggle = (seq: number) =>
    setOpen((now) => {
      const next = new Set(now);
      if (next.has(seq)) next.delete(seq);
      else next.add(seq);
      return next;
    });
  const items: AuditEventView[] = pages.data?.pages.flatMap((p) => p.items) ?? [];
  const field = (k: keyof Filters, label: string, hint?: string, type = 'text', list?: string) => (
    <div className="field">
      <label htmlFor={`${id}-${k}`}>{label}</label>
      <input
        id={`${id}-${k}`}
        type={type}
        value={draft[k]}
        list={list}
        autoComplete="off"
        aria-describedby={hint ? `${id}-${k}-hint` : undefined}
        onChange={set(k)}
      />
      {hint && (
        <span id={`${id}-${k}-hint`} className="hint">
          {hint}
        </span>
      )}
    </div>
  );
  return (
    <>
      <section className="panel" aria-labelledby={`${id}-h`}>
        <h2 id={`${id}-h`}>{t('search')}</h2>
        <form onSubmit={submit} className="form-grid" role="search" aria-labelledby={`${id}-h`}>
          {field('actor', t('actor'), t('actorHint'))}
          {field('action', t('action'), t('actionHint'), 'text', `${id}-actions`)}
          <datalist id={`${id}-actions`}>
            {ACTIONS.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
          {field('objectType', t('objectType'), t('objectTypeHint'))}
          {field('objectId', t('objectId'))}
          {field('from', t('from'), t('timeHint'), 'datetime-local')}
          {field('to', t('to'), t('timeHint'), 'datetime-local')}
          <div className="form-actions">
            <button type="submit" className="primary">
              {t('submit')}
            </button>
            <button
              type="button"
              onClick={() => {
                setDraft(EMPTY);
                setApplied(EMPTY);
                setOpen(new Set());
              }}
            >
              {t('clear')}
            </button>
          </div>
        </form>
      </section>
      <section className="panel" aria-labelledby={`${id}-r`}>
        <h2 id={`${id}-r`}>{t('results')}</h2>
        <p className="muted">{t('resultsNote')}</p>
        {pages.isPending ? (
          <Loading />
        ) : pages.error && !pages.data ? (
          <ErrorMessage error={pages.error} onRetry={() => void pages.refetch()} />
        ) : items.length === 0 ? (
          <Empty>{t('none')}</Empty>
        ) : (
          <>
            <p className="muted" role="status">
              {t(items.length === 1 ? 'shownOne' : 'shown', { n: num(items.length) })}
            </p>
            <Table
              className="audit"
              head={[
                t('seq'),
                t('at'),
                t('actor'),
                t('organisation'),
                t('action'),
                t('object'),
                t('outcome'),
                t('details'),
              ]}
            >
              {items.map((e) => (
                <Fragment key={e.seq}>
                  <tr data-seq={e.seq}>
                    <th scope="row" className="num">
                      {e.seq}
                    </th>
                    <td>
                      <Time value={e.at} />
                    </td>
                    <td className="mono actor">{e.actor}</td>
                    <td>{e.organisation ? <code>{e.organisation}</code> : '—'}</td>
                    <td>
                      <code>{e.action}</code>
                    </td>
                    <td className="mono">
                      {e.objectType}
                      {e.objectId ? `:${e.objectId}` : ''}
                    </td>
                    <td>
                      <span className={`state ${e.outcome === 'ok' ? 'state-on' : 'state-off'}`}>
                        {e.outcome === 'ok' || e.outcome === 'denied' || e.outcome === 'error'
                          ? t(e.outcome)
                          : e.outcome}
                      </span>
                    </td>
                    <td>
                      <button
                        type="button"
                        aria-expanded={open.has(e.seq)}
                        aria-controls={`${id}-d-${e.seq}`}
                        onClick={() => toggle(e.seq)}
                      >
                        {open.has(e.seq) ? t('hide') : t('show')}
                        <span className="sr-only">{t('ofEvent', { seq: e.seq })}</span>
                      </button>
                    </td>
                  </tr>
                  {open.has(e.seq) && (
                    <tr className="audit-details" id={`${id}-d-${e.seq}`}>
                      <td colSpan={8}>
                        <dl className="facts">
                          <dt>{t('requestId')}</dt>
                          <dd className="mono">{e.requestId ?? '—'}</dd>
                          <dt>{t('hash')}</dt>
                          <dd className="mono">{e.hash}</dd>
                          <dt>{t('payload')}</dt>
                          <dd>
                            <pre className="mono json">{JSON.stringify(e.details, null, 2)}</pre>
                          </dd>
                        </dl>
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </Table>
            {pages.error && <ErrorMessage error={pages.error} onRetry={() => void pages.fetchNextPage()} />}
            {pages.hasNextPage ? (
              <button
                type="button"
                className="more"
                disabled={pages.isFetchingNextPage}
                onClick={() => void pages.fetchNextPage()}
              >
                {pages.isFetchingNextPage ? t('loadingOlder') : t('older')}
              </button>
            ) : (
              <p className="muted">{t('end')}</p>
            )}
          </>
        )}
      </section>
    </>
  );
}

function Verify() {
  const t = useT(m);
  const num = useNumber();
  const id = useId();
  const verify = useMutation({
    mutationFn: () => ok<ChainVerdict>(api.GET('/api/v1/audit/verify')),
  });
  const v = verify.data;
  return (
    <section className="panel" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{t('verifyTitle')}</h2>
      <p className="muted">{t('verifyHelp')}</p>
      <button type="button" className="primary" disabled={verify.isPending} onClick={() => verify.mutate()}>
        {verify.isPending ? t('verifying') : t('verify')}
      </button>
      {verify.error ? <ErrorMessage error={verify.error} /> : null}
      {v && !verify.isPending && (
        <div className="verdict">
          {v.ok ? (
            <div role="status" className="success">
              <p>
                <strong>{t('intact', { events: num(v.events) })}</strong>
              </p>
              <p>
                {t('headHash')}: <code>{v.headHash}</code>
              </p>
            </div>
          ) : (
            <div role="alert" className="error">
              <p>
                <strong>{t('broken', { seq: v.seq, reason: v.reason })}</strong>
              </p>
              <p>{t('brokenHelp')}</p>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
