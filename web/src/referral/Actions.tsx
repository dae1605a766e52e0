import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { ErrorMessage, Loading } from '../components/states.tsx';
import { common } from '../i18n/common.ts';
import { useT } from '../i18n/i18n.tsx';
import {
  acceptReferral,
  LEVELS,
  organisations,
  overridePriority,
  reassignReferral,
  reassignTargets,
  type PriorityLevel,
  type QueueItem,
} from '../queue/api.ts';
import { Dialog, LevelBadge, triageWords } from '../queue/shared.tsx';
import { useSession } from '../session.tsx';
import { referralWords } from './messages.ts';

type Action = 'accept' | 'reassign' | 'priority';

/** Accept, reassign, override the priority: each in a dialog, the latter two with a reason. */
export function Actions({
  id,
  accepted,
  level,
  recipient,
}: {
  id: string;
  accepted: boolean;
  level: string | null;
  recipient: string | null;
}) {
  const t = useT(referralWords);
  const tw = useT(triageWords);
  const queries = useQueryClient();
  const [open, setOpen] = useState<Action | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const done = (what: string) => {
    setOpen(null);
    setSaved(what);
    void queries.invalidateQueries({ queryKey: ['referral', id] });
    void queries.invalidateQueries({ queryKey: ['queue'] });
  };
  const title =
    open === 'accept' ? t('acceptTitle') : open === 'reassign' ? t('reassignTitle') : t('overrideTitle');
  return (
    <section className="panel actions" aria-labelledby="actions-title">
      <h2 id="actions-title">{t('actionsTitle')}</h2>
      <div className="toolbar">
        <button
          type="button"
          className="primary"
          disabled={accepted}
          onClick={() => {
            setSaved(null);
            setOpen('accept');
          }}
        >
          {tw('accept')}
        </button>
        <button
          type="button"
          onClick={() => {
            setSaved(null);
            setOpen('reassign');
          }}
        >
          {tw('reassign')}
        </button>
        <button
          type="button"
          onClick={() => {
            setSaved(null);
            setOpen('priority');
          }}
        >
          {tw('overridePriority')}
        </button>
      </div>
      {accepted && <p className="muted">{t('alreadyAccepted')}</p>}
      <p role="status" className="saved">
        {saved && t('saved', { what: saved })}
      </p>
      <Dialog open={open !== null} onClose={() => setOpen(null)} title={title}>
        {open === 'accept' && (
          <ActionForm
            run={() => acceptReferral(id)}
            submitLabel={tw('accept')}
            onDone={() => done(tw('accepted'))}
            onCancel={() => setOpen(null)}
            needsReason={false}
          >
            <p>{t('acceptText')}</p>
          </ActionForm>
        )}
        {open === 'reassign' && (
          <ReassignForm
            id={id}
            recipient={recipient}
            onDone={(item) => done(`${tw('reassign')} → ${item.recipient ?? ''}`)}
            onCancel={() => setOpen(null)}
          />
        )}
        {open === 'priority' && (
          <PriorityForm
            id={id}
            level={level}
            onDone={(item) => done(`${tw('overridePriority')} → ${item.priority?.level ?? ''}`)}
            onCancel={() => setOpen(null)}
          />
        )}
      </Dialog>
    </section>
  );
}

/** A dialog's form: its fields, an optional reason, the server's refusal shown in place. */
function ActionForm({
  run,
  submitLabel,
  onDone,
  onCancel,
  needsReason,
  reason,
  setReason,
  ready = true,
  children,
}: {
  run: () => Promise<QueueItem>;
  submitLabel: string;
  onDone: (item: QueueItem) => void;
  onCancel: () => void;
  needsReason: boolean;
  reason?: string;
  setReason?: (r: string) => void;
  ready?: boolean;
  children?: ReactNode;
}) {
  const tc = useT(common);
  const tw = useT(triageWords);
  const [missing, setMissing] = useState(false);
  const m = useMutation({ mutationFn: run, onSuccess: onDone });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (needsReason && !(reason ?? '').trim()) {
      setMissing(true);
      return;
    }
    m.mutate();
  };
  const showMissing = missing && !(reason ?? '').trim();
  return (
    <form className="dialog-form" onSubmit={submit} noValidate>
      {children}
      {needsReason && setReason && (
        <>
          <label>
            {tc('reason')}
            <textarea
              name="reason"
              rows={3}
              maxLength={1000}
              required
              value={reason}
              aria-invalid={showMissing}
              aria-describedby={showMissing ? 'action-reason-error' : undefined}
              onChange={(e) => setReason(e.target.value)}
            />
          </label>
          {showMissing && (
            <p id="action-reason-error" className="field-error">
              {tc('reasonRequired')}
            </p>
          )}
        </>
      )}
      {m.error && <ErrorMessage error={m.error} />}
      <div className="dialog-buttons">
        <button type="button" onClick={onCancel} disabled={m.isPending}>
          {tc('cancel')}
        </button>
        <button type="submit" className="primary" disabled={m.isPending || !ready}>
          {m.isPending ? tw('working') : submitLabel}
        </button>
      </div>
    </form>
  );
}

function ReassignForm({
  id,
  recipient,
  onDone,
  onCancel,
}: {
  id: string;
  recipient: string | null;
  onDone: (item: QueueItem) => void;
  onCancel: () => void;
}) {
  const tw = useT(triageWords);
  const tc = useT(common);
  const { user } = useSession();
  const [to, setTo] = useState('');
  const [reason, setReason] = useState('');
  const orgs = useQuery({ queryKey: ['organisations'], queryFn: organisations, staleTime: 60_000 });
  if (orgs.isPending) return <Loading />;
  if (orgs.error || !orgs.data)
    return <ErrorMessage error={orgs.error} onRetry={() => void orgs.refetch()} />;
  const targets = reassignTargets(orgs.data, user.organisation).filter((o) => o.slug !== recipient);
  if (targets.length === 0)
    return (
      <>
        <p className="notice">{tw('noTargets')}</p>
        <div className="dialog-buttons">
          <button type="button" onClick={onCancel}>
            {tc('close')}
          </button>
        </div>
      </>
    );
  return (
    <ActionForm
      run={() => reassignReferral(id, to, reason.trim())}
      submitLabel={tw('reassign')}
      onDone={onDone}
      onCancel={onCancel}
      needsReason
      reason={reason}
      setReason={setReason}
      ready={to !== ''}
    >
      <label>
        {tw('target')}
        <select name="to" required value={to} onChange={(e) => setTo(e.target.value)}>
          <option value="">{tw('chooseTarget')}</option>
          {targets.map((o) => (
            <option key={o.id} value={o.slug}>
              {o.name === o.slug ? o.slug : `${o.slug} — ${o.name}`}
            </option>
          ))}
        </select>
      </label>
    </ActionForm>
  );
}

function PriorityForm({
  id,
  level,
  onDone,
  onCancel,
}: {
  id: string;
  level: string | null;
  onDone: (item: QueueItem) => void;
  onCancel: () => void;
}) {
  const t = useT(referralWords);
  const tw = useT(triageWords);
  const [next, setNext] = useState<PriorityLevel | ''>('');
  const [reason, setReason] = useState('');
  return (
    <ActionForm
      run={() => overridePriority(id, next as PriorityLevel, reason.trim())}
      submitLabel={tw('overridePriority')}
      onDone={onDone}
      onCancel={onCancel}
      needsReason
      reason={reason}
      setReason={setReason}
      ready={next !== ''}
    >
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
    </ActionForm>
  );
}
