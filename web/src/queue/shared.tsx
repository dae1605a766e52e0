import { useQuery } from '@tanstack/react-query';
import type { HoldReason } from '../api/views.ts';
import { ErrorMessage, Loading } from '../components/states.tsx';
import { messages, useT } from '../i18n/i18n.tsx';
import { useSession } from '../session.tsx';
import { organisations, reassignTargets } from './api.ts';

/** Words the queue and the referral screens share: levels, hold reasons, triage states, actions. */
export const triageWords = messages(
  {
    levelWord: 'Level',
    noLevel: 'No priority',
    overridden: 'overridden',
    overriddenTitle: 'Priority set by an analyst',
    pending: 'Pending',
    accepted: 'Accepted',
    held: 'Held for triage',
    actionable: 'Actionable',
    informational: 'Informational',
    hold_no_recipient: 'no organisation to receive it',
    hold_no_location: 'no location evidence',
    hold_low_confidence: 'low confidence in the country',
    hold_conflicting_countries: 'countries conflict',
    accept: 'Accept',
    reassign: 'Reassign',
    overridePriority: 'Override priority',
    target: 'Send to organisation',
    chooseTarget: 'Choose an organisation…',
    noTargets: 'There is no organisation you can send referrals to.',
    newLevel: 'New priority level',
    percent: '{n}%',
  },
  {
    levelWord: 'Livello',
    noLevel: 'Nessuna priorità',
    overridden: 'modificata',
    overriddenTitle: 'Priorità impostata da un analista',
    pending: 'In attesa',
    accepted: 'Accettata',
    held: 'Trattenuta per il triage',
    actionable: 'Da trattare',
    informational: 'Informativa',
    hold_no_recipient: 'nessuna organizzazione per riceverla',
    hold_no_location: 'nessun indizio di posizione',
    hold_low_confidence: 'bassa fiducia nel paese',
    hold_conflicting_countries: 'paesi in conflitto',
    accept: 'Accetta',
    reassign: 'Riassegna',
    overridePriority: 'Modifica priorità',
    target: 'Invia all’organizzazione',
    chooseTarget: 'Scegli un’organizzazione…',
    noTargets: 'Non ci sono organizzazioni a cui puoi inviare segnalazioni.',
    newLevel: 'Nuovo livello di priorità',
    percent: '{n}%',
  },
);

export function holdReasonKey(
  r: HoldReason,
): 'hold_no_recipient' | 'hold_no_location' | 'hold_low_confidence' | 'hold_conflicting_countries' {
  switch (r) {
    case 'no_recipient':
      return 'hold_no_recipient';
    case 'no_location':
      return 'hold_no_location';
    case 'low_confidence':
      return 'hold_low_confidence';
    case 'conflicting_countries':
      return 'hold_conflicting_countries';
  }
}

/** A priority level as a coloured badge, named for screen readers ("Level E"), marked when overridden. */
export function LevelBadge({ level, overridden = false }: { level: string | null; overridden?: boolean }) {
  const t = useT(triageWords);
  if (level === null)
    return (
      <span className="badge level-none" title={t('noLevel')}>
        <span aria-hidden="true">–</span>
        <span className="sr-only">{t('noLevel')}</span>
      </span>
    );
  return (
    <span className="level-with-mark">
      <span className={`badge level-${level}`}>
        <span className="sr-only">{t('levelWord')} </span>
        {level}
      </span>
      {overridden && (
        <span className="overridden-mark" title={t('overriddenTitle')}>
          {t('overridden')}
        </span>
      )}
    </span>
  );
}

/** Where the user may send referrals (read once a minute at most), but for `except` (where it already is). */
export function useReassignTargets(enabled: boolean, except: string | null = null) {
  const { user } = useSession();
  const orgs = useQuery({ queryKey: ['organisations'], queryFn: organisations, enabled, staleTime: 60_000 });
  const targets = orgs.data
    ? reassignTargets(orgs.data, user.organisation).filter((o) => o.slug !== except)
    : [];
  return { orgs, targets };
}

/** The choice of where to send a referral; loading, a refusal or "nowhere" said in its place. */
export function TargetChoice({
  orgs,
  targets,
  value,
  onChange,
  disabled = false,
}: ReturnType<typeof useReassignTargets> & {
  value: string;
  onChange: (slug: string) => void;
  disabled?: boolean;
}) {
  const t = useT(triageWords);
  if (orgs.isPending) return <Loading />;
  if (orgs.error) return <ErrorMessage error={orgs.error} onRetry={() => void orgs.refetch()} />;
  if (targets.length === 0) return <p className="notice">{t('noTargets')}</p>;
  return (
    <label>
      {t('target')}
      <select name="to" required value={value} disabled={disabled} onChange={(e) => onChange(e.target.value)}>
        <option value="">{t('chooseTarget')}</option>
        {targets.map((o) => (
          <option key={o.id} value={o.slug}>
            {o.name === o.slug ? o.slug : `${o.slug} — ${o.name}`}
          </option>
        ))}
      </select>
    </label>
  );
}
