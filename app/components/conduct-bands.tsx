/**
 * A school's conduct-score bands below "Tốt" (its own regulation; Thông tư 16/2015 fixes
 * Xuất sắc ≥ 90 and Tốt ≥ 80): Khá from `goodMin`, Trung bình from `averageMin`, Yếu below.
 * Checked with ConductBandsSchema in the browser (on leaving a field and on submit) and
 * again by the action, which answers with conform's reply.
 */
import { getFormProps } from '@conform-to/react';
import { Form } from '@remix-run/react';
import { Field } from '~/components/forms';
import { useCheckedForm } from '~/components/checked-form';
import { ConductBandsSchema, type ConductBands } from '~/domain/academic';
import { useT } from '~/i18n/use-t';
import { type FormResult } from '~/utils/forms/conform';

export function ConductBandsSection({
  bands,
  isSet,
  canEdit,
  failure,
}: {
  bands: ConductBands;
  isSet: boolean;
  canEdit: boolean;
  failure?: { result: FormResult; values: Record<string, string> };
}) {
  const t = useT();
  const value = (name: keyof ConductBands) => failure?.values[name] ?? String(bands[name]);
  const { form, fields, blurCheck } = useCheckedForm({
    id: 'conduct-bands',
    lastResult: failure?.result,
    schema: ConductBandsSchema,
  });
  return (
    <section className="panel" aria-labelledby="conduct-bands-title" data-testid="conduct-bands">
      <h2 id="conduct-bands-title">{t('conduct.bands.title')}</h2>
      <p className="field-hint">{t('conduct.bands.hint')}</p>
      {isSet ? null : <p className="muted">{t('conduct.bands.default')}</p>}
      <Form method="post" className="form" {...getFormProps(form)} {...blurCheck}>
        <input type="hidden" name="intent" value="conductBands" />
        <fieldset className="fieldset-plain form" disabled={!canEdit}>
          <legend className="visually-hidden">{t('conduct.bands.title')}</legend>
          <Field
            label={t('conduct.bands.goodMin')}
            errors={fields.goodMin.errors}
            inputProps={{
              name: 'goodMin',
              type: 'number',
              min: 0,
              max: 100,
              step: 1,
              inputMode: 'numeric',
              defaultValue: value('goodMin'),
            }}
          />
          <Field
            label={t('conduct.bands.averageMin')}
            errors={fields.averageMin.errors}
            inputProps={{
              name: 'averageMin',
              type: 'number',
              min: 0,
              max: 100,
              step: 1,
              inputMode: 'numeric',
              defaultValue: value('averageMin'),
            }}
          />
          {canEdit ? (
            <div className="form-actions">
              <button type="submit" className="button">
                {t('conduct.bands.save')}
              </button>
            </div>
          ) : null}
        </fieldset>
      </Form>
    </section>
  );
}
