import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { common } from '../i18n/common.ts';
import { useT } from '../i18n/i18n.tsx';
import { ErrorMessage } from './states.tsx';

const FIRST_CONTROL =
  'input:not([disabled]), select:not([disabled]), textarea:not([disabled]), button:not([disabled])';

/**
 * A decision in a modal <dialog> (the browser's own: the page behind is inert, Escape closes it), named by
 * its title: its fields, a required reason where asked, the server's refusal in place, Cancel and submit.
 * Its content is mounted only while open, so every opening starts afresh; focus moves to its first
 * control (Cancel, the safe choice, in a plain confirmation).
 */
export function Dialog({
  open,
  title,
  onClose,
  ...form
}: {
  open: boolean;
  title: string;
  onClose: () => void;
} & FormProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      d.showModal();
      d.querySelector<HTMLElement>(FIRST_CONTROL)?.focus();
    } else if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onClose={() => {
        if (open) onClose();
      }}
    >
      {open && (
        <>
          <h2 id={titleId}>{title}</h2>
          <DialogForm {...form} onCancel={onClose} />
        </>
      )}
    </dialog>
  );
}

interface FormProps {
  submitLabel: string;
  /** Called with the trimmed reason ('' without one) once the dialog's own checks pass. */
  onSubmit: (reason: string) => void;
  /** The action is running: its button says so and nothing can be sent twice. */
  pending?: boolean;
  /** The server's refusal, shown inside the dialog. */
  error?: unknown;
  /** The action cannot be undone: its button is red. */
  danger?: boolean;
  /** Ask for a reason, which is required. */
  reason?: boolean;
  reasonHint?: string;
  /** Why the dialog's own fields cannot be sent as they are (null when they can), said on submit. */
  invalid?: string | null;
  /** False while a field the action needs is still empty: its button waits. */
  ready?: boolean;
  children?: ReactNode;
}

function DialogForm({
  submitLabel,
  onSubmit,
  onCancel,
  pending = false,
  error,
  danger = false,
  reason: needsReason = false,
  reasonHint,
  invalid,
  ready = true,
  children,
}: FormProps & { onCancel: () => void }) {
  const c = useT(common);
  const id = useId();
  const [reason, setReason] = useState('');
  const [tried, setTried] = useState(false);
  const missing = needsReason && tried && reason.trim() === '';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if ((needsReason && reason.trim() === '') || invalid) return;
    onSubmit(reason.trim());
  };
  const described = [reasonHint ? `${id}-hint` : '', missing ? `${id}-missing` : ''].filter(Boolean);
  return (
    <form onSubmit={submit} noValidate>
      {children}
      {tried && invalid && (
        <p role="alert" className="error">
          {invalid}
        </p>
      )}
      {needsReason && (
        <>
          <label>
            {c('reason')}
            <textarea
              name="reason"
              rows={3}
              maxLength={1000}
              required
              value={reason}
              disabled={pending}
              onChange={(e) => setReason(e.target.value)}
              aria-invalid={missing}
              aria-describedby={described.join(' ') || undefined}
            />
          </label>
          {reasonHint && (
            <p id={`${id}-hint`} className="muted hint">
              {reasonHint}
            </p>
          )}
          {missing && (
            <p id={`${id}-missing`} role="alert" className="field-error">
              {c('reasonRequired')}
            </p>
          )}
        </>
      )}
      {error ? <ErrorMessage error={error} /> : null}
      <div className="dialog-actions">
        <button type="button" onClick={onCancel} disabled={pending}>
          {c('cancel')}
        </button>
        <button type="submit" className={danger ? 'danger' : 'primary'} disabled={pending || !ready}>
          {pending ? c('working') : submitLabel}
        </button>
      </div>
    </form>
  );
}
