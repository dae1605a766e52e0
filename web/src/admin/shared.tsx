import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { NavLink } from 'react-router';
import { api, ApiError, ok, type Problem } from '../api/client.ts';
import type { Permission, SessionAnswer } from '../api/views.ts';
import { ErrorMessage } from '../components/states.tsx';
import { common } from '../i18n/common.ts';
import { messages, useNumber, useT } from '../i18n/i18n.tsx';
import { useSession } from '../session.tsx';
import './admin.css';

export const sm = messages(
  {
    administration: 'Administration',
    sections: 'Administration sections',
    overview: 'Overview',
    organisations: 'Organisations',
    organisationsAbout: 'The organisation tree: who receives referrals, and where each one acts.',
    users: 'Users and roles',
    usersAbout: 'People of your organisation and below, their roles; add and disable accounts.',
    apikeys: 'API keys',
    apikeysAbout: 'Keys of machine clients that file or read referrals; create and revoke them.',
    hashlists: 'Hash lists',
    hashlistsAbout: 'The known-material hash lists matched against every file; import new versions.',
    rules: 'Routing and priority rules',
    rulesAbout: 'The rules that decide where a referral goes and how urgent it is; validate changes.',
    lexicons: 'Indicator lexicons',
    lexiconsAbout: 'The term lists the priority rules read: names and sizes only.',
    registers: 'Prior-records registers',
    registersAbout: 'Registers of known accounts and identifiers: names and sizes only.',
    audit: 'Audit trail',
    auditAbout: 'Who did what, when: search the tamper-evident trail and verify its chain.',
    nothingForYou: 'Your role has no administration sections.',
    notAvailable: 'This section is not available to your role.',
    notAvailableHelp: 'Ask your administrator if you need it.',
    noSuchSection: 'There is no such administration section.',
    confirm: 'Confirm',
    working: 'Working…',
    copy: 'Copy',
    copied: 'Copied to the clipboard.',
    copyFailed: 'Could not copy: select the text and copy it yourself.',
    bytes: '{n} bytes',
    kilobytes: '{n} kB',
    megabytes: '{n} MB',
  },
  {
    administration: 'Amministrazione',
    sections: 'Sezioni dell’amministrazione',
    overview: 'Panoramica',
    organisations: 'Organizzazioni',
    organisationsAbout: 'L’albero delle organizzazioni: chi riceve le segnalazioni e dove opera ciascuna.',
    users: 'Utenti e ruoli',
    usersAbout:
      'Le persone della tua organizzazione e di quelle sottostanti, i loro ruoli; aggiungi e disattiva account.',
    apikeys: 'Chiavi API',
    apikeysAbout: 'Le chiavi dei client automatici che inviano o leggono segnalazioni; creale e revocale.',
    hashlists: 'Liste di hash',
    hashlistsAbout: 'Le liste di hash di materiale noto confrontate con ogni file; importa nuove versioni.',
    rules: 'Regole di instradamento e priorità',
    rulesAbout: 'Le regole che decidono dove va una segnalazione e quanto è urgente; valida le modifiche.',
    lexicons: 'Lessici di indicatori',
    lexiconsAbout: 'Gli elenchi di termini letti dalle regole di priorità: solo nomi e dimensioni.',
    registers: 'Registri dei precedenti',
    registersAbout: 'I registri di account e identificativi noti: solo nomi e dimensioni.',
    audit: 'Registro di audit',
    auditAbout:
      'Chi ha fatto cosa e quando: cerca nel registro a prova di manomissione e verificane la catena.',
    nothingForYou: 'Il tuo ruolo non ha sezioni di amministrazione.',
    notAvailable: 'Questa sezione non è disponibile per il tuo ruolo.',
    notAvailableHelp: 'Chiedi all’amministratore se ti serve.',
    noSuchSection: 'Questa sezione dell’amministrazione non esiste.',
    confirm: 'Conferma',
    working: 'In corso…',
    copy: 'Copia',
    copied: 'Copiato negli appunti.',
    copyFailed: 'Copia non riuscita: seleziona il testo e copialo tu.',
    bytes: '{n} byte',
    kilobytes: '{n} kB',
    megabytes: '{n} MB',
  },
);

type SectionKey =
  'organisations' | 'users' | 'apikeys' | 'hashlists' | 'rules' | 'lexicons' | 'registers' | 'audit';

/** Every section of the administration, in the order shown, with the permission that opens it. */
export const SECTIONS: readonly { key: SectionKey; permission: Permission }[] = [
  { key: 'organisations', permission: 'organisation.read' },
  { key: 'users', permission: 'user.read' },
  { key: 'apikeys', permission: 'apikey.read' },
  { key: 'hashlists', permission: 'hashlist.read' },
  { key: 'rules', permission: 'rules.read' },
  { key: 'lexicons', permission: 'rules.read' },
  { key: 'registers', permission: 'register.read' },
  { key: 'audit', permission: 'audit.read' },
];

