import { useEffect, useRef } from 'react';

const TEXT_INPUTS: ReadonlySet<string> = new Set([
  'text',
  'search',
  'email',
  'number',
  'password',
  'tel',
  'url',
  'date',
  'datetime-local',
  'month',
  'time',
  'week',
]);

/** True when a key press belongs to what the user is typing into (a text field, a list, an editor). */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && TEXT_INPUTS.has(target.type);
}

export interface QueueKeys {
  readonly next: () => void;
  readonly previous: () => void;
  readonly open: () => void;
  readonly toggle: () => void;
}

/**
 * The queue's single-letter shortcuts: j/k move, Enter opens, x checks. Silent while the user types in a
 * field, while a dialog is open, and with a modifier held (the browser's and screen readers' own keys).
 */
export function useQueueKeys(keys: QueueKeys): void {
  const current = useRef(keys);
  useEffect(() => {
    current.current = keys;
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      if (isTyping(e.target)) return;
      if (document.querySelector('dialog[open]')) return;
      const k = current.current;
      switch (e.key) {
        case 'j':
          e.preventDefault();
          k.next();
          break;
        case 'k':
          e.preventDefault();
          k.previous();
          break;
        case 'x':
          e.preventDefault();
          k.toggle();
          break;
        case 'Enter': {
          // Enter on a link or a button is theirs to handle.
          const t = e.target;
          if (t instanceof HTMLElement && t.closest('a, button, input, summary')) return;
          e.preventDefault();
          k.open();
          break;
        }
        default:
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}
