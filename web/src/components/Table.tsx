import type { ReactNode } from 'react';

/** A column heading; `num` right-aligns a column of numbers. */
export type Column = string | { readonly label: string; readonly num: true };

/** A table of rows (`children`) under its column headings, scrolling sideways when narrow. */
export function Table({
  head,
  className,
  children,
}: {
  head: readonly (Column | false)[];
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className="table-wrap">
      <table className={className}>
        <thead>
          <tr>
            {head.map(
              (c, i) =>
                c !== false && (
                  <th key={i} scope="col" className={typeof c === 'string' ? undefined : 'num'}>
                    {typeof c === 'string' ? c : c.label}
                  </th>
                ),
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
