import { useQueries, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { SubjectView, Unlinkable } from '../api/views.ts';
import { ErrorMessage, Loading } from '../components/states.tsx';
import { Time } from '../components/Time.tsx';
import { useNumber, useT } from '../i18n/i18n.tsx';
import { LevelBadge } from '../queue/shared.tsx';
import { ReferralLink } from '../subjects/layout.tsx';
import { referralLinks, subject } from './api.ts';
import { referralWords } from './messages.ts';

const short = (id: string) => (id.length > 13 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id);

/** The referral id of a mention (`<referral>.<slot>`). */
const referralOf = (mention: string) => mention.slice(0, mention.lastIndexOf('.'));

/**
 * Each reported person's subject (link to it), the other referrals linked to this one directly with the
 * evidence in words, and the subject's other referrals in the user's reach.
 */
export function Links({ id }: { id: string }) {
  const t = useT(referralWords);
  // The linking rules by name, as the subject page names them; an unknown rule by its id.
  const ruleName = (rule: string): string => {
    const key = `rule-${rule}`;
    return key in referralWords.en ? t(key as keyof typeof referralWords.en) : rule;
  };
  const n = useNumber();
  const links = useQuery({ queryKey: ['referral-links', id], queryFn: () => referralLinks(id) });
  const subjectIds = [
    ...new Set((links.data?.mentions ?? []).flatMap((m) => (m.subject ? [m.subject.id] : []))),
  ];
  const subjects = useQueries({
    queries: subjectIds.map((s) => ({ queryKey: ['subjects', s], queryFn: () => subject(s) })),
  });
  const byId = new Map<string, { data?: SubjectView; error: unknown; isPending: boolean }>(
    subjectIds.map((s, i) => [s, subjects[i] ?? { error: null, isPending: true }]),
  );
  return (
    <section className="panel links" aria-labelledby="links-title">
      <h3 id="links-title">{t('linksTitle')}</h3>
      {links.isPending ? (
        <Loading />
      ) : links.error || !links.data ? (
        <ErrorMessage error={links.error} onRetry={() => void links.refetch()} />
      ) : (
        <>
          {links.data.mentions.every((m) => !m.subject) && <p className="empty">{t('noLinks')}</p>}
          {links.data.mentions.map((m) => {
            const mention = `${id}.${m.slot}`;
            if (!m.subject)
              return (
                <div key={m.slot} className="sub-block">
                  <p>{t('notLinked', { n: m.slot + 1 })}</p>
                  <UnlinkableList items={m.unlinkable} />
                </div>
              );
            const s = byId.get(m.subject.id);
            const view = s?.data;
            const direct = (view?.evidence ?? []).filter((e) => e.from === mention || e.to === mention);
            const directIds = new Set(
              direct
                .flatMap((e) => [e.from, e.to])
                .flatMap((x) => (x && x !== mention ? [referralOf(x)] : [])),
            );
            const others = (view?.referralsVisible ?? []).filter((r) => r.id !== id && !directIds.has(r.id));
            const info = new Map((view?.referralsVisible ?? []).map((r) => [r.id, r]));
            return (
              <div key={m.slot} className="sub-block">
                <h4>
                  {t('subjectOf', { n: m.slot + 1 })}:{' '}
                  <Link to={`/subjects/${encodeURIComponent(m.subject.id)}`}>
                    {t('subjectLink', { id: m.subject.id })}
                  </Link>
                </h4>
                <p className="muted">
                  {t('subjectReferrals', { count: n(m.subject.referrals) })}
                  {m.subject.confirmed && ` · ${t('confirmed')}`}
                  {m.subject.accounts.length > 0 && ` · ${m.subject.accounts.join(', ')}`}
                </p>
                {s?.isPending && <Loading />}
                {s?.error != null && <ErrorMessage error={s.error} />}
                {direct.length > 0 && (
                  <>
                    <h5>{t('linkedBy')}</h5>
                    <ul className="link-list">
                      {direct.map((e, i) => {
                        const other = e.from === mention ? e.to : e.from;
                        const rid = other ? referralOf(other) : null;
                        const r = rid ? info.get(rid) : undefined;
                        return (
                          <li key={i}>
                            {rid ? (
                              <ReferralLink id={rid}>{t('referralLink', { id: short(rid) })}</ReferralLink>
                            ) : (
                              <span className="muted">—</span>
                            )}
                            {r && (
                              <span className="muted">
                                {' '}
                                <LevelBadge level={r.priority} /> {r.country ?? ''} ·{' '}
                                <Time value={r.receivedAt} />
                              </span>
                            )}{' '}
                            <span className="tag">{t('rule', { rule: ruleName(e.rule) })}</span>
                            {e.reasons.length > 0 && (
                              <ul className="evidence">
                                {e.reasons.map((why, j) => (
                                  <li key={j}>{why}</li>
                                ))}
                              </ul>
                            )}
                          </li>
                        );
                      })}
                    </ul>
                  </>
                )}
                {others.length > 0 && (
                  <>
                    <h5>{t('otherReferrals')}</h5>
                    <ul className="link-list">
                      {others.map((r) => (
                        <li key={`${r.id}.${r.slot}`}>
                          <ReferralLink id={r.id}>{t('referralLink', { id: short(r.id) })}</ReferralLink>{' '}
                          <span className="muted">
                            <LevelBadge level={r.priority} /> {r.country ?? ''} ·{' '}
                            <Time value={r.receivedAt} /> · <span className="mono">{r.account}</span>
                          </span>
                        </li>
                      ))}
                    </ul>
                  </>
                )}
                <UnlinkableList items={m.unlinkable} />
              </div>
            );
          })}
          {links.data.tooCommon.length > 0 && (
            <>
              <h4>{t('tooCommon')}</h4>
              <ul className="lines">
                {links.data.tooCommon.map((c, i) => (
                  <li key={i}>
                    {c.kind}: <span className="mono">{c.value}</span>
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </section>
  );
}

function UnlinkableList({ items }: { items: readonly Unlinkable[] }) {
  const t = useT(referralWords);
  if (items.length === 0) return null;
  return (
    <>
      <h5>{t('unlinkableTitle')}</h5>
      <ul className="lines">
        {items.map((u, i) => (
          <li key={i}>
            {u.kind} <span className="mono">{u.shown}</span> — {t(`unl_${u.reason}`)}
          </li>
        ))}
      </ul>
    </>
  );
}
