import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { api, ok } from '../api/client.ts';
import { Empty, QueryState } from '../components/states.tsx';
import { Time } from '../components/Time.tsx';
import { messages, useNumber, useT } from '../i18n/i18n.tsx';
import { useSession } from '../session.tsx';
import { keys, reachOf, useOrganisations } from './queries.ts';
import { AdminPage, ConfirmDialog, Field, FormError, sm } from './shared.tsx';
import { ROLES, type Items, type Role, type UserView } from './types.ts';

const m = messages(
  {
    people: 'People',
    count: '{n} people',
    countOne: '{n} person',
    email: 'E-mail',
    role: 'Role',
    organisation: 'Organisation',
    totp: 'Second factor',
    status: 'Status',
    created: 'Added',
    actions: 'Actions',
    active: 'Active',
    disabled: 'Disabled',
    totpOn: 'Enrolled',
    totpOff: 'None',
    you: '(you)',
    disable: 'Disable',
    disableNamed: 'Disable {email}',
    disableTitle: 'Disable this account?',
    disableText:
      '{email} will be signed out at once and cannot sign in again. The account and its history remain in the audit trail.',
    disabledDone: '{email} is disabled.',
    add: 'Add a person',
    password: 'Initial password',
    passwordHint: 'at least 12 characters; give it to the person by a separate channel',
    submit: 'Add person',
    adding: 'Adding…',
    added: '{email} added as {role}.',
    admin: 'Administrator',
    supervisor: 'Supervisor',
    analyst: 'Analyst',
    investigator: 'Investigator',
    auditor: 'Auditor',
  },
  {
    people: 'Persone',
    count: '{n} persone',
    countOne: '{n} persona',
    email: 'E-mail',
    role: 'Ruolo',
    organisation: 'Organizzazione',
    totp: 'Secondo fattore',
    status: 'Stato',
    created: 'Aggiunto',
    actions: 'Azioni',
    active: 'Attivo',
    disabled: 'Disattivato',
    totpOn: 'Attivo',
    totpOff: 'Nessuno',
    you: '(tu)',
    disable: 'Disattiva',
    disableNamed: 'Disattiva {email}',
    disableTitle: 'Disattivare questo account?',
    disableText:
      '{email} sarà disconnesso subito e non potrà più accedere. L’account e la sua storia restano nel registro di audit.',
    disabledDone: '{email} è disattivato.',
    add: 'Aggiungi una persona',
    password: 'Password iniziale',
    passwordHint: 'almeno 12 caratteri; comunicala alla persona per un canale separato',
    submit: 'Aggiungi persona',
    adding: 'Aggiunta in corso…',
    added: '{email} aggiunto come {role}.',
    admin: 'Amministratore',
    supervisor: 'Supervisore',
    analyst: 'Analista',
    investigator: 'Investigatore',
    auditor: 'Revisore',
  },
);

