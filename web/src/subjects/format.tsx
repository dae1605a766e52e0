import { useCallback } from 'react';
import { messages, useRegionName, useT } from '../i18n/i18n.tsx';

/** Words shared by the subjects and communities screens. */
export const shared = messages(
  {
    unknownCountry: 'unknown country',
    noPriority: 'No priority',
    on: 'on {service}',
    subjectLabel: 'Subject {id}',
  },
  {
    unknownCountry: 'paese sconosciuto',
    noPriority: 'Nessuna priorità',
    on: 'su {service}',
    subjectLabel: 'Soggetto {id}',
  },
);

/** A country code as its name in the user's language ("IT" → "Italy"); "unknown" and null said so. */
export function useCountryName(): (code: string | null | undefined) => string {
  const t = useT(shared);
  const region = useRegionName();
  return useCallback(
    (code) => (!code || code === 'unknown' ? t('unknownCountry') : region(code)),
    [region, t],
  );
}

/** `Service|user id` as the server names an account. */
export function splitAccount(account: string): { service: string; id: string } {
  const bar = account.indexOf('|');
  return bar < 0
    ? { service: '', id: account }
    : { service: account.slice(0, bar), id: account.slice(bar + 1) };
}

/** An account: its user id, then the service it is on. */
export function Account({ value }: { value: string }) {
  const t = useT(shared);
  const { service, id } = splitAccount(value);
  return (
    <span className="account">
      <span className="mono">{id}</span>
      {service && <span className="muted"> {t('on', { service })}</span>}
    </span>
  );
}

/** A referral's priority level as the queue shows it (the column header names it). */
export function Priority({ level }: { level: string | null }) {
  const t = useT(shared);
  if (!level) return <span className="muted">{t('noPriority')}</span>;
  return <span className={`badge level-${level}`}>{level}</span>;
}
