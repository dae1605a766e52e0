import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { api, ok } from '../api/client.ts';
import type { ApiKeyView, Scope } from '../api/views.ts';
import { Dialog } from '../components/Dialog.tsx';
import { Table } from '../components/Table.tsx';
import { Time } from '../components/Time.tsx';
import { messages, useT } from '../i18n/i18n.tsx';
import { useSession } from '../session.tsx';
import { keys, useItems } from './queries.ts';
import {
  AdminPage,
  CopyButton,
  Field,
  FormPanel,
  ListPanel,
  OrganisationField,
  problemsOf,
  Success,
  useRowAction,
} from './shared.tsx';
import { SCOPES, type CreatedApiKey } from './types.ts';

const m = messages(
  {
    keys: 'Keys',
    count: '{n} keys',
    countOne: '{n} key',
    name: 'Name',
    organisation: 'Organisation',
    scopes: 'Scopes',
    created: 'Created',
    status: 'Status',
    actions: 'Actions',
    active: 'Active',
    revokedAt: 'Revoked',
    revoke: 'Revoke',
    revokeNamed: 'Revoke {name}',
    revokeTitle: 'Revoke this API key?',
    revokeText:
      '“{name}” ({org}) stops working at once: every client using it is refused from its next request. This cannot be undone.',
    revokedDone: '“{name}” is revoked.',
    create: 'Create an API key',
    createHelp: 'For a machine client of an organisation you manage: a reporting system, or a reader.',
    nameHint: 'optional; say which system uses it',
    scopesLegend: 'Scopes',
    submit: 'Create key',
    creating: 'Creating…',
    submitScope: 'submit — file reports and follow their status',
    readScope: 'read — read referrals',
    newKey: 'The new API key',
    keyLabel: 'API key',
    onceWarning:
      'This key is shown only now. Copy it and store it in the client’s secret store: Conduit keeps only a hash of it and cannot show it again.',
    stored: 'I have stored the key',
  },
  {
    keys: 'Chiavi',
    count: '{n} chiavi',
    countOne: '{n} chiave',
    name: 'Nome',
    organisation: 'Organizzazione',
    scopes: 'Ambiti',
    created: 'Creata',
    status: 'Stato',
    actions: 'Azioni',
    active: 'Attiva',
    revokedAt: 'Revocata',
    revoke: 'Revoca',
    revokeNamed: 'Revoca {name}',
    revokeTitle: 'Revocare questa chiave API?',
    revokeText:
      '«{name}» ({org}) smette subito di funzionare: ogni client che la usa viene rifiutato dalla richiesta successiva. Non si può annullare.',
    revokedDone: '«{name}» è revocata.',
    create: 'Crea una chiave API',
    createHelp:
      'Per un client automatico di un’organizzazione che gestisci: un sistema di segnalazione o un lettore.',
    nameHint: 'facoltativo; indica quale sistema la usa',
    scopesLegend: 'Ambiti',
    submit: 'Crea chiave',
    creating: 'Creazione in corso…',
    submitScope: 'submit — invia segnalazioni e ne segue lo stato',
    readScope: 'read — legge le segnalazioni',
    newKey: 'La nuova chiave API',
    keyLabel: 'Chiave API',
    onceWarning:
      'Questa chiave è mostrata solo ora. Copiala e conservala nell’archivio segreto del client: Conduit ne conserva solo l’hash e non può mostrarla di nuovo.',
    stored: 'Ho conservato la chiave',
  },
);

