import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { api, ok } from '../api/client.ts';
import type { DeconflictionNotice, Items } from '../api/views.ts';
import { Empty, ErrorMessage, Loading } from '../components/states.tsx';
import { Table } from '../components/Table.tsx';
import { Time } from '../components/Time.tsx';
import { messages, useNumber, useT } from '../i18n/i18n.tsx';
import { Account } from '../subjects/format.tsx';
import { ListPage, Panel, SubjectLink } from '../subjects/layout.tsx';
import { NicknameTrace } from '../subjects/NicknameTrace.tsx';
import type { SubjectPage } from '../subjects/types.ts';
import '../subjects/subjects.css';

const PAGE = 50;

const m = messages(
  {
    title: 'Subjects',
    intro:
      'People reported across referrals, linked into subjects with the evidence for every join. Only what is in referrals you can read is counted; the rest is named “held elsewhere”.',
    list: 'Subjects in your reach',
    withPrior: 'Only subjects with prior records',
    subject: 'Subject',
    accounts: 'Accounts',
    referrals: 'Referrals',
    firstSeen: 'First seen',
    lastSeen: 'Last seen',
    prior: 'Prior records',
    elsewhere: 'Held elsewhere',
    confirmed: 'confirmed',
    moreAccounts: 'and {n} more',
    none: 'No subjects in referrals you can read.',
    nonePrior: 'No subject in your reach has a prior-records hit.',
    showing: 'Showing {n} subjects.',
    showingAll: 'Showing all {n} subjects.',
    loadMore: 'Load more',
    loadingMore: 'Loading more…',
    heldBy: 'held by {org} since {date}',
    alsoReported: 'also reported to {org}',
    priorHit: '{register} {reference}',
  },
  {
    title: 'Soggetti',
    intro:
      'Persone segnalate in più segnalazioni, collegate in soggetti con le prove di ogni collegamento. Si conta solo ciò che è nelle segnalazioni che puoi leggere; il resto è indicato come “in carico altrove”.',
    list: 'Soggetti di tua competenza',
    withPrior: 'Solo soggetti con precedenti',
    subject: 'Soggetto',
    accounts: 'Account',
    referrals: 'Segnalazioni',
    firstSeen: 'Prima volta',
    lastSeen: 'Ultima volta',
    prior: 'Precedenti',
    elsewhere: 'In carico altrove',
    confirmed: 'confermato',
    moreAccounts: 'e altri {n}',
    none: 'Nessun soggetto nelle segnalazioni che puoi leggere.',
    nonePrior: 'Nessun soggetto di tua competenza ha precedenti.',
    showing: '{n} soggetti mostrati.',
    showingAll: 'Tutti i {n} soggetti mostrati.',
    loadMore: 'Carica altri',
    loadingMore: 'Caricamento…',
    heldBy: 'in carico a {org} dal {date}',
    alsoReported: 'segnalato anche a {org}',
    priorHit: '{register} {reference}',
  },
);

