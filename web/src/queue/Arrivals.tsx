import { useQuery } from '@tanstack/react-query';
import { ApiError } from '../api/client.ts';
import { ErrorMessage } from '../components/states.tsx';
import { useNumber, useT } from '../i18n/i18n.tsx';
import { arrivals } from './api.ts';
import { queueWords } from './messages.ts';

export const ARRIVALS_POLL_MS = 15_000;

/**
 * "N new referrals — refresh": polls the live count of pending, actionable referrals that reached the queue
 * after it was read. Announced politely; a server without the count (404) shows nothing.
 */
export function Arrivals({
  since,
  org,
  onRefresh,
}: {
  since: string | undefined;
  org: string | undefined;
  onRefresh: () => void;
}) {
  const t = useT(queueWords);
  const n = useNumber();
  const q = useQuery({
    queryKey: ['queue-arrivals', org ?? '', since],
    queryFn: () => arrivals(since ?? '', org),
    enabled: since !== undefined,
    refetchInterval: ARRIVALS_POLL_MS,
    refetchIntervalInBackground: false,
    retry: false,
    staleTime: 0,
  });
  const missing = q.error instanceof ApiError && q.error.status === 404;
  const count = q.data?.count ?? 0;
  return (
    <div className="arrivals" aria-live="polite">
      {count > 0 && (
        <button type="button" className="arrivals-button" onClick={onRefresh}>
          {count === 1 ? t('arrivalsOne') : t('arrivals', { count: n(count) })}
        </button>
      )}
      {q.error && !missing && q.data === undefined && <ErrorMessage error={q.error} />}
    </div>
  );
}
