/**
 * The dry run's preview on the import page: which file column became which field
 * (columns the import does not know, such as STT, named as ignored), and the first
 * rows as they will be written with what each will do.
 */
import type { ImportPreview, RowAction } from '~/domain/import-preview';
import { useFormatters, useT } from '~/i18n/use-t';

const ACTION_CLASS: Record<RowAction, string> = {
  new: 'badge badge-active',
  changed: 'badge badge-stage',
  unchanged: 'badge badge-inactive',
  error: 'badge badge-error',
};

export function ImportPreviewView({ preview }: { preview: ImportPreview }) {
  const t = useT();
  const { number } = useFormatters();
  return (
    <>
      <section aria-labelledby="import-mapping-title">
        <h3 id="import-mapping-title">{t('import.mappingTitle')}</h3>
        <ul className="import-mapping" data-testid="import-mapping">
          {preview.mapping.map((m, i) => (
            <li key={i} data-ignored={m.field ? undefined : 'true'}>
              <span className="import-mapping-file">{m.column}</span> →{' '}
              {m.field ? <strong>{m.field}</strong> : <em className="muted">{t('import.ignored')}</em>}
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="import-preview-title">
        <h3 id="import-preview-title">{t('import.previewTitle')}</h3>
        <p className="muted">
          {preview.total > preview.rows.length
            ? t('import.previewFirst', { shown: number(preview.rows.length), total: number(preview.total) })
            : t('import.previewAll', { total: number(preview.total) })}
        </p>
        <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="import-preview-title">
          <table data-testid="import-preview" className="import-preview">
            <thead>
              <tr>
                <th scope="col" className="num">
                  {t('import.row')}
                </th>
                <th scope="col">{t('import.action')}</th>
                {preview.columns.map((c) => (
                  <th scope="col" key={c}>
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {preview.rows.map((r) => (
                <tr key={r.row} data-action={r.action}>
                  <td className="num">{r.row}</td>
                  <td>
                    <span className={ACTION_CLASS[r.action]}>{t(`import.action.${r.action}`)}</span>
                    {r.changed?.length ? (
                      <span className="import-changed">{r.changed.join(', ')}</span>
                    ) : null}
                  </td>
                  {preview.columns.map((c) => (
                    <td key={c} className={r.changed?.includes(c) ? 'import-cell-changed' : undefined}>
                      {r.values[c] ?? ''}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}
