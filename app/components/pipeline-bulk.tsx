/** What a refused bulk action shows, and the document fields of a bulk step. */
import { useLocale, useT } from '~/i18n/use-t';
import type { BulkField } from '~/domain/pipeline/bulk-steps';
import type { BulkFailure } from '~/utils/pipeline/pipeline-bulk.server';

export function BulkProblems({ failure }: { failure: BulkFailure | undefined }) {
  const t = useT();
  const locale = useLocale();
  if (!failure) return null;
  const idsError = failure.fieldErrors?.ids;
  return (
    <div role="alert">
      {idsError ? <p className="field-error">{idsError[locale]}</p> : null}
      {failure.refused?.length ? (
        <>
          <p className="field-error">{t('board.error.refused')}</p>
          <ul className="refused-list">
            {failure.refused.map((r, i) => (
              <li key={r.id || `x${i}`}>
                {r.fullName ? <strong>{r.fullName}: </strong> : null}
                {r.reasons.map((x) => x[locale]).join('; ')}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}

export function BulkFieldInput({ field, failure }: { field: BulkField; failure: BulkFailure | undefined }) {
  const t = useT();
  const locale = useLocale();
  const id = `bulk-${field.name}`;
  const error = failure?.fieldErrors?.[field.name];
  const props = {
    id,
    name: field.name,
    required: field.required,
    defaultValue: failure?.values[field.name] ?? '',
    'aria-invalid': error ? true : undefined,
    'aria-describedby': error ? `${id}-error` : undefined,
  };
  return (
    <div className="field">
      <label htmlFor={id}>
        {field.label[locale]}{' '}
        {field.required ? <span className="muted">{t('pipeline.required')}</span> : null}
      </label>
      {field.kind === 'textarea' ? (
        <textarea rows={2} maxLength={2000} {...props} />
      ) : (
        <input type={field.kind} maxLength={field.kind === 'text' ? 200 : undefined} {...props} />
      )}
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error[locale]}
        </p>
      ) : null}
    </div>
  );
}
