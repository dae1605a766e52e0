import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, ok, type Problem } from '../api/client.ts';
import type { RuleKind, RulesView } from '../api/views.ts';
import { Dialog } from '../components/Dialog.tsx';
import { ErrorMessage, QueryState } from '../components/states.tsx';
import { Time } from '../components/Time.tsx';
import { messages, useNumber, useT } from '../i18n/i18n.tsx';
import { useSession } from '../session.tsx';
import { keys } from './queries.ts';
import { AdminPage, contentProblems, ProblemList, Success } from './shared.tsx';
import { RULE_KINDS, type RulesValid } from './types.ts';

const m = messages(
  {
    ruleSets: 'Rule sets',
    routing: 'Routing rules',
    priority: 'Priority rules',
    inForce: 'In force',
    version: 'Version',
    source: 'Source',
    default: 'Shipped with Conduit',
    loaded: 'Loaded by this instance',
    revision: 'Revision',
    loadedAt: 'Loaded',
    loadedBy: 'Loaded by',
    none: '—',
    edit: 'Edit and validate',
    document: 'Rules document (JSON)',
    documentHint: 'Edit or paste a whole document, then validate it: nothing changes until it is saved.',
    validate: 'Validate',
    validating: 'Validating…',
    reset: 'Restore the rules in force',
    save: 'Save and put in force',
    saving: 'Saving…',
    valid: 'Valid: version {version}. Nothing was changed.',
    invalid: 'The document has {n} problems; nothing was changed.',
    invalidOne: 'The document has a problem; nothing was changed.',
    whole: '(whole document)',
    notJson: 'This is not valid JSON: {message}',
    edited: 'Edited, not saved.',
    saveTitle: 'Put these rules in force?',
    saveText:
      'Version {version} of the {kind} will decide every referral received from now on. Referrals already decided keep their decision.',
    saved: 'Saved: version {version} is in force (revision {revision}).',
    readOnly: 'Your role may view and validate the rules, not change them.',
  },
  {
    ruleSets: 'Insiemi di regole',
    routing: 'Regole di instradamento',
    priority: 'Regole di priorità',
    inForce: 'In vigore',
    version: 'Versione',
    source: 'Origine',
    default: 'Fornite con Conduit',
    loaded: 'Caricate da questa istanza',
    revision: 'Revisione',
    loadedAt: 'Caricate il',
    loadedBy: 'Caricate da',
    none: '—',
    edit: 'Modifica e valida',
    document: 'Documento delle regole (JSON)',
    documentHint:
      'Modifica o incolla un documento intero, poi validalo: nulla cambia finché non viene salvato.',
    validate: 'Valida',
    validating: 'Validazione in corso…',
    reset: 'Ripristina le regole in vigore',
    save: 'Salva e metti in vigore',
    saving: 'Salvataggio in corso…',
    valid: 'Valido: versione {version}. Nulla è stato modificato.',
    invalid: 'Il documento ha {n} problemi; nulla è stato modificato.',
    invalidOne: 'Il documento ha un problema; nulla è stato modificato.',
    whole: '(intero documento)',
    notJson: 'Questo non è JSON valido: {message}',
    edited: 'Modificato, non salvato.',
    saveTitle: 'Mettere in vigore queste regole?',
    saveText:
      'La versione {version} delle {kind} deciderà ogni segnalazione ricevuta da ora. Le segnalazioni già decise mantengono la loro decisione.',
    saved: 'Salvato: la versione {version} è in vigore (revisione {revision}).',
    readOnly: 'Il tuo ruolo può vedere e validare le regole, non modificarle.',
  },
);

function isKind(s: string | null): s is RuleKind {
  return s === 'routing' || s === 'priority';
}

