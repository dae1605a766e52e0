import { useId, type ReactNode } from 'react';
import { Link } from 'react-router';
import { ApiError } from '../api/client.ts';
import { Loading, QueryState } from '../components/states.tsx';

/** A panel named by its heading, with an optional intro. */
export function Panel({
  title,
  intro,
  className = 'panel',
  children,
}: {
  title: string;
  intro?: string;
  className?: string;
  children: ReactNode;
}) {
  const id = useId();
  return (
    <section className={className} aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {intro && <p className="muted">{intro}</p>}
      {children}
    </section>
  );
}

export function SubjectLink({ id }: { id: string }) {
  return (
    <Link to={`/subjects/${encodeURIComponent(id)}`} className="mono">
      {id}
    </Link>
  );
}

export function ReferralLink({ id, children }: { id: string; children?: ReactNode }) {
  return (
    <Link to={`/referrals/${encodeURIComponent(id)}`} className="mono">
      {children ?? id}
    </Link>
  );
}

/** A list screen: its heading and what it shows. */
export function ListPage({ title, intro, children }: { title: string; intro: string; children: ReactNode }) {
  return (
    <main id="main">
      <h1>{title}</h1>
      <p className="muted page-intro">{intro}</p>
      {children}
    </main>
  );
}

/**
 * A screen about one thing (a subject, a community): the way back to its list, its heading, then the thing,
 * or why not — one out of reach (or with a malformed id) is said plainly, with the way back again.
 */
export function DetailPage<T>({
  back,
  backLabel,
  heading,
  query,
  missing,
  children,
}: {
  back: string;
  backLabel: string;
  /** The screen's <h1>. */
  heading: ReactNode;
  query: { isPending: boolean; error: unknown; data: T | undefined; refetch: () => unknown };
  missing: { readonly title: string; readonly text: string };
  children: (data: T) => ReactNode;
}) {
  const e = query.error;
  return (
    <main id="main">
      <p>
        <Link to={back}>← {backLabel}</Link>
      </p>
      {heading}
      {query.isPending ? (
        <Loading />
      ) : e instanceof ApiError && (e.status === 400 || e.status === 404) ? (
        <div className="notice" role="alert">
          <h2>{missing.title}</h2>
          <p>{missing.text}</p>
          <p>
            <Link to={back}>{backLabel}</Link>
          </p>
        </div>
      ) : (
        <QueryState query={query}>{children}</QueryState>
      )}
    </main>
  );
}
