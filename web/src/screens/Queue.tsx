import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../api/client.ts';
import type { QueueItem } from '../api/views.ts';
import { Empty, ErrorMessage, Loading } from '../components/states.tsx';
import { Time } from '../components/Time.tsx';
import { useNumber, useT } from '../i18n/i18n.tsx';
import { organisations, queuePage, queuesInReach } from '../queue/api.ts';
import { Arrivals } from '../queue/Arrivals.tsx';
import { BulkActions, type RowResult } from '../queue/BulkActions.tsx';
import { filtersOf, isFiltered, paramsOf, queryOf, type Filters } from '../queue/filters.ts';
import { FiltersForm } from '../queue/FiltersForm.tsx';
import { useQueueKeys } from '../queue/keys.ts';
import { queueWords } from '../queue/messages.ts';
import { holdReasonKey, LevelBadge, triageWords } from '../queue/shared.tsx';
import { useSession } from '../session.tsx';
import type { ReassignedAway } from '../referral/Actions.tsx';
import '../queue/queue.css';

const SELECTED_KEY = 'conduit.queue.selected';

/** The triage queue: the organisation's referrals by priority then age, a page of 50 at a time. */
export function Queue() {
  const t = useT(queueWords);
  const n = useNumber();
  const session = useSession();
  const canTriage = session.can('referral.triage');
  const navigate = useNavigate();
  const location = useLocation();
  const queries = useQueryClient();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersOf(params), [params]);
  const key = paramsOf(filters).toString();
  const query = useInfiniteQuery({
    queryKey: ['queue', key],
    queryFn: ({ pageParam }) => queuePage(queryOf(filters), pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next ?? undefined,
  });
  const orgs = useQuery({
    queryKey: ['organisations'],
    queryFn: organisations,
    enabled: session.can('organisation.read'),
    staleTime: 60_000,
  });
  const queues = orgs.data ? queuesInReach(orgs.data, session.user.organisation) : [];

  const [results, setResults] = useState<ReadonlyMap<string, RowResult>>(new Map());
  const [lastRun, setLastRun] = useState<readonly string[]>([]);
  const [checked, setChecked] = useState<ReadonlySet<string>>(new Set());
  // The selected row survives a visit to a referral and back (per browser tab).
  const [selected, setSelected] = useState<string | null>(() => sessionStorage.getItem(SELECTED_KEY));
  useEffect(() => {
    if (selected === null) sessionStorage.removeItem(SELECTED_KEY);
    else sessionStorage.setItem(SELECTED_KEY, selected);
  }, [selected]);
  const moved = useRef(false);
  const restored = useRef(false);
  const rowRefs = useRef(new Map<string, HTMLTableRowElement>());

  const rows: QueueItem[] = useMemo(() => {
    const all = query.data?.pages.flatMap((p) => p.items) ?? [];
    return all.map((i) => {
      const r = results.get(i.id);
      return r?.ok ? r.item : i;
    });
  }, [query.data, results]);

  const applyFilters = (f: Filters) => {
    setParams(paramsOf(f));
    setChecked(new Set());
    setSelected(null);
  };
  const from = location.pathname + location.search;
  // Back from a referral reassigned out of this user's reach (its page says so through the router state).
  const away = (location.state as Partial<ReassignedAway> | null)?.reassignedAway;
  const openReferral = (id: string) => {
    void navigate(`/referrals/${encodeURIComponent(id)}`, { state: { from } });
  };
  const index = selected === null ? -1 : rows.findIndex((r) => r.id === selected);
  const move = (to: number) => {
    const row = rows[Math.max(0, Math.min(rows.length - 1, to))];
    if (!row) return;
    moved.current = true;
    setSelected(row.id);
  };
  const toggle = (id: string) =>
    setChecked((c) => {
      const next = new Set(c);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  useQueueKeys({
    next: () => {
      // At the last row loaded, the next page comes (j again moves into it).
      if (index >= rows.length - 1 && query.hasNextPage && !query.isFetchingNextPage)
        void query.fetchNextPage();
      move(index + 1);
    },
    previous: () => move(index < 0 ? 0 : index - 1),
    // Only a row on screen: a remembered id no longer among the rows (filtered out, decided) is not opened.
    open: () => {
      const row = rows[index];
      if (row) openReferral(row.id);
    },
    toggle: () => {
      const row = rows[index];
      if (row && canTriage) toggle(row.id);
    },
  });
  // The selected row comes into view and takes the focus (on its link) when moved to by key.
  useEffect(() => {
    if (!moved.current || selected === null) return;
    moved.current = false;
    const tr = rowRefs.current.get(selected);
    tr?.scrollIntoView({ block: 'nearest' });
    tr?.querySelector<HTMLAnchorElement>('a.row-link')?.focus({ preventScroll: true });
  }, [selected]);
  // Back from a referral: the row it was opened from is brought into view again (once).
  useEffect(() => {
    if (restored.current || rows.length === 0) return;
    restored.current = true;
    if (selected !== null) rowRefs.current.get(selected)?.scrollIntoView({ block: 'center' });
  }, [rows, selected]);

  const refresh = () => {
    setResults(new Map());
    setLastRun([]);
    void queries.resetQueries({ queryKey: ['queue', key] });
  };
  const checkedItems = rows.filter((r) => checked.has(r.id));
  const orgName = filters.org || null;

  return (
    <main id="main" className="queue">
      <h1>{orgName ? t('titleOf', { org: orgName }) : t('title')}</h1>
      <p className="muted">{t('intro')}</p>
      {away && (
        <p role="status" className="notice">
          {t('reassignedAway', { id: away.id, org: away.to })}
        </p>
      )}
      <div className="queue-top">
        <OpenById onOpen={openReferral} />
        <KeyHelp />
      </div>
      <FiltersForm filters={filters} onChange={applyFilters} queues={queues} />
      <Arrivals since={query.data?.pages[0]?.readAt} org={filters.org || undefined} onRefresh={refresh} />
      {canTriage && (
        <BulkActions
          checked={checkedItems}
          onResult={(id, r) => setResults((m) => new Map(m).set(id, r))}
          onDone={() => {
            setLastRun(checkedItems.map((i) => i.id));
            setChecked(new Set());
          }}
          onClear={() => setChecked(new Set())}
        />
      )}
      <Results ids={lastRun} results={results} rows={rows} onDismiss={() => setLastRun([])} />
      {query.isPending ? (
        <Loading />
      ) : query.error && rows.length === 0 ? (
        <ErrorMessage error={query.error} onRetry={() => void query.refetch()} />
      ) : rows.length === 0 ? (
        <Empty>{isFiltered(filters) ? t('emptyFiltered') : t('emptyQueue')}</Empty>
      ) : (
        <>
          <table className="queue-table">
            <caption className="sr-only">{t('tableCaption')}</caption>
            <thead>
              <tr>
                {canTriage && (
                  <th scope="col" className="col-check">
                    <input
                      type="checkbox"
                      aria-label={t('selectAll')}
                      checked={rows.length > 0 && rows.every((r) => checked.has(r.id))}
                      onChange={(e) =>
                        setChecked(e.target.checked ? new Set(rows.map((r) => r.id)) : new Set())
                      }
                    />
                  </th>
                )}
                <th scope="col">{t('colLevel')}</th>
                <th scope="col">{t('colReferral')}</th>
                <th scope="col">{t('colJurisdiction')}</th>
                <th scope="col">{t('colSource')}</th>
                <th scope="col">{t('colReceived')}</th>
                <th scope="col">{t('colFiles')}</th>
                <th scope="col">{t('colHeld')}</th>
                <th scope="col">{t('colStatus')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <Row
                  key={r.id}
                  item={r}
                  from={from}
                  selected={r.id === selected}
                  checked={checked.has(r.id)}
                  canTriage={canTriage}
                  result={results.get(r.id)}
                  onCheck={() => toggle(r.id)}
                  onSelect={() => setSelected(r.id)}
                  rowRef={(el) => {
                    if (el) rowRefs.current.set(r.id, el);
                    else rowRefs.current.delete(r.id);
                  }}
                />
              ))}
            </tbody>
          </table>
          <div className="queue-more">
            <span className="muted" role="status">
              {query.hasNextPage
                ? t('shownMore', { shown: n(rows.length) })
                : t('shown', { shown: n(rows.length) })}
            </span>
            {query.hasNextPage ? (
              <button
                type="button"
                onClick={() => void query.fetchNextPage()}
                disabled={query.isFetchingNextPage}
              >
                {query.isFetchingNextPage ? t('loadingMore') : t('loadMore')}
              </button>
            ) : (
              <span className="muted">{t('end')}</span>
            )}
          </div>
          {query.error && <ErrorMessage error={query.error} onRetry={() => void query.fetchNextPage()} />}
        </>
      )}
    </main>
  );
}