export default function Rules() {
  const t = useT(m);
  const [params] = useSearchParams();
  const asked = params.get('kind');
  const kind: RuleKind = isKind(asked) ? asked : 'routing';
  const rules = useQuery({
    queryKey: keys.rules(kind),
    queryFn: () => ok<RulesView>(api.GET('/api/v1/rules/{kind}', { params: { path: { kind } } })),
  });
  return (
    <AdminPage section="rules">
      <nav aria-label={t('ruleSets')} className="tabs">
        <ul>
          {RULE_KINDS.map((k) => (
            <li key={k}>
              <Link to={`/admin/rules?kind=${k}`} aria-current={k === kind ? 'page' : undefined}>
                {t(k)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <QueryState query={rules}>{(view) => <RuleSet key={kind} view={view} />}</QueryState>
    </AdminPage>
  );
}

type Check =
  | { readonly state: 'valid'; readonly version: string }
  | { readonly state: 'invalid'; readonly problems: readonly Problem[] }
  | { readonly state: 'failed'; readonly error: unknown };

function RuleSet({ view }: { view: RulesView }) {
  const t = useT(m);
  const num = useNumber();
  const id = useId();
  const session = useSession();
  const queries = useQueryClient();
  const inForce = JSON.stringify(view.document, null, 2);
  const [text, setText] = useState(inForce);
  const [check, setCheck] = useState<Check | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [saved, setSaved] = useState<RulesView | null>(null);
  useEffect(() => setText(inForce), [inForce]);
  const canWrite = session.can('rules.write');

  /** The document as JSON, or a problem naming where it stops being JSON. */
  const parse = (): { ok: true; value: unknown } | { ok: false; problem: Problem } => {
    try {
      return { ok: true, value: JSON.parse(text) as unknown };
    } catch (e) {
      return {
        ok: false,
        problem: {
          code: 'malformed_input',
          path: '',
          message: t('notJson', { message: (e as Error).message }),
        },
      };
    }
  };
  const outcome = (e: unknown): Check =>
    // A document refused for its content (400, 413, 415, 422): each problem with its path. Anything else
    // (a refusal of the person, a failure) is the usual message.
    contentProblems(e)
      ? { state: 'invalid', problems: contentProblems(e) ?? [] }
      : { state: 'failed', error: e };

  const validate = useMutation({
    mutationFn: async (): Promise<Check> => {
      const doc = parse();
      if (!doc.ok) return { state: 'invalid', problems: [doc.problem] };
      try {
        const r = await ok<RulesValid>(
          api.POST('/api/v1/rules/{kind}/validate', {
            params: { path: { kind: view.kind } },
            body: doc.value,
          }),
        );
        return { state: 'valid', version: r.version };
      } catch (e) {
        return outcome(e);
      }
    },
    onMutate: () => {
      setCheck(null);
      setSaved(null);
    },
    onSuccess: setCheck,
  });
  const save = useMutation({
    mutationFn: async (): Promise<RulesView | Check> => {
      const doc = parse();
      if (!doc.ok) return { state: 'invalid', problems: [doc.problem] };
      try {
        return await ok<RulesView>(
          api.PUT('/api/v1/rules/{kind}', { params: { path: { kind: view.kind } }, body: doc.value }),
        );
      } catch (e) {
        return outcome(e);
      }
    },
    onSuccess: (r) => {
      setConfirming(false);
      if ('state' in r) setCheck(r);
      else {
        setCheck(null);
        setSaved(r);
        queries.setQueryData(keys.rules(r.kind), r);
      }
    },
  });
  const draftVersion = (() => {
    const d = parse();
    return d.ok && d.value && typeof d.value === 'object' && 'version' in d.value
      ? String(d.value.version)
      : '?';
  })();

  return (
    <>
      <section className="panel" aria-labelledby={`${id}-force`}>
        <h2 id={`${id}-force`}>
          {t('inForce')}: {t(view.kind)}
        </h2>
        <dl className="facts">
          <dt>{t('version')}</dt>
          <dd>
            <code>{view.version}</code>
          </dd>
          <dt>{t('source')}</dt>
          <dd>{view.source === 'default' ? t('default') : t('loaded')}</dd>
          <dt>{t('revision')}</dt>
          <dd>{view.revision === null ? t('none') : num(view.revision)}</dd>
          <dt>{t('loadedAt')}</dt>
          <dd>
            <Time value={view.loadedAt} />
          </dd>
          <dt>{t('loadedBy')}</dt>
          <dd>{view.loadedBy ?? t('none')}</dd>
        </dl>
      </section>
      <section className="panel" aria-labelledby={`${id}-doc`}>
        <h2 id={`${id}-doc`}>{t('edit')}</h2>
        <div className="field">
          <label htmlFor={`${id}-text`}>{t('document')}</label>
          <textarea
            id={`${id}-text`}
            className="mono rules-text"
            spellCheck={false}
            rows={Math.min(30, inForce.split('\n').length + 2)}
            value={text}
            aria-describedby={`${id}-hint`}
            onChange={(e) => {
              setText(e.target.value);
              setCheck(null);
              setSaved(null);
            }}
          />
          <span id={`${id}-hint`} className="hint">
            {t('documentHint')} {text !== inForce && <strong>{t('edited')}</strong>}
          </span>
        </div>
        {!canWrite && <p className="muted">{t('readOnly')}</p>}
        <div className="toolbar">
          <button
            type="button"
            className="primary"
            disabled={validate.isPending}
            onClick={() => validate.mutate()}
          >
            {validate.isPending ? t('validating') : t('validate')}
          </button>
          <button
            type="button"
            disabled={text === inForce}
            onClick={() => {
              setText(inForce);
              setCheck(null);
            }}
          >
            {t('reset')}
          </button>
          {canWrite && (
            <button
              type="button"
              disabled={save.isPending}
              onClick={() => {
                save.reset();
                setConfirming(true);
              }}
            >
              {t('save')}
            </button>
          )}
        </div>
        <CheckResult check={check} />
        {saved && <Success>{t('saved', { version: saved.version, revision: saved.revision ?? '' })}</Success>}
      </section>
      <Dialog
        open={confirming}
        title={t('saveTitle')}
        danger
        submitLabel={t('save')}
        pending={save.isPending}
        error={save.error}
        onSubmit={() => save.mutate()}
        onClose={() => setConfirming(false)}
      >
        <p>{t('saveText', { version: draftVersion, kind: t(view.kind) })}</p>
      </Dialog>
    </>
  );
}

function CheckResult({ check }: { check: Check | null }) {
  const t = useT(m);
  if (!check) return null;
  switch (check.state) {
    case 'valid':
      return <Success>{t('valid', { version: check.version })}</Success>;
    case 'invalid':
      return (
        <ProblemList
          title={check.problems.length === 1 ? t('invalidOne') : t('invalid', { n: check.problems.length })}
          problems={check.problems}
          whole={t('whole')}
        />
      );
    case 'failed':
      return <ErrorMessage error={check.error} />;
  }
}