export default function Users() {
  const t = useT(m);
  const s = useT(sm);
  const num = useNumber();
  const session = useSession();
  const queries = useQueryClient();
  const users = useQuery({
    queryKey: keys.users,
    queryFn: async () => (await ok<Items<UserView>>(api.GET('/api/v1/users'))).items,
  });
  const [target, setTarget] = useState<UserView | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const disable = useMutation({
    mutationFn: (email: string) =>
      ok<UserView>(api.POST('/api/v1/users/{email}/disable', { params: { path: { email } } })),
    onSuccess: (u) => {
      setTarget(null);
      setDone(t('disabledDone', { email: u.email }));
      void queries.invalidateQueries({ queryKey: keys.users });
    },
  });
  const canWrite = session.can('user.write');
  return (
    <AdminPage title={s('users')}>
      <p className="muted">{s('usersAbout')}</p>
      {done && (
        <p role="status" className="success">
          {done}
        </p>
      )}
      <section className="panel" aria-labelledby="people-h">
        <h2 id="people-h">{t('people')}</h2>
        <QueryState query={users}>
          {(list) =>
            list.length === 0 ? (
              <Empty />
            ) : (
              <>
                <p className="muted">
                  {t(list.length === 1 ? 'countOne' : 'count', { n: num(list.length) })}
                </p>
                <div className="table-wrap">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">{t('email')}</th>
                        <th scope="col">{t('role')}</th>
                        <th scope="col">{t('organisation')}</th>
                        <th scope="col">{t('totp')}</th>
                        <th scope="col">{t('status')}</th>
                        <th scope="col">{t('created')}</th>
                        {canWrite && <th scope="col">{t('actions')}</th>}
                      </tr>
                    </thead>
                    <tbody>
                      {list.map((u) => (
                        <tr key={u.id}>
                          <th scope="row">
                            {u.email}{' '}
                            {u.email === session.user.email && <span className="muted">{t('you')}</span>}
                          </th>
                          <td>{t(u.role)}</td>
                          <td>
                            <code>{u.organisation}</code>
                          </td>
                          <td>{u.totp ? t('totpOn') : t('totpOff')}</td>
                          <td>
                            <span className={u.disabled ? 'state state-off' : 'state state-on'}>
                              {u.disabled ? t('disabled') : t('active')}
                            </span>
                          </td>
                          <td>
                            <Time value={u.createdAt} />
                          </td>
                          {canWrite && (
                            <td>
                              {!u.disabled && u.email !== session.user.email && (
                                <button
                                  type="button"
                                  aria-label={t('disableNamed', { email: u.email })}
                                  onClick={() => {
                                    disable.reset();
                                    setDone(null);
                                    setTarget(u);
                                  }}
                                >
                                  {t('disable')}
                                </button>
                              )}
                            </td>
                          )}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </>
            )
          }
        </QueryState>
      </section>
      {canWrite && <AddUser onAdded={() => setDone(null)} />}
      <ConfirmDialog
        open={target !== null}
        title={t('disableTitle')}
        confirmLabel={t('disable')}
        pending={disable.isPending}
        error={disable.error}
        onConfirm={() => target && disable.mutate(target.email)}
        onCancel={() => setTarget(null)}
      >
        <p>{t('disableText', { email: target?.email ?? '' })}</p>
      </ConfirmDialog>
    </AdminPage>
  );
}

const FIELDS = ['email', 'role', 'org', 'password'] as const;

function AddUser({ onAdded }: { onAdded: () => void }) {
  const t = useT(m);
  const id = useId();
  const session = useSession();
  const queries = useQueryClient();
  const orgs = useOrganisations();
  const reach = orgs.data ? reachOf(orgs.data, session.user.organisation) : [];
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('analyst');
  const [org, setOrg] = useState(session.user.organisation);
  const [password, setPassword] = useState('');
  const [added, setAdded] = useState<string | null>(null);
  const add = useMutation({
    mutationFn: () =>
      ok<UserView>(api.POST('/api/v1/users', { body: { email: email.trim(), role, org, password } })),
    onMutate: () => setAdded(null),
    onSuccess: (u) => {
      setAdded(t('added', { email: u.email, role: t(u.role) }));
      setEmail('');
      setPassword('');
      onAdded();
      void queries.invalidateQueries({ queryKey: keys.users });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate();
  };
  const err = add.error;
  return (
    <section className="panel" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{t('add')}</h2>
      <form onSubmit={submit} className="form-grid" noValidate>
        <Field label={t('email')} error={err} field="email">
          {(p) => (
            <input
              {...p}
              type="email"
              value={email}
              required
              autoComplete="off"
              onChange={(e) => setEmail(e.target.value)}
            />
          )}
        </Field>
        <Field label={t('role')} error={err} field="role">
          {(p) => (
            <select {...p} value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {t(r)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('organisation')} error={err} field="org">
          {(p) => (
            <select {...p} value={org} onChange={(e) => setOrg(e.target.value)}>
              {(reach.length ? reach : [{ id: org, slug: org, name: org }]).map((o) => (
                <option key={o.id} value={o.slug}>
                  {o.name} ({o.slug})
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('password')} hint={t('passwordHint')} error={err} field="password">
          {(p) => (
            <input
              {...p}
              type="password"
              value={password}
              required
              minLength={12}
              autoComplete="new-password"
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        <div className="form-actions">
          <button type="submit" className="primary" disabled={add.isPending}>
            {add.isPending ? t('adding') : t('submit')}
          </button>
        </div>
      </form>
      <FormError error={err} fields={FIELDS} />
      {added && (
        <p role="status" className="success">
          {added}
        </p>
      )}
    </section>
  );
}