function Row({
  item: r,
  from,
  selected,
  checked,
  canTriage,
  result,
  onCheck,
  onSelect,
  rowRef,
}: {
  item: QueueItem;
  from: string;
  selected: boolean;
  checked: boolean;
  canTriage: boolean;
  result: RowResult | undefined;
  onCheck: () => void;
  onSelect: () => void;
  rowRef: (el: HTMLTableRowElement | null) => void;
}) {
  const t = useT(queueWords);
  const tw = useT(triageWords);
  const n = useNumber();
  const j = r.jurisdiction;
  return (
    <tr
      ref={rowRef}
      aria-selected={selected}
      aria-current={selected ? 'true' : undefined}
      className={checked ? 'checked' : undefined}
      onClick={(e) => {
        if (!(e.target instanceof HTMLElement && e.target.closest('a, input, button'))) onSelect();
      }}
    >
      {canTriage && (
        <td className="col-check">
          <input
            type="checkbox"
            checked={checked}
            onChange={onCheck}
            onFocus={onSelect}
            aria-label={t('selectRow', { ref: r.sourceRef })}
          />
        </td>
      )}
      <td className="col-level">
        <LevelBadge level={r.priority?.level ?? null} overridden={r.priority?.overridden} />
        {r.priority?.score != null && (
          <span className="score muted">{t('score', { score: n(r.priority.score) })}</span>
        )}
      </td>
      <td>
        <Link
          className="row-link"
          to={`/referrals/${encodeURIComponent(r.id)}`}
          state={{ from }}
          onFocus={onSelect}
        >
          {r.sourceRef}
        </Link>
        <span className="sub">{r.incidentType}</span>
      </td>
      <td>
        <span className="country">{j.country ?? t('unknownCountry')}</span>
        {j.region && <span className="region"> · {j.region}</span>}
        {j.confidence !== null && (
          <span className="sub">
            {t('confidence', { value: tw('percent', { n: n(Math.round(j.confidence * 100)) }) })}
          </span>
        )}
      </td>
      <td>{r.source}</td>
      <td>
        <Time value={r.receivedAt} />
      </td>
      <td>
        {r.media && r.media.files > 0 ? (
          <>
            {r.media.files === 1 ? t('mediaFile') : t('mediaFiles', { n: n(r.media.files) })}
            <span className="sub">
              {t('mediaDetail', { matched: n(r.media.matched), unknown: n(r.media.unknown) })}
            </span>
          </>
        ) : (
          <span className="muted">{t('noMedia')}</span>
        )}
      </td>
      <td>
        {r.held ? (
          <span className="held-flag" title={r.hold?.detail}>
            {tw('held')}
            {r.hold && <span className="sub">{tw(holdReasonKey(r.hold.reason))}</span>}
          </span>
        ) : (
          <span className="muted">{t('notHeld')}</span>
        )}
      </td>
      <td className="col-status">
        <span className={`triage-${r.triage}`}>{tw(r.triage === 'accepted' ? 'accepted' : 'pending')}</span>
        {r.classification === 'informational' && <span className="sub">{tw('informational')}</span>}
        {result && <RowOutcome result={result} />}
      </td>
    </tr>
  );
}

