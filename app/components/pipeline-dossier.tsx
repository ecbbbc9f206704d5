/**
 * The paper dossier (forms 1-KNĐ … 15-KNĐ): a table of received and verified dates,
 * each either entered by hand or implied by a recorded step (shown as such), and, for
 * the school and admins, a folded editor. The browser checks the same zod schema as
 * the action, so a bad date gets its message beside the box before any round trip.
 */
import { Form, useNavigation } from '@remix-run/react';
import { useState, type FormEvent } from 'react';
import type { Text } from '~/domain/criteria/types';
import type { MessageKey } from '~/i18n';
import { focusFirstInvalid } from '~/utils/validation';
import { useFormatters, useLocale, useT } from '~/i18n/use-t';
import {
  DOSSIER_DATE_KINDS,
  dossierEditSchema,
  dossierField,
  dossierValues,
  issuesByField,
  type DossierDateKind,
  type DossierRowState,
  type TabFormFailure,
} from './pipeline-forms';

export interface DossierRowView extends DossierRowState {
  name: Text;
  receivedAt: string;
  verifiedAt: string;
}

const COLUMN: Record<DossierDateKind, MessageKey> = {
  receivedAt: 'pipeline.dossier.received',
  verifiedAt: 'pipeline.dossier.verified',
};

function DateCell({ row, kind }: { row: DossierRowView; kind: DossierDateKind }) {
  const t = useT();
  const { date } = useFormatters();
  const value = row[kind];
  // data-label: the column's name, shown above the value on narrow screens.
  if (!value)
    return (
      <td className="muted" data-label={t(COLUMN[kind])}>
        {t('pipeline.dossier.missing')}
      </td>
    );
  const derived = !row.stored[kind];
  return (
    <td data-source={derived ? 'derived' : 'stored'} data-label={t(COLUMN[kind])}>
      {date(value)}
      {derived ? <span className="muted derived"> ({t('pipeline.dossier.derived')})</span> : null}
    </td>
  );
}

function DossierEditor({
  rows,
  version,
  today,
  failure,
}: {
  rows: DossierRowView[];
  version: number;
  today: string;
  failure: TabFormFailure | undefined;
}) {
  const t = useT();
  const locale = useLocale();
  const { date } = useFormatters();
  const navigation = useNavigation();
  const [clientErrors, setClientErrors] = useState<Record<string, MessageKey[]> | null>(null);
  const server = failure?.intent === 'dossier' ? failure : undefined;
  const errors = clientErrors ?? server?.errors ?? {};
  const busy = navigation.state === 'submitting' && navigation.formData?.get('intent') === 'dossier';

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    const values = dossierValues(new FormData(event.currentTarget).entries());
    const parsed = dossierEditSchema(today, rows).safeParse(values);
    if (parsed.success) {
      setClientErrors(null);
      return;
    }
    event.preventDefault();
    const errors = issuesByField(parsed.error);
    setClientErrors(errors);
    focusFirstInvalid(event.currentTarget, errors);
  }

  const hasErrors = Object.keys(errors).length > 0;
  return (
    <details className="exit-forms dossier-editor" open={!!server || undefined} data-testid="dossier-editor">
      <summary>{t('pipeline.dossier.edit')}</summary>
      {hasErrors || server?.conflict ? (
        <div className="form-error" role="alert">
          {server?.conflict ? t('pipeline.conflict') : t('pipeline.dossier.errors')}
        </div>
      ) : null}
      <p className="field-hint">{t('pipeline.dossier.editHint')}</p>
      <Form method="post" noValidate onSubmit={onSubmit} key={version}>
        <input type="hidden" name="intent" value="dossier" />
        <input type="hidden" name="version" value={version} />
        <div className="transition-forms">
          {rows.map((row, i) => (
            <fieldset key={row.form} className="card" data-testid={`dossier-form-${i + 1}`}>
              <legend>
                <strong>{row.form}</strong> {row.name[locale]}
              </legend>
              {DOSSIER_DATE_KINDS.map((kind) => {
                const name = dossierField(i, kind);
                const id = `dossier-${kind}-${i + 1}`;
                const fieldErrors = errors[name] ?? [];
                const derived = row.derived[kind];
                const describedBy =
                  [derived ? `${id}-hint` : null, fieldErrors.length ? `${id}-error` : null]
                    .filter(Boolean)
                    .join(' ') || undefined;
                return (
                  <div className="field" key={kind}>
                    <label htmlFor={id}>{t(COLUMN[kind])}</label>
                    {derived ? (
                      <p id={`${id}-hint`} className="field-hint">
                        {t('pipeline.dossier.derivedHint', { date: date(derived) })}
                      </p>
                    ) : null}
                    <input
                      id={id}
                      name={name}
                      type="date"
                      max={today}
                      defaultValue={server?.values[name] ?? row.stored[kind]}
                      aria-invalid={fieldErrors.length ? true : undefined}
                      aria-describedby={describedBy}
                    />
                    {fieldErrors.length ? (
                      <div id={`${id}-error`}>
                        {fieldErrors.map((e) => (
                          <p key={e} className="field-error">
                            {t(e)}
                          </p>
                        ))}
                      </div>
                    ) : null}
                  </div>
                );
              })}
            </fieldset>
          ))}
        </div>
        <div className="form-actions">
          <button type="submit" className="button" disabled={busy}>
            {t('pipeline.dossier.save')}
          </button>
        </div>
      </Form>
    </details>
  );
}

export function DossierSection({
  rows,
  version,
  today,
  canEdit,
  failure,
}: {
  rows: DossierRowView[];
  version: number;
  today: string;
  canEdit: boolean;
  failure: TabFormFailure | undefined;
}) {
  const t = useT();
  const locale = useLocale();
  return (
    <section aria-labelledby="dossier-title" className="profile-section">
      <h2 id="dossier-title">{t('pipeline.dossier')}</h2>
      <div className="table-wrap">
        <table data-testid="dossier" className="dossier-table">
          <thead>
            <tr>
              <th scope="col">{t('pipeline.dossier.form')}</th>
              <th scope="col">{t('pipeline.dossier.received')}</th>
              <th scope="col">{t('pipeline.dossier.verified')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.form} data-form={row.form}>
                <th scope="row">
                  {row.form} <span className="form-name">{row.name[locale]}</span>
                </th>
                <DateCell row={row} kind="receivedAt" />
                <DateCell row={row} kind="verifiedAt" />
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {canEdit ? <DossierEditor rows={rows} version={version} today={today} failure={failure} /> : null}
    </section>
  );
}
