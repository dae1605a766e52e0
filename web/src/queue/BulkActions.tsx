import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ErrorMessage, Loading } from '../components/states.tsx';
import { common } from '../i18n/common.ts';
import { useNumber, useT } from '../i18n/i18n.tsx';
import { useSession } from '../session.tsx';
import { acceptReferral, organisations, reassignReferral, reassignTargets, type QueueItem } from './api.ts';
import { queueWords } from './messages.ts';
import { Dialog, triageWords } from './shared.tsx';

export type BulkAction = 'accept' | 'reassign';

/** What one action did to one referral: its new state, or the server's refusal. */
export type RowResult =
  | { readonly ok: true; readonly action: BulkAction; readonly item: QueueItem }
  | { readonly ok: false; readonly action: BulkAction; readonly error: unknown };

const CONCURRENCY = 4;

/** Runs `work` over the items a few at a time, reporting each outcome as it lands. */
async function runAll(
  ids: readonly string[],
  work: (id: string) => Promise<QueueItem>,
  action: BulkAction,
  onOne: (id: string, r: RowResult) => void,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < ids.length; i = next++) {
      const id = ids[i] as string;
      try {
        onOne(id, { ok: true, action, item: await work(id) });
      } catch (error) {
        onOne(id, { ok: false, action, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, ids.length) }, worker));
}

/** The actions on the checked rows, each confirmed in a dialog (reassigning asks where to and why). */
export function BulkActions({
  checked,
  onResult,
  onDone,
  onClear,
}: {
  checked: readonly QueueItem[];
  onResult: (id: string, r: RowResult) => void;
  onDone: () => void;
  onClear: () => void;
}) {
  const t = useT(queueWords);
  const n = useNumber();
  const [open, setOpen] = useState<BulkAction | null>(null);
  const count = checked.length;
  return (
    <div className="bulk toolbar" role="group" aria-label={t('checked', { count: n(count) })}>
      <span className="bulk-count">{t('checked', { count: n(count) })}</span>
      <button type="button" className="primary" disabled={count === 0} onClick={() => setOpen('accept')}>
        {t('bulkAccept')}
      </button>
      <button type="button" disabled={count === 0} onClick={() => setOpen('reassign')}>
        {t('bulkReassign')}
      </button>
      <button type="button" disabled={count === 0} onClick={onClear}>
        {t('clearChecks')}
      </button>
      <Dialog
        open={open !== null}
        onClose={() => setOpen(null)}
        title={
          open === 'reassign'
            ? count === 1
              ? t('bulkReassignTitleOne')
              : t('bulkReassignTitle', { count: n(count) })
            : count === 1
              ? t('bulkAcceptTitleOne')
              : t('bulkAcceptTitle', { count: n(count) })
        }
      >
        {open && (
          <BulkForm
            action={open}
            items={checked}
            onResult={onResult}
            onFinished={() => {
              setOpen(null);
              onDone();
            }}
            onCancel={() => setOpen(null)}
          />
        )}
      </Dialog>
    </div>
  );
}

function BulkForm({
  action,
  items,
  onResult,
  onFinished,
  onCancel,
}: {
  action: BulkAction;
  items: readonly QueueItem[];
  onResult: (id: string, r: RowResult) => void;
  onFinished: () => void;
  onCancel: () => void;
}) {
  const t = useT(queueWords);
  const tw = useT(triageWords);
  const tc = useT(common);
  const n = useNumber();
  const { user } = useSession();
  const [to, setTo] = useState('');
  const [reason, setReason] = useState('');
  const [done, setDone] = useState<number | null>(null);
  const [reasonMissing, setReasonMissing] = useState(false);
  const orgs = useQuery({
    queryKey: ['organisations'],
    queryFn: organisations,
    enabled: action === 'reassign',
    staleTime: 60_000,
  });
  const targets = orgs.data ? reassignTargets(orgs.data, user.organisation) : [];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (action === 'reassign' && !reason.trim()) {
      setReasonMissing(true);
      return;
    }
    setDone(0);
    const ids = items.map((i) => i.id);
    const work =
      action === 'accept' ? acceptReferral : (id: string) => reassignReferral(id, to, reason.trim());
    void runAll(ids, work, action, (id, r) => {
      onResult(id, r);
      setDone((d) => (d ?? 0) + 1);
    }).then(onFinished);
  };
  const busy = done !== null;
  return (
    <form onSubmit={submit} className="dialog-form" noValidate>
      <ul className="bulk-list">
        {items.map((i) => (
          <li key={i.id} className="mono">
            {i.sourceRef}
          </li>
        ))}
      </ul>
      {action === 'accept' ? (
        <p>{t('bulkAcceptText')}</p>
      ) : orgs.isPending ? (
        <Loading />
      ) : orgs.error ? (
        <ErrorMessage error={orgs.error} onRetry={() => void orgs.refetch()} />
      ) : targets.length === 0 ? (
        <p className="notice">{tw('noTargets')}</p>
      ) : (
        <>
          <label>
            {tw('target')}
            <select required value={to} onChange={(e) => setTo(e.target.value)} disabled={busy}>
              <option value="">{tw('chooseTarget')}</option>
              {targets.map((o) => (
                <option key={o.id} value={o.slug}>
                  {o.name === o.slug ? o.slug : `${o.slug} — ${o.name}`}
                </option>
              ))}
            </select>
          </label>
          <label>
            {tc('reason')}
            <textarea
              required
              rows={3}
              maxLength={1000}
              value={reason}
              disabled={busy}
              aria-invalid={reasonMissing && !reason.trim()}
              aria-describedby={reasonMissing ? 'bulk-reason-error' : undefined}
              onChange={(e) => setReason(e.target.value)}
            />
          </label>
          {reasonMissing && !reason.trim() && (
            <p id="bulk-reason-error" className="field-error">
              {tc('reasonRequired')}
            </p>
          )}
        </>
      )}
      {busy && <p role="status">{t('progress', { done: n(done), total: n(items.length) })}</p>}
      <div className="dialog-buttons">
        <button type="button" onClick={onCancel} disabled={busy}>
          {tc('cancel')}
        </button>
        <button
          type="submit"
          className="primary"
          disabled={busy || (action === 'reassign' && (targets.length === 0 || !to))}
        >
          {busy ? tw('working') : action === 'accept' ? t('confirmAccept') : t('confirmReassign')}
        </button>
      </div>
    </form>
  );
}