function RowOutcome({ result }: { result: RowResult }) {
  const t = useT(queueWords);
  if (result.ok && result.action === 'accept') return null;
  if (result.ok)
    return (
      <span className="sub outcome-ok">
        {result.action === 'accept'
          ? t('resultAccepted')
          : t('resultReassigned', { org: result.item.recipient ?? '' })}
      </span>
    );
  const e = result.error;
  const why =
    e instanceof ApiError && e.problems.length > 0
      ? e.problems.map((p) => p.message).join('; ')
      : e instanceof Error
        ? e.message
        : '';
  return (
    <span className="sub outcome-refused">
      {t('resultRefused')}
      {why && `: ${why}`}
    </span>
  );
}

/** What the last bulk action did, row by row; each refusal with the server's own explanation. */
function Results({
  ids,
  results,
  rows,
  onDismiss,
}: {
  ids: readonly string[];
  results: ReadonlyMap<string, RowResult>;
  rows: readonly QueueItem[];
  onDismiss: () => void;
}) {
  const t = useT(queueWords);
  const n = useNumber();
  if (ids.length === 0) return null;
  const ref = (id: string) => rows.find((r) => r.id === id)?.sourceRef ?? id;
  const outcomes = ids.flatMap((id) => {
    const r = results.get(id);
    return r ? [{ id, r }] : [];
  });
  const refused = outcomes.filter((o) => !o.r.ok);
  return (
    <section className="panel results" aria-labelledby="results-title">
      <h2 id="results-title">{t('resultsTitle')}</h2>
      <p role="status">
        {t('resultsSummary', { ok: n(outcomes.length - refused.length), refused: n(refused.length) })}
      </p>
      <ul className="results-list">
        {outcomes.map(({ id, r }) => (
          <li key={id}>
            <span className="mono">{ref(id)}</span>:{' '}
            {r.ok ? (
              r.action === 'accept' ? (
                t('resultAccepted')
              ) : (
                t('resultReassigned', { org: r.item.recipient ?? '' })
              )
            ) : (
              <ErrorMessage error={r.error} />
            )}
          </li>
        ))}
      </ul>
      <button type="button" onClick={onDismiss}>
        {t('dismiss')}
      </button>
    </section>
  );
}

function OpenById({ onOpen }: { onOpen: (id: string) => void }) {
  const t = useT(queueWords);
  const [id, setId] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const v = id.trim();
    if (v) onOpen(v);
  };
  return (
    <form className="open-by-id" role="search" onSubmit={submit}>
      <label>
        {t('openById')}
        <input
          type="search"
          className="mono"
          value={id}
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => setId(e.target.value)}
        />
      </label>
      <button type="submit">{t('open')}</button>
    </form>
  );
}

function KeyHelp() {
  const t = useT(queueWords);
  return (
    <section className="key-help" aria-labelledby="key-help-title">
      <h2 id="key-help-title">{t('keysTitle')}</h2>
      <dl>
        <dt>
          <kbd>j</kbd>
        </dt>
        <dd>{t('keyNext')}</dd>
        <dt>
          <kbd>k</kbd>
        </dt>
        <dd>{t('keyPrevious')}</dd>
        <dt>
          <kbd>Enter</kbd>
        </dt>
        <dd>{t('keyOpen')}</dd>
        <dt>
          <kbd>x</kbd>
        </dt>
        <dd>{t('keyCheck')}</dd>
      </dl>
    </section>
  );
}