export default function ApiKeys() {
  const t = useT(m);
  const session = useSession();
  const list = useItems<ApiKeyView>(keys.apikeys, () => api.GET('/api/v1/apikeys'));
  const revoke = useRowAction(
    (k: ApiKeyView) => ok<ApiKeyView>(api.DELETE('/api/v1/apikeys/{id}', { params: { path: { id: k.id } } })),
    (k) => t('revokedDone', { name: k.name }),
    keys.apikeys,
  );
  const canWrite = session.can('apikey.write');
  return (
    <AdminPage section="apikeys">
      {canWrite && <CreateKey onCreated={revoke.clear} />}
      {revoke.done && <Success>{revoke.done}</Success>}
      <ListPanel title={t('keys')} query={list} count={t}>
        {(items) => (
          <Table
            head={[
              t('name'),
              t('organisation'),
              t('scopes'),
              t('created'),
              t('status'),
              canWrite && t('actions'),
            ]}
          >
            {items.map((k) => (
              <tr key={k.id}>
                <th scope="row">
                  {k.name}
                  <br />
                  <code className="muted">{k.id}</code>
                </th>
                <td>
                  <code>{k.organisation}</code>
                </td>
                <td>{k.scopes.join(', ')}</td>
                <td>
                  <Time value={k.createdAt} />
                </td>
                <td>
                  {k.revokedAt ? (
                    <span className="state state-off">
                      {t('revokedAt')} <Time value={k.revokedAt} />
                    </span>
                  ) : (
                    <span className="state state-on">{t('active')}</span>
                  )}
                </td>
                {canWrite && (
                  <td>
                    {!k.revokedAt && (
                      <button
                        type="button"
                        aria-label={t('revokeNamed', { name: k.name })}
                        onClick={() => revoke.ask(k)}
                      >
                        {t('revoke')}
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </Table>
        )}
      </ListPanel>
      <Dialog {...revoke.dialog} title={t('revokeTitle')} submitLabel={t('revoke')}>
        <p>{t('revokeText', { name: revoke.target?.name ?? '', org: revoke.target?.organisation ?? '' })}</p>
      </Dialog>
    </AdminPage>
  );
}

const FIELDS = ['org', 'scopes', 'name'] as const;

function CreateKey({ onCreated }: { onCreated: () => void }) {
  const t = useT(m);
  const id = useId();
  const session = useSession();
  const queries = useQueryClient();
  const [org, setOrg] = useState(session.user.organisation);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['submit']);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const create = useMutation({
    mutationFn: () =>
      ok<CreatedApiKey>(
        api.POST('/api/v1/apikeys', { body: { org, scopes, ...(name.trim() && { name: name.trim() }) } }),
      ),
    onSuccess: (k) => {
      setCreated(k);
      setName('');
      onCreated();
      void queries.invalidateQueries({ queryKey: keys.apikeys });
    },
  });
  const toggle = (s: Scope, on: boolean) =>
    setScopes((now) => (on ? [...now.filter((x) => x !== s), s] : now.filter((x) => x !== s)));
  const err = create.error;
  const scopeProblems = problemsOf(err, 'scopes');
  return (
    <FormPanel
      title={t('create')}
      help={t('createHelp')}
      submit={t('submit')}
      busy={t('creating')}
      pending={create.isPending}
      onSubmit={() => create.mutate()}
      error={err}
      fields={FIELDS}
      outcome={created && <ShownOnce created={created} onDone={() => setCreated(null)} />}
    >
      <OrganisationField label={t('organisation')} field="org" value={org} onChange={setOrg} error={err} />
      <Field label={t('name')} hint={t('nameHint')} error={err} field="name">
        {(p) => <input {...p} value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <fieldset
        className={`field${scopeProblems.length ? ' invalid' : ''}`}
        aria-describedby={scopeProblems.length ? `${id}-scopes-problem` : undefined}
      >
        <legend>{t('scopesLegend')}</legend>
        {SCOPES.map((sc) => (
          <label key={sc} className="check">
            <input
              type="checkbox"
              checked={scopes.includes(sc)}
              onChange={(e) => toggle(sc, e.target.checked)}
            />
            {sc === 'submit' ? t('submitScope') : t('readScope')}
          </label>
        ))}
        {scopeProblems.length > 0 && (
          <span id={`${id}-scopes-problem`} className="field-problem">
            {scopeProblems.map((p) => p.message).join('; ')}
          </span>
        )}
      </fieldset>
    </FormPanel>
  );
}

/** The key, once: a warning, the key in a read-only field, a copy button; dismissed for good. */
function ShownOnce({ created, onDone }: { created: CreatedApiKey; onDone: () => void }) {
  const t = useT(m);
  const id = useId();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <div className="key-once" role="region" aria-labelledby={`${id}-h`} tabIndex={-1} ref={ref}>
      <h3 id={`${id}-h`}>{t('newKey')}</h3>
      <p className="notice" id={`${id}-warn`}>
        <strong>{t('onceWarning')}</strong>
      </p>
      <div className="key-row">
        <label htmlFor={`${id}-key`}>{t('keyLabel')}</label>
        <input
          id={`${id}-key`}
          className="mono"
          readOnly
          value={created.key}
          size={Math.min(90, created.key.length)}
          aria-describedby={`${id}-warn`}
          onFocus={(e) => e.target.select()}
        />
        <CopyButton text={created.key} inputId={`${id}-key`} />
      </div>
      <p className="muted">
        {created.apiKey.name} · <code>{created.apiKey.organisation}</code> ·{' '}
        {created.apiKey.scopes.join(', ')}
      </p>
      <button type="button" className="primary" onClick={onDone}>
        {t('stored')}
      </button>
    </div>
  );
}
