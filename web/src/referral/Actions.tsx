import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiError } from '../api/client.ts';
import type { PriorityLevel, QueueItem } from '../api/views.ts';
import { Dialog } from '../components/Dialog.tsx';
import { useT } from '../i18n/i18n.tsx';
import { acceptReferral, LEVELS, overridePriority, reassignReferral } from '../queue/api.ts';
import { LevelBadge, TargetChoice, triageWords, useReassignTargets } from '../queue/shared.tsx';
import { referral } from './api.ts';
import { referralWords } from './messages.ts';

type Action = 'accept' | 'reassign' | 'priority';

/** What the queue is told when a referral left the user's reach from its own page (router state). */
export interface ReassignedAway {
  readonly reassignedAway: { readonly id: string; readonly to: string };
}

/** Accept, reassign, override the priority: each in a dialog, the latter two with a reason. */
export function Actions({
  id,
  accepted,
  level,
  recipient,
  back = '/queue',
}: {
  /** Where to return when the referral leaves the user's reach (the queue it was opened from). */
  back?: string;
  id: string;
  accepted: boolean;
  level: string | null;
  recipient: string | null;
}) {
  const t = useT(referralWords);
  const tw = useT(triageWords);
  const queries = useQueryClient();
  const navigate = useNavigate();
  const [open, setOpen] = useState<Action | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [to, setTo] = useState('');
  const [next, setNext] = useState<PriorityLevel | ''>('');
  const where = useReassignTargets(open === 'reassign', recipient);
  const act = useMutation({
    mutationFn: ({ action, reason }: { action: Action; reason: string }): Promise<QueueItem> =>
      action === 'accept'
        ? acceptReferral(id)
        : action === 'reassign'
          ? reassignReferral(id, to, reason)
          : overridePriority(id, next as PriorityLevel, reason),
    onSuccess: (item, { action }) => {
      setOpen(null);
      setSaved(
        action === 'accept'
          ? tw('accepted')
          : action === 'reassign'
            ? `${tw('reassign')} → ${item.recipient ?? ''}`
            : `${tw('overridePriority')} → ${item.priority?.level ?? ''}`,
      );
      void queries.invalidateQueries({ queryKey: ['queue'] });
      if (action !== 'reassign') {
        void queries.invalidateQueries({ queryKey: ['referral', id] });
        return;
      }
      // Reassigned elsewhere, the referral may have left this user's reach: then back to the queue, saying so.
      referral(id).then(
        (fresh) => queries.setQueryData(['referral', id], fresh),
        (e: unknown) => {
          if (e instanceof ApiError && e.status === 404) {
            queries.removeQueries({ queryKey: ['referral', id] });
            const state: ReassignedAway = { reassignedAway: { id, to: item.recipient ?? to } };
            void navigate(back, { state });
          } else void queries.invalidateQueries({ queryKey: ['referral', id] });
        },
      );
    },
  });
  const start = (action: Action) => {
    setSaved(null);
    setTo('');
    setNext('');
    act.reset();
    setOpen(action);
  };
  return (
    <section className="panel actions" aria-labelledby="actions-title">
      <h2 id="actions-title">{t('actionsTitle')}</h2>
      <div className="toolbar">
        <button type="button" className="primary" disabled={accepted} onClick={() => start('accept')}>
          {tw('accept')}
        </button>
        <button type="button" onClick={() => start('reassign')}>
          {tw('reassign')}
        </button>
        <button type="button" onClick={() => start('priority')}>
          {tw('overridePriority')}
        </button>
      </div>
      {accepted && <p className="muted">{t('alreadyAccepted')}</p>}
      <p role="status" className="saved">
        {saved && t('saved', { what: saved })}
      </p>
      <Dialog
        open={open !== null}
        onClose={() => setOpen(null)}
        title={
          open === 'accept' ? t('acceptTitle') : open === 'reassign' ? t('reassignTitle') : t('overrideTitle')
        }
        submitLabel={
          open === 'accept' ? tw('accept') : open === 'reassign' ? tw('reassign') : tw('overridePriority')
        }
        pending={act.isPending}
        error={act.error}
        reason={open === 'priority' || (open === 'reassign' && where.targets.length > 0)}
        ready={open === 'accept' || (open === 'reassign' ? to !== '' : next !== '')}
        onSubmit={(reason) => open && act.mutate({ action: open, reason })}
      >
        {open === 'accept' && <p>{t('acceptText')}</p>}
        {open === 'reassign' && <TargetChoice {...where} value={to} onChange={setTo} />}
        {open === 'priority' && (
          <>
            <p>
              {t('currentLevel')}: <LevelBadge level={level} />
            </p>
            <label>
              {tw('newLevel')}
              <select
                name="level"
                required
                value={next}
                onChange={(e) => setNext(e.target.value as PriorityLevel | '')}
              >
                <option value="">—</option>
                {LEVELS.map((l) => (
                  <option key={l} value={l}>
                    {l}
                  </option>
                ))}
              </select>
            </label>
          </>
        )}
      </Dialog>
    </section>
  );
}
