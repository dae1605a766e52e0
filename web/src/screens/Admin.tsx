import { lazy, Suspense } from 'react';
import { Link, Route, Routes } from 'react-router';
import { AdminPage, Guard, sm, Unavailable, useSections } from '../admin/shared.tsx';
import { Loading } from '../components/states.tsx';
import { useT } from '../i18n/i18n.tsx';

// Each section loads when first opened: most people use one or two of them.
const Organisations = lazy(() => import('../admin/Organisations.tsx'));
const Users = lazy(() => import('../admin/Users.tsx'));
const ApiKeys = lazy(() => import('../admin/ApiKeys.tsx'));
const HashLists = lazy(() => import('../admin/HashLists.tsx'));
const Rules = lazy(() => import('../admin/Rules.tsx'));
const Lexicons = lazy(() => import('../admin/Lexicons.tsx'));
const Registers = lazy(() => import('../admin/Registers.tsx'));
const Audit = lazy(() => import('../admin/Audit.tsx'));

/** Administration: an overview of the sections the user's role opens, and each section. */
export default function Admin() {
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route index element={<Overview />} />
        <Route
          path="organisations"
          element={
            <Guard section="organisations">
              <Organisations />
            </Guard>
          }
        />
        <Route
          path="users"
          element={
            <Guard section="users">
              <Users />
            </Guard>
          }
        />
        <Route
          path="apikeys"
          element={
            <Guard section="apikeys">
              <ApiKeys />
            </Guard>
          }
        />
        <Route
          path="hashlists"
          element={
            <Guard section="hashlists">
              <HashLists />
            </Guard>
          }
        />
        <Route
          path="rules"
          element={
            <Guard section="rules">
              <Rules />
            </Guard>
          }
        />
        <Route
          path="lexicons"
          element={
            <Guard section="lexicons">
              <Lexicons />
            </Guard>
          }
        />
        <Route
          path="registers"
          element={
            <Guard section="registers">
              <Registers />
            </Guard>
          }
        />
        <Route
          path="audit"
          element={
            <Guard section="audit">
              <Audit />
            </Guard>
          }
        />
        <Route path="*" element={<Unavailable />} />
      </Routes>
    </Suspense>
  );
}

function Overview() {
  const t = useT(sm);
  const sections = useSections();
  return (
    <AdminPage>
      {sections.length === 0 ? (
        <p className="notice">{t('nothingForYou')}</p>
      ) : (
        <ul className="admin-cards">
          {sections.map((s) => (
            <li key={s.key} className="panel">
              <h2>
                <Link to={`/admin/${s.key}`}>{t(s.key)}</Link>
              </h2>
              <p>{t(`${s.key}About`)}</p>
            </li>
          ))}
        </ul>
      )}
    </AdminPage>
  );
}
