import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type ReactNode } from 'react';
import { NavLink } from 'react-router';
import { ApiError, upload, type Problem } from '../api/client.ts';
import type { Permission } from '../api/views.ts';
import { Empty, ErrorMessage, QueryState } from '../components/states.tsx';
import { common } from '../i18n/common.ts';
import { messages, useNumber, useT, type Translate } from '../i18n/i18n.tsx';
import { useSession } from '../session.tsx';
import { reachOf, useOrganisations } from './queries.ts';
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
    copy: 'Copy',
    copied: 'Copied to the clipboard.',
    copyFailed: 'Could not copy: select the text and copy it yourself.',
    bytes: '{n} bytes',
    kilobytes: '{n} kB',
    megabytes: '{n} MB',
    chooseFile: 'Choose a file to import.',
    progress: 'Upload progress',
    sending: 'Sending {sent} of {total} ({pct}%)',
    checking: 'Sent {total}. Conduit is checking every entry…',
    uploaded: 'Uploaded {total}.',
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
    copy: 'Copia',
    copied: 'Copiato negli appunti.',
    copyFailed: 'Copia non riuscita: seleziona il testo e copialo tu.',
    bytes: '{n} byte',
    kilobytes: '{n} kB',
    megabytes: '{n} MB',
    chooseFile: 'Scegli un file da importare.',
    progress: 'Avanzamento del caricamento',
    sending: 'Inviati {sent} di {total} ({pct}%)',
    checking: 'Inviati {total}. Conduit sta controllando ogni voce…',
    uploaded: 'Caricati {total}.',
  },
);

type SectionKey =
  'organisations' | 'users' | 'apikeys' | 'hashlists' | 'rules' | 'lexicons' | 'registers' | 'audit';

/** Every section of the administration, in the order shown, with the permission that opens it. */
const SECTIONS: readonly { key: SectionKey; permission: Permission }[] = [
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

/** One administration screen: the sections' navigation, the one heading (and what the section is), the content. */
export function AdminPage({ section, children }: { section?: SectionKey; children: ReactNode }) {
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
      <h1>{section ? t(section) : t('administration')}</h1>
      {section && <p className="muted">{t(`${section}About`)}</p>}
      {children}
    </main>
  );
}

