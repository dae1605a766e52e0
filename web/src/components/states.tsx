import type { ReactNode } from 'react';
import { ApiError } from '../api/client.ts';
import { common } from '../i18n/common.ts';
import { useT } from '../i18n/i18n.tsx';

/** The headline of each refusal by status; any other 4xx asks for corrections, 5xx is the server's. */
const HEADLINES: Readonly<Record<number, keyof (typeof common)['en']>> = {
  0: 'errorNetwork',
  401: 'errorUnauthenticated',
  403: 'errorForbidden',
  404: 'errorNotFound',
  429: 'errorRateLimited',
};

/**
 * Any failure as a helpful message: what happened, what to do, each field the server named. A conflict (409)
 * is no failure: the server's own reasons why this cannot be done now, under a neutral headline.
 */
export function ErrorMessage({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const t = useT(common);
  const e = error instanceof ApiError ? error : undefined;
  const conflict = e?.status === 409;
  const headline = !e
    ? t('errorServer')
    : t(HEADLINES[e.status] ?? (e.status >= 500 ? 'errorServer' : 'errorInvalid'));
  const details = e?.problems.length
    ? e.problems
    : e && e.status >= 400 && e.status < 500
      ? [{ path: '', message: e.message }]
      : [];
  return (
    <div role="alert" className="error">
      <p className="error-title">
        {conflict ? (
          <strong>{t('errorConflict')}</strong>
        ) : (
          <>
            <strong>{t('errorTitle')}:</strong> {headline}
          </>
        )}
      </p>
      {details.length > 0 && (
        <ul>
          {details.map((p, i) => (
            <li key={i}>
              {p.path && !conflict ? t('errorField', { field: p.path, message: p.message }) : p.message}
            </li>
          ))}
        </ul>
      )}
      {e?.requestId && <p className="muted">{t('requestId', { id: e.requestId })}</p>}
      {onRetry && (
        <button type="button" onClick={onRetry}>
          {t('retry')}
        </button>
      )}
    </div>
  );
}

export function Loading({ label }: { label?: string }) {
  const t = useT(common);
  return (
    <p className="loading" role="status" aria-live="polite">
      {label ?? t('loading')}
    </p>
  );
}

export function Empty({ children }: { children?: ReactNode }) {
  const t = useT(common);
  return <p className="empty">{children ?? t('empty')}</p>;
}

/** Loading, error or content of one query, the same way on every screen. */
export function QueryState<T>({
  query,
  children,
}: {
  query: { isPending: boolean; error: unknown; data: T | undefined; refetch: () => unknown };
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading />;
  if (query.error || query.data === undefined)
    return <ErrorMessage error={query.error} onRetry={() => void query.refetch()} />;
  return <>{children(query.data)}</>;
}
