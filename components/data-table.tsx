import type { ReactNode } from 'react';

/**
 * The console's tables, written once: a section with its heading, the message shown instead of an
 * empty table, and a table whose header row comes from a column list. Two looks:
 * - `card`: a white bordered box with the heading as its top bar (run pages, overview, monitor);
 * - `plain`: the heading above, only the table in a bordered box (users, audit).
 */
type Look = 'card' | 'plain';

const SECTION: Record<Look, string> = { card: 'rounded-lg border border-slate-200 bg-white', plain: 'space-y-2' };
const HEADING: Record<Look, string> = {
  card: 'border-b border-slate-200 px-4 py-2 font-semibold',
  plain: 'font-semibold',
};
const EMPTY: Record<Look, string> = { card: 'px-4 py-3 text-sm text-slate-600', plain: 'text-sm text-slate-600' };
const SCROLL: Record<Look, string> = {
  card: 'overflow-x-auto',
  plain: 'overflow-x-auto rounded-lg border border-slate-200 bg-white',
};

/** A header cell: its text (none for a column of buttons), right-aligned for figures, a tooltip. */
export interface Column {
  label?: string;
  key?: string;
  right?: boolean;
  title?: string;
}

/** The table in its horizontal scroll box, or `empty` in its place when there are no rows to show. */
export function TableFrame({ look, empty, children }: { look: Look; empty?: ReactNode; children: ReactNode }) {
  if (empty) return <p className={EMPTY[look]}>{empty}</p>;
  return <div className={SCROLL[look]}>{children}</div>;
}

/**
 * A table with its heading. `aside` stands on the heading's right (card look); `after` comes below
 * the table, inside the section (a message about its rows).
 */
export function TableSection({
  look,
  label,
  heading,
  aside,
  empty,
  after,
  children,
}: {
  look: Look;
  label?: string;
  heading: ReactNode;
  aside?: ReactNode;
  empty?: ReactNode;
  after?: ReactNode;
  children: ReactNode;
}) {
  return (
    <section className={SECTION[look]} aria-label={label}>
      {aside ? (
        <div className="flex flex-wrap items-baseline justify-between gap-2 border-b border-slate-200 px-4 py-2">
          <h2 className="font-semibold">{heading}</h2>
          {aside}
        </div>
      ) : (
        <h2 className={HEADING[look]}>{heading}</h2>
      )}
      <TableFrame look={look} empty={empty}>
        {children}
      </TableFrame>
      {after}
    </section>
  );
}

/**
 * The table itself; `children` are its body rows. `inset` is the cells' horizontal padding, so that
 * the header lines up with the rows (`px-4` in a card, `px-3` in denser tables).
 */
export function DataTable({
  columns,
  inset,
  testId,
  children,
}: {
  columns: readonly (Column | string)[];
  inset: 'px-3' | 'px-4';
  testId?: string;
  children: ReactNode;
}) {
  return (
    <table className="w-full text-sm" data-testid={testId}>
      <thead className="text-left text-xs uppercase text-slate-500">
        <tr>
          {columns.map((column) => {
            const { label, key, right, title } = typeof column === 'string' ? { label: column } : column;
            return (
              <th key={key ?? label} className={`${inset} py-2${right ? ' text-right' : ''}`} title={title}>
                {label}
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}
