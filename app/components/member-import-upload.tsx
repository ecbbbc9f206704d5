/**
 * Step 1 of the import page: the kind of data, the school (when the user has several),
 * the file, and the links to the templates. A file refused whole is answered beside it.
 */
import { Form, useNavigation } from '@remix-run/react';
import { useState } from 'react';
import { FormError, SelectField } from '~/components/forms';
import { FileProblems } from '~/components/member-import-report';
import { IMPORT_KINDS, type ImportKind, type ImportProblem } from '~/domain/member-import/types';
import type { MessageKey } from '~/i18n';
import { useT } from '~/i18n/use-t';

export interface UploadFailure {
  problems: ImportProblem[];
  kind: ImportKind | null;
  formError: MessageKey | null;
}

export function ImportUploadForm(props: {
  schools: { id: string; label: string }[];
  maxMb: number;
  initialKind: ImportKind;
  failure?: UploadFailure;
}) {
  const { schools, maxMb, failure } = props;
  const t = useT();
  const navigation = useNavigation();
  const uploading = navigation.state === 'submitting' && navigation.formData?.get('intent') === 'upload';
  const [kind, setKind] = useState<ImportKind>(props.initialKind);
  return (
    <>
      <Form
        method="post"
        encType="multipart/form-data"
        className="form"
        aria-labelledby="import-upload-title"
      >
        <h2 id="import-upload-title">{t('import.step1')}</h2>
        <input type="hidden" name="intent" value="upload" />
        <fieldset className="fieldset-plain">
          <legend className="field-legend">{t('import.kind')}</legend>
          {IMPORT_KINDS.map((k) => (
            <label key={k} className="checkbox">
              <input type="radio" name="kind" value={k} checked={kind === k} onChange={() => setKind(k)} />
              {t(`import.kind.${k}`)}
            </label>
          ))}
        </fieldset>
        {schools.length > 1 ? (
          <SelectField
            label={t('member.school')}
            selectProps={{ name: 'schoolId', required: true, defaultValue: '' }}
          >
            <option value="">{t('member.choose')}</option>
            {schools.map((s) => (
              <option key={s.id} value={s.id}>
                {s.label}
              </option>
            ))}
          </SelectField>
        ) : (
          <p className="muted">
            {t('member.school')}: {schools[0]?.label ?? '—'}
          </p>
        )}
        <div className="field">
          <label htmlFor="import-file">{t('import.file')}</label>
          <p id="import-file-hint" className="field-hint">
            {t('import.fileHint', { maxMb })}
          </p>
          <input
            id="import-file"
            type="file"
            name="file"
            required
            accept=".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"
            aria-describedby="import-file-hint"
          />
        </div>
        <div aria-live="polite">
          {failure?.formError ? <FormError message={failure.formError} /> : null}
          {failure?.problems.length ? <FileProblems problems={failure.problems} /> : null}
        </div>
        <div className="form-actions">
          <button type="submit" disabled={uploading}>
            {uploading ? t('import.checking') : t('import.check')}
          </button>
        </div>
      </Form>
      <section aria-labelledby="import-templates-title" className="panel">
        <h2 id="import-templates-title">{t('import.templates')}</h2>
        <ul className="link-list">
          {IMPORT_KINDS.map((k) => (
            <li key={k}>
              <a href={`/members/import/template?kind=${k}`} download>
                {t(`import.template.${k}`)}
              </a>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
