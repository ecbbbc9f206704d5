/**
 * The paper dossier (forms 1-KNĐ … 15-KNĐ): a table of received and verified dates,
 * each either entered by hand or implied by a recorded step (shown as such), and, for
 * the school and admins, a folded editor (conform): the browser checks the same zod schema
 * as the action, so a bad date gets its message beside the box before any round trip.
 */
import { getFormProps, getInputProps } from '@conform-to/react';
import { getZodConstraint } from '@conform-to/zod/v4';
import { Form, useNavigation } from '@remix-run/react';
import type { Text } from '~/domain/criteria/types';
import type { MessageKey } from '~/i18n';
import { useFormatters, useLocale, useT } from '~/i18n/use-t';
import { Field } from './forms';
import { useCheckedForm } from './checked-form';
import {
  DOSSIER_DATE_KINDS,
  dossierEditSchema,
  type DossierDateKind,
  type DossierRowState,
  type TabFormFailure,
} from '~/utils/forms/pipeline-tab';

export interface DossierRowView extends DossierRowState {
  name: Text;
  receivedAt: string;
  verifiedAt: string;
  /** How many signed scans of this form are attached (pipeline-scans.tsx). */
  scanned?: number;
}

const COLUMN: Record<DossierDateKind, MessageKey> = {
  receivedAt: 'pipeline.dossier.received',
  verifiedAt: 'pipeline.dossier.verified',
};

function DateCell({
  row,
  kind,
  scanned = 0,
}: {
  row: DossierRowView;
  kind: DossierDateKind;
  scanned?: number;
}) {
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
      {scanned ? (
        <span className="muted scanned" data-testid="dossier-scanned">
          {' '}
          · {t('pipeline.dossier.scanned')}
        </span>
      ) : null}
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
  const server = failure?.intent === 'dossier' ? failure : undefined;
  const schema = dossierEditSchema(today, rows);
  const byForm = (kind: DossierDateKind) =>
    Object.fromEntries(rows.map((row, i) => [String(i + 1), row.stored[kind]]));
  const { form, fields, blurCheck } = useCheckedForm({
    id: 'dossier',
    lastResult: server?.result,
    defaultValue: { receivedAt: byForm('receivedAt'), verifiedAt: byForm('verifiedAt') },
    constraint: getZodConstraint(schema),
    // As on the server: no coercion, a blank date clears the stored one.
    schema,
  });
  const dates = { receivedAt: fields.receivedAt.getFieldset(), verifiedAt: fields.verifiedAt.getFieldset() };
  const busy = navigation.state === 'submitting' && navigation.formData?.get('intent') === 'dossier';
  const invalid = Object.values(form.allErrors).some((list) => list.length > 0);

  return (
    <details className="exit-forms dossier-editor" open={!!server || undefined} data-testid="dossier-editor">
      <summary>{t('pipeline.dossier.edit')}</summary>
      {invalid ? (
        <div className="form-error" role="alert">
          {server?.conflict ? t('pipeline.conflict') : t('pipeline.dossier.errors')}
        </div>
      ) : null}
      <p className="field-hint">{t('pipeline.dossier.editHint')}</p>
      <Form method="post" {...getFormProps(form)} {...blurCheck}>
        <input type="hidden" name="intent" value="dossier" />
        <input type="hidden" name="version" value={version} />
        <div className="transition-forms">
          {rows.map((row, i) => (
            <fieldset key={row.form} className="card" data-testid={`dossier-form-${i + 1}`}>
              <legend>
                <strong>{row.form}</strong> {row.name[locale]}
              </legend>
              {DOSSIER_DATE_KINDS.map((kind) => {
                const field = dates[kind][String(i + 1)];
                const derived = row.derived[kind];
                const { key, ...input } = getInputProps(field, { type: 'date', ariaAttributes: false });
                return (
                  <Field
                    key={key ?? kind}
                    label={t(COLUMN[kind])}
                    hint={derived ? t('pipeline.dossier.derivedHint', { date: date(derived) }) : undefined}
                    errors={field.errors}
                    inputProps={{ ...input, id: `dossier-${kind}-${i + 1}`, max: today }}
                  />
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
                <DateCell row={row} kind="receivedAt" scanned={row.scanned ?? 0} />
                <DateCell row={row} kind="verifiedAt" />
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {canEdit ? (
        // A new version (saved here or elsewhere) starts the editor afresh from what is stored.
        <DossierEditor key={version} rows={rows} version={version} today={today} failure={failure} />
      ) : null}
    </section>
  );
}