/** A section the role cannot open: said plainly, nothing asked of the server. */
export function Unavailable({ section }: { section?: SectionKey }) {
  const t = useT(sm);
  return (
    <AdminPage section={section}>
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

interface ControlProps {
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
function FormError({ error, fields }: { error: unknown; fields: readonly string[] }) {
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
function useBytes(): (n: number) => string {
  const t = useT(sm);
  const num = useNumber();
  return (n) =>
    n < 1024
      ? t('bytes', { n: num(n) })
      : n < 1024 * 1024
        ? t('kilobytes', { n: num(n / 1024, 1) })
        : t('megabytes', { n: num(n / (1024 * 1024), 1) });
}

/** A section's list: its heading, loading and refusal, "nothing yet", how many (with `count`), the list. */
export function ListPanel<T>({
  title,
  query,
  empty,
  count,
  children,
}: {
  title: string;
  query: { isPending: boolean; error: unknown; data: readonly T[] | undefined; refetch: () => unknown };
  /** What "nothing yet" means here. */
  empty?: string;
  /** The section's own words for how many (`count`, `countOne`, with {n}). */
  count?: Translate<'count' | 'countOne'>;
  children: (items: readonly T[]) => ReactNode;
}) {
  const num = useNumber();
  const id = useId();
  return (
    <section className="panel" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <QueryState query={query}>
        {(items) =>
          items.length === 0 ? (
            <Empty>{empty}</Empty>
          ) : (
            <>
              {count && (
                <p className="muted">
                  {count(items.length === 1 ? 'countOne' : 'count', { n: num(items.length) })}
                </p>
              )}
              {children(items)}
            </>
          )
        }
      </QueryState>
    </section>
  );
}

/** A form in its own panel: heading, help, the fields, the one submit button; then what came of it. */
export function FormPanel({
  title,
  help,
  submit,
  busy,
  pending,
  onSubmit,
  error,
  fields,
  children,
  outcome,
}: {
  title: string;
  help?: string;
  submit: string;
  /** The submit button while the form is being sent. */
  busy: string;
  pending: boolean;
  onSubmit: () => void;
  /** The server's refusal, shown by field (`fields` names those the form has). */
  error?: unknown;
  fields?: readonly string[];
  /** The fields. */
  children: ReactNode;
  /** Below the form: the result. */
  outcome?: ReactNode;
}) {
  const id = useId();
  return (
    <section className="panel" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {help && <p className="muted">{help}</p>}
      <form
        className="form-grid"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit();
        }}
      >
        {children}
        <div className="form-actions">
          <button type="submit" className="primary" disabled={pending}>
            {pending ? busy : submit}
          </button>
        </div>
      </form>
      {fields && <FormError error={error} fields={fields} />}
      {outcome}
    </section>
  );
}

/**
 * An action on one row of a list, asked first in a dialog: `ask` opens it for a row, `dialog` is what the
 * Dialog needs but its words, `done` says what the action did (until `clear`).
 */
export function useRowAction<T, R>(
  run: (row: T) => Promise<R>,
  said: (result: R) => string,
  changes: readonly unknown[],
) {
  const queries = useQueryClient();
  const [target, setTarget] = useState<T | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const action = useMutation({
    mutationFn: run,
    onSuccess: (r) => {
      setTarget(null);
      setDone(said(r));
      void queries.invalidateQueries({ queryKey: changes });
    },
  });
  return {
    target,
    done,
    clear: () => setDone(null),
    ask: (row: T) => {
      action.reset();
      setDone(null);
      setTarget(row);
    },
    dialog: {
      open: target !== null,
      danger: true,
      pending: action.isPending,
      error: action.error,
      onSubmit: () => {
        if (target !== null) action.mutate(target);
      },
      onClose: () => setTarget(null),
    },
  };
}

/** What a write did, said politely to screen readers. */
export function Success({ children }: { children: ReactNode }) {
  return (
    <p role="status" className="success">
      {children}
    </p>
  );
}

/** A labelled choice among `options` (value, words), with the server's refusal of it. */
export function SelectField<V extends string>({
  label,
  hint,
  field,
  error,
  value,
  onChange,
  options,
}: {
  label: string;
  hint?: string;
  field: string;
  error: unknown;
  value: V;
  onChange: (value: V) => void;
  options: readonly (readonly [V, string])[];
}) {
  return (
    <Field label={label} hint={hint} error={error} field={field}>
      {(p) => (
        <select {...p} value={value} onChange={(e) => onChange(e.target.value as V)}>
          {options.map(([v, words]) => (
            <option key={v} value={v}>
              {words}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** The choice of an organisation: the user's own and every one below it (where an administrator acts). */
export function OrganisationField(props: {
  label: string;
  field: string;
  value: string;
  onChange: (slug: string) => void;
  error: unknown;
}) {
  const session = useSession();
  const orgs = useOrganisations();
  const reach = orgs.data ? reachOf(orgs.data, session.user.organisation) : [];
  const shown = reach.length ? reach : [{ slug: props.value, name: props.value }];
  return <SelectField {...props} options={shown.map((o) => [o.slug, `${o.name} (${o.slug})`] as const)} />;
}

interface Progress {
  readonly sent: number;
  readonly total: number;
  readonly phase: 'sending' | 'checking';
}

/**
 * An import of a file: the file chosen, then sent with real progress (CSV, or JSON by its name); the list
 * it changes is read again afterwards, whatever the outcome.
 */
export function useUpload<T>(changes: readonly unknown[]) {
  const queries = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [missing, setMissing] = useState(false);
  const [progress, setProgress] = useState<Progress | null>(null);
  const run = useMutation({
    mutationFn: ({ f, method, url }: { f: File; method: 'POST' | 'PUT'; url: string }) => {
      setProgress({ sent: 0, total: f.size, phase: 'sending' });
      return upload<T>({
        method,
        url,
        file: f,
        contentType: f.name.endsWith('.json') ? 'application/json' : 'text/csv',
        onProgress: (sent, total) => setProgress({ sent, total, phase: 'sending' }),
        onSent: () => setProgress({ sent: f.size, total: f.size, phase: 'checking' }),
      });
    },
    onSettled: () => void queries.invalidateQueries({ queryKey: changes }),
  });
  return {
    run,
    progress,
    missing,
    choose: (f: File | null) => {
      setFile(f);
      setMissing(false);
    },
    /** Sends the chosen file where `to` says, or asks for one. */
    send: (to: (f: File) => { method: 'POST' | 'PUT'; url: string }) => {
      if (file) run.mutate({ f: file, ...to(file) });
      else setMissing(true);
    },
  };
}

/** The file field of an import (CSV or JSON). */
export function FileField({
  upload: up,
  label,
  hint,
  onChoose,
}: {
  upload: ReturnType<typeof useUpload>;
  label: string;
  hint?: string;
  onChoose?: (f: File) => void;
}) {
  return (
    <Field label={label} hint={hint} error={undefined} field="file">
      {(p) => (
        <input
          {...p}
          type="file"
          accept=".csv,.json,text/csv,application/json"
          aria-invalid={up.missing || undefined}
          onChange={(e) => {
            const f = e.target.files?.[0] ?? null;
            up.choose(f);
            if (f) onChoose?.(f);
          }}
        />
      )}
    </Field>
  );
}

/** Where an import stands: no file chosen yet, or the bytes sent, then the server checking them. */
export function UploadProgress({ upload: up }: { upload: ReturnType<typeof useUpload> }) {
  const t = useT(sm);
  const bytes = useBytes();
  const id = useId();
  const { progress } = up;
  const pct = progress && progress.total > 0 ? Math.round((progress.sent / progress.total) * 100) : 0;
  return (
    <>
      {up.missing && (
        <p role="alert" className="error">
          {t('chooseFile')}
        </p>
      )}
      {progress && (
        <div className="upload-progress">
          <label htmlFor={id}>{t('progress')}</label>
          <progress id={id} max={100} value={pct} aria-valuetext={`${pct}%`} />
          <p role="status" aria-live="polite">
            {!up.run.isPending
              ? t('uploaded', { total: bytes(progress.total) })
              : progress.phase === 'checking'
                ? t('checking', { total: bytes(progress.total) })
                : t('sending', { sent: bytes(progress.sent), total: bytes(progress.total), pct })}
          </p>
        </div>
      )}
    </>
  );
}
