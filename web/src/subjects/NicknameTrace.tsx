import { useQueries, useQuery } from '@tanstack/react-query';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { api, ok } from '../api/client.ts';
import type { NicknameReason, NicknameSuggestion, ReferralLinks, SubjectSummary } from '../api/views.ts';
import { Empty, ErrorMessage, Loading, QueryState } from '../components/states.tsx';
import { messages, useNumber, useT } from '../i18n/i18n.tsx';
import { Account } from './format.tsx';
import { SubjectLink } from './layout.tsx';
import type { TraceAnswer } from './types.ts';

const m = messages(
  {
    title: 'Trace a screen name',
    intro:
      'Finds screen names like this one in referrals you can read: look-alikes, the same letters with separators or digits changed, and similar names. Suggestions only: nothing is merged.',
    name: 'Screen name',
    submit: 'Trace',
    clear: 'Clear',
    results: 'Names like “{q}”, best first',
    none: 'No screen names like “{q}” in referrals you can read.',
    score: 'score {score}',
    referrals: '{n} referrals',
    referralsOne: '1 referral',
    showSubjects: 'Show subjects',
    hideSubjects: 'Hide subjects',
    subjectsOf: 'Subjects of “{name}”',
    findingSubjects: 'Finding the subjects of these referrals…',
    noSubjects: 'None of these referrals is linked to a subject yet.',
    subjectReferrals: '{n} of these referrals',
    'reason-same-skeleton': 'look-alike',
    'reason-same-letters': 'same letters',
    'reason-same-stem': 'same stem',
    'reason-similar': 'similar',
  },
  {
    title: 'Traccia un nome utente',
    intro:
      'Trova nomi utente simili a questo nelle segnalazioni che puoi leggere: nomi somiglianti, le stesse lettere con separatori o cifre diversi e nomi simili. Solo suggerimenti: nulla viene unito.',
    name: 'Nome utente',
    submit: 'Traccia',
    clear: 'Cancella',
    results: 'Nomi simili a «{q}», dal più vicino',
    none: 'Nessun nome utente simile a «{q}» nelle segnalazioni che puoi leggere.',
    score: 'punteggio {score}',
    referrals: '{n} segnalazioni',
    referralsOne: '1 segnalazione',
    showSubjects: 'Mostra i soggetti',
    hideSubjects: 'Nascondi i soggetti',
    subjectsOf: 'Soggetti di «{name}»',
    findingSubjects: 'Ricerca dei soggetti di queste segnalazioni…',
    noSubjects: 'Nessuna di queste segnalazioni è ancora collegata a un soggetto.',
    subjectReferrals: '{n} di queste segnalazioni',
    'reason-same-skeleton': 'somigliante',
    'reason-same-letters': 'stesse lettere',
    'reason-same-stem': 'stessa radice',
    'reason-similar': 'simile',
  },
);

/** Screen names like one the analyst types, ranked, each leading to the subjects reported under it. */
export function NicknameTrace({ query, onQuery }: { query: string; onQuery: (q: string) => void }) {
  const t = useT(m);
  const headingId = useId();
  const [text, setText] = useState(query);
  useEffect(() => setText(query), [query]);
  const trace = useQuery({
    queryKey: ['nicknames', query, 20],
    queryFn: () =>
      ok<TraceAnswer>(api.GET('/api/v1/nicknames', { params: { query: { q: query, limit: 20 } } })),
    enabled: query !== '',
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onQuery(text.trim());
  };
  return (
    <section className="panel trace" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('title')}</h2>
      <p className="muted">{t('intro')}</p>
      <form role="search" aria-labelledby={headingId} onSubmit={submit}>
        <label>
          {t('name')}
          <input
            type="search"
            name="name"
            maxLength={200}
            autoComplete="off"
            spellCheck={false}
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        </label>
        <button type="submit" className="primary" disabled={text.trim() === ''}>
          {t('submit')}
        </button>
        {query !== '' && (
          <button type="button" onClick={() => onQuery('')}>
            {t('clear')}
          </button>
        )}
      </form>
      {query !== '' && (
        <QueryState query={trace}>
          {(answer) =>
            answer.suggestions.length === 0 ? (
              <Empty>{t('none', { q: answer.query })}</Empty>
            ) : (
              <>
                <h3>{t('results', { q: answer.query })}</h3>
                <ol className="suggestions">
                  {answer.suggestions.map((s, i) => (
                    <Suggestion key={`${s.name}|${s.reason}`} s={s} open={i === 0} />
                  ))}
                </ol>
              </>
            )
          }
        </QueryState>
      )}
    </section>
  );
}

function Suggestion({ s, open: initiallyOpen }: { s: NicknameSuggestion; open: boolean }) {
  const t = useT(m);
  const num = useNumber();
  const [open, setOpen] = useState(initiallyOpen);
  const panel = useId();
  const reason = `reason-${s.reason satisfies NicknameReason}` as const;
  return (
    <li>
      <div className="suggestion-head">
        <span className="name mono">{s.name}</span>
        <span className="tag">{t(reason)}</span>
        <span>{t('score', { score: num(s.score, 2) })}</span>
        <span>{s.refCount === 1 ? t('referralsOne') : t('referrals', { n: num(s.refCount) })}</span>
        <button type="button" aria-expanded={open} aria-controls={panel} onClick={() => setOpen(!open)}>
          {open ? t('hideSubjects') : t('showSubjects')}
        </button>
      </div>
      <p className="muted">{s.detail}</p>
      <div id={panel} className="suggestion-subjects">
        {open && <SuggestionSubjects s={s} />}
      </div>
    </li>
  );
}

/** The subjects reported in a name's referrals, through each referral's links. */
function SuggestionSubjects({ s }: { s: NicknameSuggestion }) {
  const t = useT(m);
  const num = useNumber();
  const results = useQueries({
    queries: s.refs.map((id) => ({
      queryKey: ['referral-links', id],
      queryFn: () => ok<ReferralLinks>(api.GET('/api/v1/referrals/{id}/links', { params: { path: { id } } })),
      staleTime: 30_000,
    })),
  });
  if (results.some((r) => r.isPending)) return <Loading label={t('findingSubjects')} />;
  const failed = results.find((r) => r.error);
  if (failed) return <ErrorMessage error={failed.error} onRetry={() => void failed.refetch()} />;
  const subjects = new Map<string, { summary: SubjectSummary; referrals: Set<string> }>();
  for (const r of results)
    for (const mention of r.data?.mentions ?? []) {
      if (!mention.subject || !r.data) continue;
      const cur = subjects.get(mention.subject.id) ?? {
        summary: mention.subject,
        referrals: new Set<string>(),
      };
      cur.referrals.add(r.data.referral);
      subjects.set(mention.subject.id, cur);
    }
  if (subjects.size === 0) return <Empty>{t('noSubjects')}</Empty>;
  return (
    <ul className="plain-list" aria-label={t('subjectsOf', { name: s.name })}>
      {[...subjects.values()]
        .sort((a, b) => b.referrals.size - a.referrals.size || a.summary.id.localeCompare(b.summary.id))
        .map(({ summary, referrals }) => (
          <li key={summary.id}>
            <SubjectLink id={summary.id} /> — {t('subjectReferrals', { n: num(referrals.size) })}
            {summary.accounts.length > 0 && (
              <>
                {' '}
                ·{' '}
                {summary.accounts.map((a, i) => (
                  <span key={a}>
                    {i > 0 && ', '}
                    <Account value={a} />
                  </span>
                ))}
              </>
            )}
          </li>
        ))}
    </ul>
  );
}
