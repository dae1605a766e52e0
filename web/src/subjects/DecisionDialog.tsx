import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ErrorMessage } from '../components/states.tsx';
import { common } from '../i18n/common.ts';
import { messages, useT } from '../i18n/i18n.tsx';

const m = messages(
  {
    working: 'Saving…',
    reasonHint: 'Kept with the decision and in the audit trail; applied again on every rebuild.',
  },
  {
    working: 'Salvataggio…',
    reasonHint: 'Conservato con la decisione e nel registro di audit; riapplicato a ogni ricostruzione.',
  },
);

/**
 * A decision about a subject (confirm, split, merge) in a modal <dialog>: its own fields, then a reason,
 * which is required. Escape or Cancel closes it; the server's refusal is shown inside it.
 */
export function DecisionDialog({
  open,
  title,
  intro,
  submitLabel,
  danger = false,
  pending,
  error,
  invalid,
  refusal,
  onClose,
  onSubmit,
  children,
}: {
  open: boolean;
  title: string;
  intro?: ReactNode;
  submitLabel: string;
  danger?: boolean;
  pending: boolean;
  error: unknown;
  /** Why the dialog's own fields cannot be sent as they are (null when they can). */
  invalid?: string | null;
  /** A refusal the dialog explains itself (headline, then the server's reasons) instead of `error`. */
  refusal?: { readonly headline: string; readonly reasons: readonly string[] } | null;
  onClose: () => void;
  onSubmit: (reason: string) => void;
  children?: ReactNode;
}) {
  const t = useT(m);
  const c = useT(common);
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  const [reason, setReason] = useState('');
  const [tried, setTried] = useState(false);

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      setReason('');
      setTried(false);
      d.showModal();
    } else if (!open && d.open) d.close();
  }, [open]);

  const reasonMissing = reason.trim() === '';
  const submit = (ev: FormEvent) => {
    ev.preventDefault();
    setTried(true);
    if (reasonMissing || invalid) return;
    onSubmit(reason.trim());
  };

  return (
    <dialog
      ref={ref}
      className="decision"
      aria-labelledby={`${id}-title`}
      onClose={() => {
        if (open) onClose();
      }}
    >
      <form onSubmit={submit} noValidate>
        <h2 id={`${id}-title`}>{title}</h2>
        {intro}
        {children}
        {tried && invalid && (
          <p role="alert" className="error">
            {invalid}
          </p>
        )}
        <label className="reason">
          {c('reason')}
          <textarea
            name="reason"
            rows={3}
            maxLength={1000}
            required
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            aria-invalid={tried && reasonMissing}
            aria-describedby={`${id}-hint${tried && reasonMissing ? ` ${id}-missing` : ''}`}
          />
        </label>
        <p id={`${id}-hint`} className="muted hint">
          {t('reasonHint')}
        </p>
        {tried && reasonMissing && (
          <p id={`${id}-missing`} role="alert" className="error">
            {c('reasonRequired')}
          </p>
        )}
        {refusal ? (
          <div role="alert" className="error">
            <p className="error-title">
              <strong>{refusal.headline}</strong>
            </p>
            <ul>
              {refusal.reasons.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          </div>
        ) : (
          error != null && <ErrorMessage error={error} />
        )}
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            {c('cancel')}
          </button>
          <button type="submit" className={danger ? 'danger' : 'primary'} disabled={pending}>
            {pending ? t('working') : submitLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
