/**
 * A school's document settings on its unit page: per issuing body, the header lines, the
 * symbol after the slash of numbers, and the signature block. One conform form checked with
 * the action's schema (documentSettingsSchema); the bodies the user may not edit are shown
 * disabled and are not posted.
 */
import { getFormProps } from '@conform-to/react';
import { Form } from '@remix-run/react';
import { Field } from '~/components/forms';
import { useCheckedForm } from '~/components/checked-form';
import { documentSettingsSchema, type BodyField, type BodyKey } from '~/domain/documents/settings';
import type { MessageKey } from '~/i18n';
import { useT } from '~/i18n/use-t';
import type { FormResult } from '~/utils/forms/conform';
import type { DocumentSettingsView } from '~/utils/documents/settings.server';

export function DocumentSettingsSection({
  view,
  failure,
}: {
  view: DocumentSettingsView;
  failure?: { result: FormResult; values: Record<string, string> };
}) {
  const t = useT();
  const editable = new Set<BodyKey>(view.editable);
  const { form, fields, blurCheck } = useCheckedForm({
    id: 'document-bodies',
    lastResult: failure?.result,
    schema: documentSettingsSchema(view.editable),
  });
  const bodyKeys = Object.keys(view.bodies) as BodyKey[];
  return (
    <section className="panel" aria-labelledby="document-bodies-title" data-testid="document-bodies">
      <h2 id="document-bodies-title">{t('documents.settings.title')}</h2>
      <p className="field-hint">{t('documents.settings.hint')}</p>
      <Form method="post" className="form" {...getFormProps(form)} {...blurCheck}>
        <input type="hidden" name="intent" value="documentBodies" />
        {bodyKeys.map((body) => {
          const canEdit = editable.has(body);
          const group = canEdit
            ? (
                fields as unknown as Record<
                  string,
                  { getFieldset: () => Record<string, { errors?: string[] }> }
                >
              )[body]?.getFieldset()
            : undefined;
          return (
            <fieldset key={body} className="card" disabled={!canEdit} data-testid={`document-body-${body}`}>
              <legend>
                <strong>{t(`documents.settings.body.${body}` as MessageKey)}</strong>
              </legend>
              {(view.fields[body] as readonly BodyField[]).map((field) => {
                const name = `${body}.${field}`;
                const stored = view.bodies[body][field];
                return (
                  <Field
                    key={name}
                    label={t(`documents.settings.field.${field}` as MessageKey)}
                    hint={field === 'signer' ? t('documents.settings.signerHint') : undefined}
                    errors={group?.[field]?.errors}
                    inputProps={{
                      name,
                      id: `doc-${body}-${field}`,
                      required: field !== 'signer' && canEdit,
                      maxLength: field === 'symbol' ? 20 : 200,
                      defaultValue: failure?.values[name] ?? stored ?? '',
                    }}
                  />
                );
              })}
            </fieldset>
          );
        })}
        {view.editable.length ? (
          <div className="form-actions">
            <button type="submit" className="button">
              {t('documents.settings.save')}
            </button>
          </div>
        ) : null}
      </Form>
    </section>
  );
}
