import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError, ok } from '../api/client.ts';
import type { SessionAnswer } from '../api/views.ts';
import { ErrorMessage } from '../components/states.tsx';
import { messages, useLocale, useT } from '../i18n/i18n.tsx';
import { useSessionState } from '../session.tsx';

const m = messages(
  {
    title: 'Sign in to Conduit',
    email: 'E-mail',
    password: 'Password',
    totp: 'Code from your authenticator app',
    submit: 'Sign in',
    signingIn: 'Signing in…',
    expired: 'Your session has ended. Sign in again to continue.',
    wrong: 'The e-mail, password or code is wrong.',
    locked: 'Too many attempts. Wait a minute, then try again.',
    accountLocked:
      'This account is locked after too many failed sign-ins. Try again after {until}, or ask your administrator.',
  },
  {
    title: 'Accedi a Conduit',
    email: 'E-mail',
    password: 'Password',
    totp: 'Codice dell’app di autenticazione',
    submit: 'Accedi',
    signingIn: 'Accesso in corso…',
    expired: 'La sessione è terminata. Accedi di nuovo per continuare.',
    wrong: 'E-mail, password o codice errati.',
    locked: 'Troppi tentativi. Attendi un minuto e riprova.',
    accountLocked:
      'Questo account è bloccato dopo troppi accessi non riusciti. Riprova dopo le {until}, oppure rivolgiti all’amministratore.',
  },
);

export function SignIn() {
  const t = useT(m);
  const { signedIn, expired } = useSessionState();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [needsCode, setNeedsCode] = useState(false);
  const signIn = useMutation({
    mutationFn: () =>
      ok<SessionAnswer>(
        api.POST('/api/v1/session', {
          body: { email, password, ...(needsCode && { totp }) },
        }),
        { signingIn: true },
      ),
    onSuccess: signedIn,
    onError: (e) => {
      if (e instanceof ApiError && e.code === 'second_factor_required') setNeedsCode(true);
    },
  });
  const submit = (ev: FormEvent) => {
    ev.preventDefault();
    signIn.mutate();
  };
  const e = signIn.error;
  const time = useTimeFormat();
  // Two refusals share 429: the per-address rate limit (wait a minute) and a locked account, which the
  // server words as "too many failed sign-ins; try again after <instant>" — said here in the user's words.
  const lockMessage = (err: ApiError): string => {
    if (!/failed sign-ins/i.test(err.message)) return t('locked');
    const until = /after (\S+)/.exec(err.message)?.[1];
    const at = until ? new Date(until) : undefined;
    return at && !Number.isNaN(at.getTime()) ? t('accountLocked', { until: time(at) }) : err.message;
  };
  const refusal =
    e instanceof ApiError && e.code === 'second_factor_required'
      ? null
      : e instanceof ApiError && e.status === 401
        ? t('wrong')
        : e instanceof ApiError && e.status === 429
          ? lockMessage(e)
          : undefined;
  return (
    <main id="main" className="sign-in">
      <h1>{t('title')}</h1>
      {expired && (
        <p role="status" className="notice">
          {t('expired')}
        </p>
      )}
      <form onSubmit={submit} aria-describedby={e ? 'sign-in-error' : undefined}>
        <label>
          {t('email')}
          <input
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onChange={(ev) => setEmail(ev.target.value)}
          />
        </label>
        <label>
          {t('password')}
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(ev) => setPassword(ev.target.value)}
          />
        </label>
        {needsCode && (
          <label>
            {t('totp')}
            <input
              name="totp"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6}"
              required
              autoFocus
              value={totp}
              onChange={(ev) => setTotp(ev.target.value.trim())}
            />
          </label>
        )}
        <button type="submit" className="primary" disabled={signIn.isPending}>
          {signIn.isPending ? t('signingIn') : t('submit')}
        </button>
      </form>
      <div id="sign-in-error">
        {refusal ? (
          <p role="alert" className="error">
            {refusal}
          </p>
        ) : refusal === undefined && e ? (
          <ErrorMessage error={e} />
        ) : null}
      </div>
    </main>
  );
}

/** A moment in the user's zone and language, as plain text (inside a sentence). */
function useTimeFormat(): (d: Date) => string {
  const { locale } = useLocale();
  const f = new Intl.DateTimeFormat(locale, { timeStyle: 'short', dateStyle: 'medium' });
  return (d) => f.format(d);
}
