import { Link } from '@remix-run/react';
import { useFormatters, useT } from '~/i18n/use-t';
import type { ReportCell, ReportTable } from '~/utils/reports/report-tables';

/**
 * The report tables (dashboard, print page): one `<section>` per table, anchored by
 * its id, with the title as the table's caption (a heading inside it), column headers as `<th scope="col">`,
 * numbers formatted for the locale and right-aligned, drill-down cells as links
 * (plain text in print) and the table's note below it.
 */
export function ReportTables({
  tables,
  headingLevel = 2,
  links = true,
}: {
  tables: ReportTable[];
  /** Level of each table's heading (2 under the page's h1). */
  headingLevel?: 2 | 3;
  /** False for a print-only rendering: cells show their values without links. */
  links?: boolean;
}) {
  return (
    <div className="report-tables">
      {tables.map((table) => (
        <ReportTableView key={table.id} table={table} headingLevel={headingLevel} links={links} />
      ))}
    </div>
  );
}

export function ReportTableView({
  table,
  headingLevel = 2,
  links = true,
}: {
  table: ReportTable;
  headingLevel?: 2 | 3;
  links?: boolean;
}) {
  const t = useT();
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  const headingId = `${table.id}-title`;
  const noteId = table.note ? `${table.id}-note` : undefined;
  // A column is numeric when every filled cell holds a number: its header aligns with the figures.
  const numeric = table.columns.map((_, c) => {
    const filled = table.rows.map((row) => row[c]?.value ?? null).filter((v) => v !== null && v !== '');
    return filled.length > 0 && filled.every((v) => typeof v === 'number');
  });
  return (
    <section className="report-table" id={table.id} aria-labelledby={headingId}>
      {table.rows.length ? (
        <div className="table-wrap">
          <table aria-describedby={noteId}>
            {/* A heading inside the caption: named table for screen readers, and a landmark in the outline. */}
            <caption className="report-caption">
              <Heading id={headingId}>{table.title}</Heading>
            </caption>
            <thead>
              <tr>
                {table.columns.map((column, c) => (
                  <th key={c} scope="col" className={numeric[c] ? 'num' : undefined}>
                    {column}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.rows.map((row, r) => (
                <tr key={r}>
                  {table.columns.map((_, c) => (
                    <ReportCellView key={c} cell={row[c]} links={links} />
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <>
          <Heading id={headingId}>{table.title}</Heading>
          <p className="muted">{t('reportsExport.emptyTable')}</p>
        </>
      )}
      {table.note ? (
        <p id={noteId} className="field-hint report-note">
          {table.note}
        </p>
      ) : null}
    </section>
  );
}

function ReportCellView({ cell, links }: { cell: ReportCell | undefined; links: boolean }) {
  const f = useFormatters();
  const value = cell?.value ?? null;
  const isNumber = typeof value === 'number';
  const text = value === null || value === '' ? '—' : isNumber ? f.number(value) : value;
  return (
    <td className={isNumber ? 'num' : undefined}>
      {links && cell?.href && value !== null ? (
        <Link to={cell.href} prefetch="none">
          {text}
        </Link>
      ) : (
        text
      )}
    </td>
  );
}
