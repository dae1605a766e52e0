import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ok } from '../api/client.ts';
import type { Role, UserView } from '../api/views.ts';
import { Dialog } from '../components/Dialog.tsx';
import { Table } from '../components/Table.tsx';
import { Time } from '../components/Time.tsx';
import { roleNames } from '../i18n/common.ts';
import { messages, useT } from '../i18n/i18n.tsx';
import { useSession } from '../session.tsx';
import { keys, useItems } from './queries.ts';
import {
  AdminPage,
  Field,
  FormPanel,
  ListPanel,
  OrganisationField,
  SelectField,
  Success,
  useRowAction,
} from './shared.tsx';
import { ROLES } from './types.ts';

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
  },
);

export default function Users() {
  const t = useT(m);
  const tr = useT(roleNames);
  const session = useSession();
  const users = useItems<UserView>(keys.users, () => api.GET('/api/v1/users'));
  const disable = useRowAction(
    (u: UserView) =>
      ok<UserView>(api.POST('/api/v1/users/{email}/disable', { params: { path: { email: u.email } } })),
    (u) => t('disabledDone', { email: u.email }),
    keys.users,
  );
  const canWrite = session.can('user.write');
  return (
    <AdminPage section="users">
      {disable.done && <Success>{disable.done}</Success>}
      <ListPanel title={t('people')} query={users} count={t}>
        {(list) => (
          <Table
            head={[
              t('email'),
              t('role'),
              t('organisation'),
              t('totp'),
              t('status'),
              t('created'),
              canWrite && t('actions'),
            ]}
          >
            {list.map((u) => (
              <tr key={u.id}>
                <th scope="row">
                  {u.email} {u.email === session.user.email && <span className="muted">{t('you')}</span>}
                </th>
                <td>{tr(u.role)}</td>
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
                        onClick={() => disable.ask(u)}
                      >
                        {t('disable')}
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </Table>
        )}
      </ListPanel>
      {canWrite && <AddUser onAdded={disable.clear} />}
      <Dialog {...disable.dialog} title={t('disableTitle')} submitLabel={t('disable')}>
        <p>{t('disableText', { email: disable.target?.email ?? '' })}</p>
      </Dialog>
    </AdminPage>
  );
}

const FIELDS = ['email', 'role', 'org', 'password'] as const;

function AddUser({ onAdded }: { onAdded: () => void }) {
  const t = useT(m);
  const tr = useT(roleNames);
  const session = useSession();
  const queries = useQueryClient();
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
      setAdded(t('added', { email: u.email, role: tr(u.role) }));
      setEmail('');
      setPassword('');
      onAdded();
      void queries.invalidateQueries({ queryKey: keys.users });
    },
  });
  const err = add.error;
  return (
    <FormPanel
      title={t('add')}
      submit={t('submit')}
      busy={t('adding')}
      pending={add.isPending}
      onSubmit={() => add.mutate()}
      error={err}
      fields={FIELDS}
      outcome={added && <Success>{added}</Success>}
    >
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
      <SelectField
        label={t('role')}
        field="role"
        error={err}
        value={role}
        onChange={setRole}
        options={ROLES.map((r) => [r, tr(r)] as const)}
      />
      <OrganisationField label={t('organisation')} field="org" value={org} onChange={setOrg} error={err} />
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
    </FormPanel>
  );
}
