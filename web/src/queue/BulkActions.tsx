import { useState } from 'react';
import type { QueueItem } from '../api/views.ts';
import { Dialog } from '../components/Dialog.tsx';
import { useNumber, useT } from '../i18n/i18n.tsx';
import { acceptReferral, reassignReferral } from './api.ts';
import { queueWords } from './messages.ts';
import { TargetChoice, useReassignTargets } from './shared.tsx';

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
  const [to, setTo] = useState('');
  const [done, setDone] = useState<number | null>(null);
  const where = useReassignTargets(open === 'reassign');
  const count = checked.length;
  const busy = done !== null;
  const start = (action: BulkAction) => {
    setTo('');
    setDone(null);
    setOpen(action);
  };
  const run = (action: BulkAction, reason: string) => {
    setDone(0);
    const work = action === 'accept' ? acceptReferral : (id: string) => reassignReferral(id, to, reason);
    void runAll(
      checked.map((i) => i.id),
      work,
      action,
      (id, r) => {
        onResult(id, r);
        setDone((d) => (d ?? 0) + 1);
      },
    ).then(() => {
      setOpen(null);
      onDone();
    });
  };
  return (
    <div className="bulk toolbar" role="group" aria-label={t('checked', { count: n(count) })}>
      <span className="bulk-count">{t('checked', { count: n(count) })}</span>
      <button type="button" className="primary" disabled={count === 0} onClick={() => start('accept')}>
        {t('bulkAccept')}
      </button>
      <button type="button" disabled={count === 0} onClick={() => start('reassign')}>
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
        submitLabel={open === 'accept' ? t('confirmAccept') : t('confirmReassign')}
        pending={busy}
        reason={open === 'reassign' && where.targets.length > 0}
        ready={open === 'accept' || to !== ''}
        onSubmit={(reason) => open && run(open, reason)}
      >
        <ul className="bulk-list">
          {checked.map((i) => (
            <li key={i.id} className="mono">
              {i.sourceRef}
            </li>
          ))}
        </ul>
        {open === 'accept' ? (
          <p>{t('bulkAcceptText')}</p>
        ) : (
          <TargetChoice {...where} value={to} onChange={setTo} disabled={busy} />
        )}
        {busy && <p role="status">{t('progress', { done: n(done), total: n(count) })}</p>}
      </Dialog>
    </div>
  );
}