export default function Subjects() {
  const t = useT(m);
  const num = useNumber();
  const [params, setParams] = useSearchParams();
  // The filter answers at once; the address follows (and a Back restores it).
  const priorInAddress = params.get('prior') === '1';
  const [withPrior, setWithPrior] = useState(priorInAddress);
  useEffect(() => setWithPrior(priorInAddress), [priorInAddress]);
  const name = params.get('name') ?? '';
  const set = (key: string, value: string | null) =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        if (value === null || value === '') next.delete(key);
        else next.set(key, value);
        return next;
      },
      { replace: key === 'prior' },
    );

  const pages = useInfiniteQuery({
    queryKey: ['subjects', 'list', { withPrior }],
    queryFn: ({ pageParam }) =>
      ok<SubjectPage>(
        api.GET('/api/v1/subjects', {
          params: {
            query: {
              limit: PAGE,
              ...(pageParam !== undefined && { after: pageParam }),
              ...(withPrior && { withPrior: true }),
            },
          },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next ?? undefined,
  });
  const notices = useQuery({
    queryKey: ['deconfliction'],
    queryFn: () => ok<Items<DeconflictionNotice>>(api.GET('/api/v1/deconfliction')),
  });
  const bySubject = new Map<string, DeconflictionNotice[]>();
  for (const n of notices.data?.items ?? [])
    bySubject.set(n.subject, [...(bySubject.get(n.subject) ?? []), n]);
  const items = pages.data?.pages.flatMap((p) => p.items) ?? [];
  const showElsewhere = bySubject.size > 0;

  return (
    <ListPage title={t('title')} intro={t('intro')}>
      <NicknameTrace query={name} onQuery={(q) => set('name', q)} />
      <Panel title={t('list')}>
        <div className="toolbar">
          <label className="check-inline">
            <span>
              <input
                type="checkbox"
                checked={withPrior}
                onChange={(e) => {
                  setWithPrior(e.target.checked);
                  set('prior', e.target.checked ? '1' : null);
                }}
              />{' '}
              {t('withPrior')}
            </span>
          </label>
        </div>
        {notices.error != null && (
          <ErrorMessage error={notices.error} onRetry={() => void notices.refetch()} />
        )}
        {pages.isPending ? (
          <Loading />
        ) : pages.error && items.length === 0 ? (
          <ErrorMessage error={pages.error} onRetry={() => void pages.refetch()} />
        ) : items.length === 0 ? (
          <Empty>{withPrior ? t('nonePrior') : t('none')}</Empty>
        ) : (
          <>
            <Table
              head={[
                t('subject'),
                t('accounts'),
                { label: t('referrals'), num: true },
                t('firstSeen'),
                t('lastSeen'),
                t('prior'),
                showElsewhere && t('elsewhere'),
              ]}
            >
              {items.map((s) => (
                <tr key={s.id}>
                  <th scope="row">
                    <SubjectLink id={s.id} />
                    {s.confirmed && (
                      <>
                        {' '}
                        <span className="tag confirmed">{t('confirmed')}</span>
                      </>
                    )}
                  </th>
                  <td>
                    <ul className="plain-list">
                      {s.accounts.slice(0, 3).map((a) => (
                        <li key={a}>
                          <Account value={a} />
                        </li>
                      ))}
                      {s.accounts.length > 3 && (
                        <li className="muted">{t('moreAccounts', { n: num(s.accounts.length - 3) })}</li>
                      )}
                    </ul>
                  </td>
                  <td className="num">{num(s.referrals)}</td>
                  <td>
                    <Time value={s.firstSeen} />
                  </td>
                  <td>
                    <Time value={s.lastSeen} />
                  </td>
                  <td>
                    {s.prior.length === 0 ? (
                      <span className="muted">—</span>
                    ) : (
                      <ul className="plain-list">
                        {s.prior.map((h) => (
                          <li key={`${h.register}|${h.reference}|${h.kind}|${h.value}`}>
                            <span className="tag prior">
                              {t('priorHit', { register: h.register, reference: h.reference })}
                            </span>{' '}
                            <span className="muted">{h.reason}</span>
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                  {showElsewhere && (
                    <td>
                      <ul className="plain-list">
                        {(bySubject.get(s.id) ?? []).map((n) => (
                          <li key={n.id}>
                            {n.side === 'newcomer' ? (
                              <HeldBy org={n.otherOrganisation} since={n.heldSince} />
                            ) : (
                              t('alsoReported', { org: n.otherOrganisation })
                            )}
                          </li>
                        ))}
                      </ul>
                    </td>
                  )}
                </tr>
              ))}
            </Table>
            <div className="load-more">
              <p role="status">
                {pages.hasNextPage
                  ? t('showing', { n: num(items.length) })
                  : t('showingAll', { n: num(items.length) })}
              </p>
              {pages.hasNextPage && (
                <button
                  type="button"
                  onClick={() => void pages.fetchNextPage()}
                  disabled={pages.isFetchingNextPage}
                >
                  {pages.isFetchingNextPage ? t('loadingMore') : t('loadMore')}
                </button>
              )}
            </div>
            {pages.error && <ErrorMessage error={pages.error} onRetry={() => void pages.fetchNextPage()} />}
          </>
        )}
      </Panel>
    </ListPage>
  );
}

function HeldBy({ org, since }: { org: string; since: string }) {
  const t = useT(m);
  const [before, after] = t('heldBy', { org, date: '\u0000' }).split('\u0000');
  return (
    <span className="tag elsewhere">
      {before}
      <Time value={since} dateOnly />
      {after}
    </span>
  );
}
