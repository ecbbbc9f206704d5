/**
 * Presentation of a server-driven TanStack table: the caller owns the state (it
 * lives in the URL), this renders it accessibly. Sort headers are links to the
 * next sort state, so sorting works without JavaScript and every view has an
 * address; `aria-sort` tells screen readers the current order.
 */
import { Link, useSubmit } from '@remix-run/react';
import { flexRender, type RowData, type Table } from '@tanstack/react-table';
import { useEffect, useId, useRef, type ReactNode } from 'react';
import type { MessageKey } from '~/i18n';
import { useFormatters, useT } from '~/i18n/use-t';

declare module '@tanstack/react-table' {
  // Generic parameters must match the library's declaration to merge.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface ColumnMeta<TData extends RowData, TValue> {
    /** Header text (and the column chooser's label). */
    label: MessageKey;
    numeric?: boolean;
    /** Rendered as the row header (`<th scope="row">`). */
    rowHeader?: boolean;
    /** Render `header` (e.g. a select-all checkbox) instead of the label. */
    customHeader?: boolean;
    /**
     * How soon the column gives way when the table is narrower than its columns
     * (`fit` tables only): 3 first, then 2; unset never. Still shown when chosen.
     */
    priority?: 2 | 3;
    /** Long text (unit names) that may wrap instead of widening the table. */
    wrap?: boolean;
  }
}

export function DataTable<T>({
  table,
  caption,
  sortHref,
  empty,
  fit = false,
  onFitHidden,
}: {
  table: Table<T>;
  caption: string;
  sortHref: (columnId: string, dir: 'asc' | 'desc') => string;
  empty: string;
  /** Hide low-priority columns (meta.priority) as the box narrows, instead of scrolling. */
  fit?: boolean;
  /** The columns `fit` hides at the current width (measured in the browser). */
  onFitHidden?: (columnIds: string[]) => void;
}) {
  const t = useT();
  const captionId = useId();
  const wrapRef = useRef<HTMLDivElement>(null);
  const rows = table.getRowModel().rows;
  useFitAndEdges(wrapRef, fit, rows, onFitHidden);
  const priority = (p?: number) => (fit && p ? p : undefined);
  return (
    // The frame carries the shadows at an edge that has more columns behind it.
    <div className="data-table-frame">
      <p className="scroll-hint muted">{t('table.scrollHint')}</p>
      <div className="data-table-edges">
        {/* Focusable so keyboard users can scroll a table wider than the screen. */}
        <div
          ref={wrapRef}
          className="table-wrap data-table-wrap"
          role="region"
          aria-labelledby={captionId}
          tabIndex={0}
          data-fit={fit || undefined}
        >
          <table className="data-table">
            <caption id={captionId}>
              <span>{caption}</span>
            </caption>
            <thead>
              {table.getHeaderGroups().map((group) => (
                <tr key={group.id}>
                  {group.headers.map((header) => {
                    const column = header.column;
                    const sorted = column.getIsSorted();
                    const label = column.columnDef.meta ? t(column.columnDef.meta.label) : '';
                    return (
                      <th
                        key={header.id}
                        scope="col"
                        className={column.columnDef.meta?.numeric ? 'num' : undefined}
                        data-col={column.id}
                        data-priority={priority(column.columnDef.meta?.priority)}
                        aria-sort={
                          sorted === 'asc'
                            ? 'ascending'
                            : sorted === 'desc'
                              ? 'descending'
                              : column.getCanSort()
                                ? 'none'
                                : undefined
                        }
                      >
                        {column.getCanSort() ? (
                          <Link
                            className="sort-link"
                            to={sortHref(column.id, sorted === 'asc' ? 'desc' : 'asc')}
                            preventScrollReset
                            aria-label={t('table.sortBy', { column: label })}
                            data-testid={`sort-${column.id}`}
                          >
                            {label}
                            <span aria-hidden="true" className="sort-icon">
                              {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : '↕'}
                            </span>
                          </Link>
                        ) : header.isPlaceholder ? null : column.columnDef.meta?.customHeader ? (
                          flexRender(column.columnDef.header, header.getContext())
                        ) : (
                          label
                        )}
                      </th>
                    );
                  })}
                </tr>
              ))}
            </thead>
            <tbody>
              {rows.length ? (
                rows.map((row) => (
                  <tr key={row.id} data-selected={row.getIsSelected() || undefined}>
                    {row.getVisibleCells().map((cell) => {
                      const meta = cell.column.columnDef.meta;
                      const content = flexRender(cell.column.columnDef.cell, cell.getContext());
                      return meta?.rowHeader ? (
                        <th key={cell.id} scope="row">
                          {content}
                        </th>
                      ) : (
                        <td
                          key={cell.id}
                          className={meta?.numeric ? 'num' : meta?.wrap ? 'wrap' : undefined}
                          data-priority={priority(meta?.priority)}
                        >
                          {content}
                        </td>
                      );
                    })}
                  </tr>
                ))
              ) : (
                <tr>
                  <td colSpan={table.getVisibleLeafColumns().length}>{empty}</td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      </div>
    </div>
  );
}

/**
 * Fits the table to its box and marks the edges. With `fit`, the lowest-priority
 * columns are hidden (the box's `data-fit-level`: 1 hides priority 3, 2 hides 2 and
 * 3) only as far as needed for the table to fit; the box then carries
 * `data-more-left` / `data-more-right` while columns lie behind that edge (CSS draws
 * a shadow there and shows the hint). Measured again when the box is resized or the
 * rows change. Without JavaScript nothing is hidden, and the hint shows on small screens.
 */
function useFitAndEdges(
  ref: React.RefObject<HTMLDivElement | null>,
  fit: boolean,
  rowsKey: unknown,
  onFitHidden?: (columnIds: string[]) => void,
) {
  const report = useRef(onFitHidden);
  report.current = onFitHidden;
  useEffect(() => {
    const box = ref.current;
    if (!box) return;
    const frame = box.closest('.data-table-frame');
    const overflows = () => box.scrollWidth - box.clientWidth > 1;
    let lastHidden = '';
    let lastWidth = -1;
    const edges = () => {
      const max = box.scrollWidth - box.clientWidth;
      frame?.toggleAttribute('data-more-left', box.scrollLeft > 1);
      frame?.toggleAttribute('data-more-right', max - box.scrollLeft > 1);
      frame?.setAttribute('data-measured', '');
    };
    const measure = () => {
      lastWidth = box.clientWidth;
      if (fit) {
        let level = 0;
        box.dataset.fitLevel = '0';
        while (overflows() && level < 2) box.dataset.fitLevel = String(++level);
        const hidden = Array.from(box.querySelectorAll<HTMLElement>('thead th[data-priority]'))
          .filter((th) => getComputedStyle(th).display === 'none')
          .map((th) => th.dataset.col ?? '');
        if (hidden.join() !== lastHidden) {
          lastHidden = hidden.join();
          report.current?.(hidden);
        }
      } else {
        delete box.dataset.fitLevel;
      }
      edges();
    };
    measure();
    box.addEventListener('scroll', edges, { passive: true });
    // Only the box's own width matters (hiding columns changes the table, not the box).
    const observer = new ResizeObserver(() => {
      if (box.clientWidth !== lastWidth) measure();
    });
    observer.observe(box);
    return () => {
      box.removeEventListener('scroll', edges);
      observer.disconnect();
    };
  }, [ref, fit, rowsKey]);
}

/** A checkbox that can show "some selected" (indeterminate is a DOM property, not an attribute). */
export function IndeterminateCheckbox({
  indeterminate,
  ...props
}: { indeterminate?: boolean } & React.InputHTMLAttributes<HTMLInputElement>) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = !!indeterminate && !props.checked;
  }, [indeterminate, props.checked]);
  return <input ref={ref} type="checkbox" {...props} />;
}