export function useSections() {
  const session = useSession();
  return SECTIONS.filter((s) => session.can(s.permission));
}

/** One administration screen: the sections' navigation, the one heading, the content. */
export function AdminPage({ title, children }: { title: string; children: ReactNode }) {
  const t = useT(sm);
  const sections = useSections();
  return (
    <main id="main" className="admin">
      <nav aria-label={t('sections')} className="admin-nav">
        <ul>
          <li>
            <NavLink to="/admin" end>
              {t('overview')}
            </NavLink>
          </li>
          {sections.map((s) => (
            <li key={s.key}>
              <NavLink to={`/admin/${s.key}`}>{t(s.key)}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <h1>{title}</h1>
      {children}
    </main>
  );
}

/** A section the role cannot open: said plainly, nothing asked of the server. */
export function Unavailable({ section }: { section?: SectionKey }) {
  const t = useT(sm);
  return (
    <AdminPage title={section ? t(section) : t('administration')}>
      <p className="notice" role="status">
        {section ? t('notAvailable') : t('noSuchSection')} {section && t('notAvailableHelp')}
      </p>
    </AdminPage>
  );
}

/** Gate: the section's content only with its permission. */
export function Guard({ section, children }: { section: SectionKey; children: ReactNode }) {
  const session = useSession();
  const needed = SECTIONS.find((s) => s.key === section)?.permission;
  if (!needed || !session.can(needed)) return <Unavailable section={section} />;
  return <>{children}</>;
}

/**
 * Whether a problem's path names this field: a JSON pointer into the body (`/org`, `/covers/0`) or a
 * service's own name for it (`name`, `scope/1`).
 */
function names(path: string, field: string): boolean {
  const p = path.startsWith('/') ? path.slice(1) : path;
  return p === field || p.startsWith(`${field}/`);
}

/** The problems the server named for one form field. */
export function problemsOf(error: unknown, field: string): Problem[] {
  if (!(error instanceof ApiError)) return [];
  return error.problems.filter((p) => names(p.path, field));
}

export interface ControlProps {
  readonly id: string;
  readonly 'aria-invalid': true | undefined;
  readonly 'aria-describedby': string | undefined;
}

/**
 * One labelled form control with its hint and the server's refusal of it: `children` renders the control
 * with the props given (id, aria-invalid, aria-describedby).
 */
export function Field({
  label,
  hint,
  error,
  field,
  wide = false,
  children,
}: {
  label: string;
  hint?: string;
  error: unknown;
  field: string;
  /** Spans the whole width of the form (a text area). */
  wide?: boolean;
  children: (props: ControlProps) => ReactNode;
}) {
  const id = useId();
  const problems = problemsOf(error, field);
  const described = [hint ? `${id}-hint` : '', problems.length ? `${id}-problem` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div className={`field${wide ? ' wide' : ''}${problems.length ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        'aria-invalid': problems.length ? true : undefined,
        'aria-describedby': described || undefined,
      })}
      {hint && (
        <span id={`${id}-hint`} className="hint">
          {hint}
        </span>
      )}
      {problems.length > 0 && (
        <span id={`${id}-problem`} className="field-problem">
          {problems.map((p) => p.message).join('; ')}
        </span>
      )}
    </div>
  );
}

/**
 * A form's refusal: when every problem names a field of the form, a short summary (the fields carry the
 * details); otherwise the full message with the problems no field shows.
 */
export function FormError({ error, fields }: { error: unknown; fields: readonly string[] }) {
  const c = useT(common);
  if (!error) return null;
  if (error instanceof ApiError && error.problems.length) {
    const onField = (p: Problem) => fields.some((f) => names(p.path, f));
    const rest = error.problems.filter((p) => !onField(p));
    if (!rest.length)
      return (
        <p role="alert" className="error">
          {c('errorInvalid')}
        </p>
      );
    return (
      <ErrorMessage error={new ApiError(error.status, error.code, rest, error.requestId, error.message)} />
    );
  }
  return <ErrorMessage error={error} />;
}

/**
 * A confirmation in a modal <dialog>: focus starts on Cancel (the safe choice), Escape cancels, and the
 * outcome of the action (an error) shows inside it.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  pending,
  error,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  pending: boolean;
  error: unknown;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const t = useT(sm);
  const c = useT(common);
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      d.showModal();
      cancelRef.current?.focus();
    } else if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <h2 id={titleId}>{title}</h2>
      {children}
      {error ? <ErrorMessage error={error} /> : null}
      <div className="dialog-actions">
        <button type="button" ref={cancelRef} onClick={onCancel}>
          {c('cancel')}
        </button>
        <button type="button" className="danger" disabled={pending} onClick={onConfirm}>
          {pending ? t('working') : confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

/** A copy-to-clipboard button, with a fallback for browsers that refuse the clipboard API. */
export function CopyButton({ text, inputId }: { text: string; inputId?: string }) {
  const t = useT(sm);
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      const input = inputId ? document.getElementById(inputId) : null;
      if (input instanceof HTMLInputElement) {
        input.select();
        // The old way still works where the clipboard API is refused (no permission, no secure context).
        setState(document.execCommand('copy') ? 'copied' : 'failed');
      } else setState('failed');
    }
  };
  return (
    <>
      <button type="button" onClick={() => void copy()}>
        {t('copy')}
      </button>
      <span role="status" className="muted">
        {state === 'copied' ? t('copied') : state === 'failed' ? t('copyFailed') : ''}
      </span>
    </>
  );
}

/** A refusal of a document or file for its content (not of the person): its problems, else undefined. */
export function contentProblems(error: unknown): readonly Problem[] | undefined {
  return error instanceof ApiError && error.problems.length && [400, 413, 415, 422].includes(error.status)
    ? error.problems
    : undefined;
}

/** Each problem of a refused document or file, with where it is (a JSON path, a line and column). */
export function ProblemList({
  title,
  problems,
  whole,
}: {
  title: string;
  problems: readonly Problem[];
  /** What a problem without a path is about ("the whole file"). */
  whole: string;
}) {
  return (
    <div role="alert" className="error">
      <p className="error-title">
        <strong>{title}</strong>
      </p>
      <ul className="problems">
        {problems.map((p, i) => (
          <li key={i}>
            <code>{p.path && p.path !== '/' ? p.path : whole}</code> {p.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A size in bytes, in the user's language. */
export function useBytes(): (n: number) => string {
  const t = useT(sm);
  const num = useNumber();
  return (n) =>
    n < 1024
      ? t('bytes', { n: num(n) })
      : n < 1024 * 1024
        ? t('kilobytes', { n: num(n / 1024, 1) })
        : t('megabytes', { n: num(n / (1024 * 1024), 1) });
}

/** The API's refusal as the client would raise it (status, problems, request id). */
export function apiErrorOf(status: number, body: unknown, requestId: string | null): ApiError {
  const e = (body ?? {}) as { error?: { code?: string; message?: string; problems?: Problem[] } };
  return new ApiError(
    status,
    e.error?.code ?? `http_${status}`,
    e.error?.problems ?? [],
    requestId,
    e.error?.message ?? `HTTP ${status}`,
  );
}

/** The CSRF token of this session, asked of the server (writes made outside the typed client need it). */
export async function csrfToken(): Promise<string | undefined> {
  return (await ok<SessionAnswer>(api.GET('/api/v1/session'))).csrfToken;
}

/**
 * Sends a file as the request body with real upload progress (XMLHttpRequest's upload events; fetch has
 * none for request bodies). Resolves with the parsed answer or rejects with an ApiError.
 */
export async function uploadFile<T>(opts: {
  readonly method: 'POST' | 'PUT';
  readonly url: string;
  readonly file: Blob;
  readonly contentType: string;
  readonly onProgress: (sent: number, total: number) => void;
  /** Called once every byte is sent: the server is now reading the file. */
  readonly onSent?: () => void;
}): Promise<T> {
  const token = await csrfToken();
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(opts.method, opts.url);
    xhr.withCredentials = true;
    xhr.setRequestHeader('content-type', opts.contentType);
    xhr.setRequestHeader('accept', 'application/json');
    if (token) xhr.setRequestHeader('x-csrf-token', token);
    xhr.upload.onprogress = (e) => opts.onProgress(e.loaded, e.lengthComputable ? e.total : opts.file.size);
    xhr.upload.onload = () => {
      opts.onProgress(opts.file.size, opts.file.size);
      opts.onSent?.();
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', [], null, 'network error'));
    xhr.onabort = () => reject(new ApiError(0, 'network', [], null, 'upload aborted'));
    xhr.onload = () => {
      let body: unknown = undefined;
      try {
        body = xhr.responseText ? (JSON.parse(xhr.responseText) as unknown) : undefined;
      } catch {
        body = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as T);
      else reject(apiErrorOf(xhr.status, body, xhr.getResponseHeader('request-id')));
    };
    xhr.send(opts.file);
  });
}
