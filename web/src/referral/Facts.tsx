import { Fragment, type ReactNode } from 'react';

export type Fact = readonly [label: string, value: ReactNode];

const present = (v: ReactNode): boolean =>
  v !== undefined && v !== null && v !== false && v !== '' && !(Array.isArray(v) && v.length === 0);

/** Label–value pairs, skipping what the report does not say (an absent field is not shown as blank). */
export function Facts({ rows }: { rows: readonly Fact[] }) {
  const shown = rows.filter(([, v]) => present(v));
  if (shown.length === 0) return null;
  return (
    <dl className="facts">
      {shown.map(([k, v]) => (
        <Fragment key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </Fragment>
      ))}
    </dl>
  );
}

/** Several values of one field, one per line. */
export function Lines({ values, mono = false }: { values: readonly ReactNode[]; mono?: boolean }) {
  if (values.length === 0) return null;
  return (
    <ul className={mono ? 'lines mono' : 'lines'}>
      {values.map((v, i) => (
        <li key={i}>{v}</li>
      ))}
    </ul>
  );
}

/** `values` one per line, or nothing when there are none (so the fact is skipped). */
export function lines(values: readonly ReactNode[], mono = false): ReactNode {
  return values.length > 0 ? <Lines values={values} mono={mono} /> : undefined;
}