/** First / previous / page x of y / next / last, and the page-size choice (a GET form). */
export function Pager({
  page,
  pages,
  size,
  sizes,
  pageHref,
  hidden,
}: {
  page: number;
  pages: number;
  size: number;
  sizes: readonly number[];
  pageHref: (page: number) => string;
  /** Other URL state the size form must keep. */
  hidden: [string, string][];
}) {
  const t = useT();
  const fmt = useFormatters();
  const submit = useSubmit();
  const link = (to: number, label: MessageKey, text: ReactNode, show: boolean) =>
    show ? (
      <Link to={pageHref(to)} aria-label={t(label)} preventScrollReset>
        {text}
      </Link>
    ) : (
      <span aria-hidden="true" className="pager-disabled">
        {text}
      </span>
    );
  return (
    <nav className="pager" aria-label={t('table.pagination')}>
      {link(1, 'table.first', '«', page > 1)}
      {link(page - 1, 'table.previous', '‹', page > 1)}
      <span aria-current="page" data-testid="page-indicator">
        {t('table.page', { page: fmt.number(page), pages: fmt.number(pages) })}
      </span>
      {link(page + 1, 'table.next', '›', page < pages)}
      {link(pages, 'table.last', '»', page < pages)}
      <form
        method="get"
        className="page-size"
        onChange={(e) => submit(e.currentTarget, { preventScrollReset: true })}
      >
        {hidden.map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
        <label htmlFor="page-size">{t('table.pageSize')}</label>
        <select id="page-size" name="size" defaultValue={String(size)} key={size}>
          {sizes.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <noscript>
          <button type="submit">{t('table.apply')}</button>
        </noscript>
      </form>
    </nav>
  );
}
