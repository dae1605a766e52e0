import { lazy, Suspense, type ReactNode } from 'react';
import { Link, Navigate, NavLink, Route, Routes, useLocation } from 'react-router';
import type { Permission } from './api/views.ts';
import { Loading } from './components/states.tsx';
import { ScreenBoundary, useScreenTitleAndFocus } from './components/screen.tsx';
import { common, roleNames } from './i18n/common.ts';
import { LOCALES, useLocale, useT, type Locale } from './i18n/i18n.tsx';
import { SignIn } from './screens/SignIn.tsx';
import { Queue } from './screens/Queue.tsx';
import { useSession, useSessionState } from './session.tsx';

// The queue is the first screen and ships in the entry; everything else loads when first opened.
const Referral = lazy(() => import('./screens/Referral.tsx'));
const Subjects = lazy(() => import('./screens/Subjects.tsx'));
const Subject = lazy(() => import('./screens/Subject.tsx'));
const Communities = lazy(() => import('./screens/Communities.tsx'));
const Community = lazy(() => import('./screens/Community.tsx'));
const Dashboard = lazy(() => import('./screens/Dashboard.tsx'));
const Admin = lazy(() => import('./screens/Admin.tsx'));

export function App() {
  const { session, loading } = useSessionState();
  const location = useLocation();
  useScreenTitleAndFocus();
  if (loading) return <Loading />;
  if (!session) {
    if (location.pathname !== '/sign-in')
      return <Navigate to="/sign-in" replace state={{ from: location.pathname + location.search }} />;
    return (
      <>
        <SignIn />
        <GeoCredit />
      </>
    );
  }
  return (
    <Frame>
      <ScreenBoundary key={location.pathname}>
        <Suspense fallback={<Loading />}>
          <Routes>
            <Route path="/" element={<Navigate to={home(session.can)} replace />} />
            <Route path="/sign-in" element={<AfterSignIn />} />
            <Route path="/queue" element={<Queue />} />
            <Route path="/referrals/:id" element={<Referral />} />
            <Route path="/subjects" element={<Subjects />} />
            <Route path="/subjects/:id" element={<Subject />} />
            <Route path="/communities" element={<Communities />} />
            <Route path="/communities/:id" element={<Community />} />
            <Route path="/dashboard" element={<Dashboard />} />
            <Route path="/admin/*" element={<Admin />} />
            <Route path="*" element={<NotFound />} />
          </Routes>
        </Suspense>
      </ScreenBoundary>
    </Frame>
  );
}

/** Where a user lands: the queue for those who triage or read referrals, otherwise what they can use. */
function home(can: (p: Permission) => boolean): string {
  if (can('referral.read')) return '/queue';
  if (can('audit.read')) return '/admin/audit';
  return '/admin';
}

/**
 * Back to the page asked for — in a fresh tab, or when the same user signs in again after their session
 * expired. After a sign-out, or when someone else signs in, the previous user's page is not theirs: home.
 */
function AfterSignIn() {
  const location = useLocation();
  const { resumeFor } = useSessionState();
  const user = useSession().user;
  const from = (location.state as { from?: string } | null)?.from;
  const resume = resumeFor === undefined || resumeFor === user.email;
  return <Navigate to={resume && from && from !== '/sign-in' ? from : '/'} replace />;
}

function NotFound() {
  const t = useT(common);
  return (
    <main id="main">
      <h1>{t('notFoundPage')}</h1>
      <Link to="/">{t('appName')}</Link>
    </main>
  );
}

function Frame({ children }: { children: ReactNode }) {
  const t = useT(common);
  const role = useT(roleNames);
  const session = useSession();
  const { locale, setLocale } = useLocale();
  const nav: [string, string, boolean][] = [
    ['/queue', t('navQueue'), session.can('referral.read')],
    ['/subjects', t('navSubjects'), session.can('subject.read')],
    ['/communities', t('navCommunities'), session.can('subject.read')],
    ['/dashboard', t('navDashboard'), session.can('referral.read')],
    ['/admin', t('navAdmin'), true],
  ];
  const u = session.user;
  return (
    <>
      <a className="skip" href="#main">
        {t('skipToContent')}
      </a>
      <header className="top">
        <Link to="/" className="brand">
          {t('appName')}
        </Link>
        <nav aria-label={t('mainNav')}>
          <ul>
            {nav
              .filter(([, , shown]) => shown)
              .map(([to, label]) => (
                <li key={to}>
                  <NavLink to={to}>{label}</NavLink>
                </li>
              ))}
          </ul>
        </nav>
        <div className="who">
          <span className="muted">
            {t('signedInAs', { email: u.email, role: role(u.role), org: u.organisation })}
          </span>
          <label>
            <span className="sr-only">{t('language')}</span>
            <select
              value={locale}
              onChange={(e) => setLocale(e.target.value as Locale)}
              aria-label={t('language')}
            >
              {LOCALES.map((l) => (
                <option key={l} value={l}>
                  {l === 'en' ? 'English' : 'Italiano'}
                </option>
              ))}
            </select>
          </label>
          <button type="button" onClick={() => void session.signOut()}>
            {t('signOut')}
          </button>
        </div>
      </header>
      {children}
      <GeoCredit />
    </>
  );
}

/** DB-IP's licence asks for credit wherever its data may show: on every page, sign-in included. */
function GeoCredit() {
  const t = useT(common);
  return (
    <footer className="foot">
      <a href="https://db-ip.com">{t('geoCredit')}</a>
    </footer>
  );
}
