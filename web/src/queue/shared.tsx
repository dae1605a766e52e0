import { useEffect, useId, useRef, type ReactNode } from 'react';
import type { HoldReason } from '../../../src/domain/result.ts';
import { messages, useT } from '../i18n/i18n.tsx';

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
    working: 'Working…',
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
    working: 'In corso…',
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

/**
 * A modal dialog (the browser's own <dialog>: focus moves in, Escape closes, the page behind is inert).
 * Its content is mounted only while open, so every opening starts afresh.
 */
export function Dialog({
  open,
  onClose,
  title,
  children,
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby={titleId} onClose={onClose} className="triage-dialog">
      {open && (
        <>
          <h2 id={titleId}>{title}</h2>
          {children}
        </>
      )}
    </dialog>
  );
}
