import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { ApiError } from '../api/client.ts';
import { ErrorMessage, Loading } from '../components/states.tsx';
import { Time } from '../components/Time.tsx';
import { useT } from '../i18n/i18n.tsx';
import { organisations } from '../queue/api.ts';
import { LevelBadge, triageWords } from '../queue/shared.tsx';
import { Actions } from '../referral/Actions.tsx';
import { referral, type ReferralAnswer } from '../referral/api.ts';
import { DecisionPanel } from '../referral/Decision.tsx';
import { Facts } from '../referral/Facts.tsx';
import { Links } from '../referral/Links.tsx';
import { referralWords } from '../referral/messages.ts';
import { RawDocument } from '../referral/RawDocument.tsx';
import { Report } from '../referral/Report.tsx';
import { useSession } from '../session.tsx';
import '../queue/queue.css';
import '../referral/referral.css';

/** One referral: the report as analysts read it, the decision beside it, the triage actions. */
export default function Referral() {
  const t = useT(referralWords);
  const { id = '' } = useParams();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from;
  const back = from?.startsWith('/queue') ? from : '/queue';
  const q = useQuery({ queryKey: ['referral', id], queryFn: () => referral(id) });
  const backLink = (
    <p className="back">
      <Link to={back}>← {t('backToQueue')}</Link>
    </p>
  );
  if (q.isPending)
    return (
      <main id="main">
        {backLink}
        <h1>{t('titlePlain')}</h1>
        <Loading />
      </main>
    );
  if (q.error || !q.data) {
    const notFound = q.error instanceof ApiError && q.error.status === 404;
    return (
      <main id="main">
        {backLink}
        <h1>{t('titlePlain')}</h1>
        <ErrorMessage error={q.error} onRetry={notFound ? undefined : () => void q.refetch()} />
        {notFound && <p className="not-found-help">{t('notFoundHelp')}</p>}
        <p className="muted mono">{id}</p>
      </main>
    );
  }
  return <ReferralPage view={q.data} backLink={backLink} back={back} />;
}

function ReferralPage({ view, backLink, back }: { view: ReferralAnswer; backLink: ReactNode; back: string }) {
  const t = useT(referralWords);
  const tw = useT(triageWords);
  const session = useSession();
  const orgs = useQuery({
    queryKey: ['organisations'],
    queryFn: organisations,
    enabled: session.can('organisation.read'),
    staleTime: 60_000,
  });
  if (view.access === 'status')
    return (
      <main id="main">
        {backLink}
        <h1>{t('title', { ref: view.sourceRef })}</h1>
        <p className="notice">{t('statusOnly')}</p>
        <Facts
          rows={[
            [t('factId'), <span className="mono">{view.id}</span>],
            [t('factSourceRef'), <span className="mono">{view.sourceRef}</span>],
            [t('factReceived'), <Time value={view.receivedAt} />],
          ]}
        />
      </main>
    );
  const v = view;
  const orgName = (id: string | null) =>
    id === null ? t('unassigned') : (orgs.data?.find((o) => o.id === id)?.slug ?? id);
  const held = v.status === 'held';
  return (
    <main id="main" className="referral">
      {backLink}
      <h1>
        {t('title', { ref: v.sourceRef })}{' '}
        <LevelBadge level={v.priority} overridden={v.overrides.priority !== undefined} />
      </h1>
      <div className="referral-summary panel">
        <Facts
          rows={[
            [t('factId'), <span className="mono">{v.id}</span>],
            [t('factSource'), v.source],
            [t('factReceived'), <Time value={v.receivedAt} />],
            [t('factRecipient'), v.recipient ?? t('unassigned')],
            [t('factOutcome'), held ? <span className="held-flag">{tw('held')}</span> : t('routed')],
            [
              t('factTriage'),
              <span className={`triage-${v.triage}`}>
                {tw(v.triage === 'accepted' ? 'accepted' : 'pending')}
              </span>,
            ],
            [
              t('classificationTitle'),
              tw(v.classification === 'informational' ? 'informational' : 'actionable'),
            ],
            [t('factFormat'), v.format],
            [t('factSha'), <span className="mono">{v.contentSha256}</span>],
          ]}
        />
      </div>
      {session.can('referral.triage') && (
        <Actions
          back={back}
          id={v.id}
          accepted={v.triage === 'accepted'}
          level={v.priority}
          recipient={v.recipient}
        />
      )}
      <div className="grid-2 referral-grid">
        <Report doc={v.document} decision={v.decision} />
        <section className="decision" aria-labelledby="decision-title">
          <h2 id="decision-title">{t('decisionTitle')}</h2>
          <DecisionPanel
            decision={v.decision}
            overrides={v.overrides}
            level={v.priority}
            recipient={v.recipient}
            files={v.document.files}
            orgName={orgName}
          />
          {session.can('subject.read') && <Links id={v.id} />}
        </section>
      </div>
      <RawDocument id={v.id} />
    </main>
  );
}
