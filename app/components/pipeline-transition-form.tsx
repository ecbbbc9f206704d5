/**
 * One form per pipeline step the signed-in user may take (fields from the step's zod
 * schema, see app/domain/pipeline/step-fields.ts). A step refused to this user whatever is typed (withdrawn
 * consent, separation of duties) is shown disabled with the reason, so nobody fills in a
 * form bound to fail. A refusal of a step whose form is not on the page (a stale tab posting
 * a step no longer offered: the record moved on, or another role's step) is shown on its
 * own (`NotOfferedFailure`), never swallowed.
 */
import { getFormProps, useForm, type SubmissionResult } from '@conform-to/react';
import { Form, Link, useNavigation } from '@remix-run/react';
import { useMemo, useState } from 'react';
import { dayNumber, formatDay } from '~/domain/calendar';
import { countOn } from '~/domain/party-register';
import { voteThreshold } from '~/domain/pipeline/rules';
import { findTransition } from '~/domain/pipeline/transitions';
import { SelectionVerdictBox } from '~/components/selection-verdict';
import { STAGE_LABELS } from '~/domain/stages';
import type { MessageKey } from '~/i18n';
import { useLocale, useT } from '~/i18n/use-t';
import { parseForm } from '~/utils/forms/conform';
import { stepFieldName, stepIssueMessage } from '~/utils/forms/pipeline-step';
import type { FieldView } from '~/domain/pipeline/step-fields';
import type { TransitionFailure } from '~/utils/pipeline/pipeline-step.server';
import type { TransitionView } from '~/utils/pipeline/pipeline-view.server';
import type { VoteCellOption } from '~/utils/pipeline/party-register.server';
import { ErrorList, Field, SelectField, TextareaField, useBlurCheck } from './forms';

/**
 * The chi bộ of a vote and the count of official members its register has in force on the
 * meeting day (countOn, the same pure rule the server judges by), updated as the day or the
 * cell changes. No typed count: the register is the denominator of the 2/3 rule.
 */
function VoteCellField({
  field,
  idPrefix,
  cells,
  cellId,
  meetingDate,
  errors,
}: {
  field: FieldView;
  idPrefix: string;
  cells: VoteCellOption[];
  cellId: string;
  meetingDate: string;
  errors: string[] | undefined;
}) {
  const t = useT();
  const locale = useLocale();
  const id = `${idPrefix}-${field.name}`;
  const errorId = `${id}-error`;
  const countId = `${id}-count`;
  const invalid = !!errors?.length;
  const cell = cells.find((c) => c.id === cellId);
  const day = /^\d{4}-\d{2}-\d{2}$/.test(meetingDate) ? dayNumber(meetingDate) : NaN;
  const n = cell && !Number.isNaN(day) ? countOn(cell.register, day) : null;
  let shown: string;
  if (!cell) shown = t('pipeline.cell.chooseFirst');
  else if (Number.isNaN(day)) shown = t('pipeline.cell.dateFirst');
  else if (n === null) shown = t('pipeline.cell.missing', { date: formatDay(day) });
  else
    shown = t('pipeline.cell.count', { date: formatDay(day), count: n, need: Math.max(1, voteThreshold(n)) });
  return (
    <div className="field">
      <label htmlFor={id}>
        {field.label[locale]}
        <span className="required-mark" aria-hidden="true">
          {' '}
          {t('form.required')}
        </span>
      </label>
      <select
        id={id}
        name={field.name}
        defaultValue={cellId}
        required
        aria-required
        aria-invalid={invalid || undefined}
        aria-describedby={[countId, invalid ? errorId : ''].filter(Boolean).join(' ')}
      >
        <option value="">{t('pipeline.option.none')}</option>
        {cells.map((c) => (
          <option key={c.id} value={c.id}>
            {c.active ? c.name : t('pipeline.cell.inactive', { name: c.name })}
          </option>
        ))}
      </select>
      <p id={countId} className="field-hint" aria-live="polite" data-testid="vote-cell-count">
        {shown}{' '}
        {cell && n === null && !Number.isNaN(day) ? (
          <Link to="/school/party-cells">{t('register.nav')}</Link>
        ) : null}
      </p>
      {cells.length === 0 ? <p className="field-hint">{t('pipeline.cell.none')}</p> : null}
      <ErrorList id={errorId} errors={errors} wording={(e) => e} />
    </div>
  );
}

/**
 * One field of a step through the shared Field/SelectField/TextareaField: required marks,
 * the browser's own check worded beside the field. `errors` are catalogue keys (the
 * browser's check) or the machine's reasons, already in the page's language.
 */
function FieldInput({
  field,
  name,
  idPrefix,
  values,
  errors,
}: {
  field: FieldView;
  name: string;
  idPrefix: string;
  values: Record<string, string>;
  errors: string[] | undefined;
}) {
  const t = useT();
  const locale = useLocale();
  const id = `${idPrefix}-${name.replace(/[.[\]]+/g, '-').replace(/-$/, '')}`;
  const label = field.label[locale];
  const value = values[name];
  const wording = (e: string) => e;
  if (field.kind === 'textarea')
    return (
      <TextareaField
        label={label}
        errors={errors}
        wording={wording}
        textareaProps={{ id, name, rows: 2, defaultValue: value ?? '', required: field.required }}
      />
    );
  if (field.kind === 'select')
    return (
      <SelectField
        label={label}
        errors={errors}
        wording={wording}
        selectProps={{ id, name, defaultValue: value ?? '', required: field.required }}
      >
        <option value="">{t('pipeline.option.none')}</option>
        {(field.options ?? []).map((o) => (
          <option key={o} value={o}>
            {t(`pipeline.option.${o}` as MessageKey)}
          </option>
        ))}
      </SelectField>
    );
  if (field.kind === 'checkbox') {
    const errorId = `${id}-error`;
    return (
      <div className="field checkbox">
        <label htmlFor={id}>{label}</label>
        <input
          id={id}
          name={name}
          type="checkbox"
          defaultChecked={value === 'on'}
          aria-invalid={errors?.length ? true : undefined}
          aria-describedby={errors?.length ? errorId : undefined}
        />
        <ErrorList id={errorId} errors={errors} wording={wording} />
      </div>
    );
  }
  return (
    <Field
      label={label}
      errors={errors}
      wording={wording}
      inputProps={{
        id,
        name,
        type: field.kind,
        defaultValue: value ?? '',
        required: field.required,
        ...(field.kind === 'number' ? { min: 0, step: 1, inputMode: 'numeric' as const } : {}),
      }}
    />
  );
}

/**
 * The server's refusal as conform's last result: each reason beside its field (the machine's
 * dotted path as conform's name), in the page's language; a field the user then edits is
 * checked again in the browser.
 */
function failureResult(
  failure: TransitionFailure | undefined,
  locale: 'vi' | 'en',
): SubmissionResult | undefined {
  if (!failure) return undefined;
  const error: Record<string, string[]> = {};
  for (const r of failure.reasons) {
    if (!r.field) continue;
    (error[stepFieldName(r.field)] ??= []).push(r.message[locale]);
  }
  const validated = Object.fromEntries(Object.keys(error).map((name) => [name, true]));
  return { status: 'error', error, state: { validated } };
}

export function TransitionForm({
  tr,
  version,
  failure,
}: {
  tr: TransitionView;
  version: number;
  failure: TransitionFailure | undefined;
}) {
  const t = useT();
  const locale = useLocale();
  const navigation = useNavigation();
  const mine = failure?.intent === tr.id ? failure : undefined;
  const values = mine?.values ?? {};
  const schema = findTransition(tr.id, tr.from)?.schema;
  const lastResult = useMemo(() => failureResult(mine, locale), [mine, locale]);
  const [form] = useForm({
    id: `step-${tr.id}`,
    lastResult,
    shouldValidate: 'onSubmit',
    shouldRevalidate: 'onInput',
    // The step's own schema (the machine's rules on dates and counts stay the server's).
    onValidate: schema ? ({ formData }) => parseForm(formData, schema, stepIssueMessage) : undefined,
  });
  // A field is checked when left, except towards the submit button (the click would be lost).
  const blurCheck = useBlurCheck(form);
  const errorsFor = (name: string) => form.allErrors[name];
  const busy = navigation.state === 'submitting' && navigation.formData?.get('intent') === tr.id;
  const titleId = `form-${tr.id}-title`;
  const blockedId = `form-${tr.id}-blocked`;
  const blocked = tr.blocked.length > 0;
  // What the vote's count depends on, followed as the user types (the form stays uncontrolled).
  const [meetingDate, setMeetingDate] = useState(values.meetingDate ?? '');
  const [cellId, setCellId] = useState(values.partyCellId ?? tr.cellDefault ?? '');
  const follow = (e: React.FormEvent<HTMLFormElement>) => {
    const target = e.target as HTMLInputElement | HTMLSelectElement;
    if (target.name === 'meetingDate') setMeetingDate(target.value);
    if (target.name === 'partyCellId') setCellId(target.value);
  };
  return (
    <section aria-labelledby={titleId} className="card transition-form" data-testid={`transition-${tr.id}`}>
      <h3 id={titleId}>{tr.label[locale]}</h3>
      <p className="muted">{t('pipeline.to', { stage: STAGE_LABELS[tr.to][locale] })}</p>
      {blocked ? (
        <div id={blockedId} className="form-error" data-testid="duty-blocked">
          <p>
            <strong>{t('pipeline.blocked')}</strong>
          </p>
          <ul>
            {tr.blocked.map((m) => (
              <li key={m.vi}>{m[locale]}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {tr.verdict ? <SelectionVerdictBox verdict={tr.verdict} /> : null}
      {mine ? (
        <div className="form-error" role="alert" data-testid="pipeline-reasons">
          <p>{mine.conflict ? t('pipeline.conflict') : t('pipeline.errors')}</p>
          <ul>
            {mine.reasons.map((r, i) => (
              <li key={`${r.code}-${i}`}>{r.message[locale]}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <Form
        method="post"
        className="form"
        {...getFormProps(form)}
        {...blurCheck}
        onChange={tr.cells ? follow : undefined}
      >
        <input type="hidden" name="intent" value={tr.id} />
        <input type="hidden" name="version" value={version} />
        {/* A disabled fieldset disables every control in it, the submit button included. */}
        <fieldset
          className="fieldset-plain form"
          disabled={blocked}
          aria-describedby={blocked ? blockedId : undefined}
        >
          <legend className="visually-hidden">{tr.label[locale]}</legend>
          {tr.fields
            .filter((f) => f.name !== 'note')
            .map((f) =>
              f.kind === 'cell' ? (
                <VoteCellField
                  key={f.name}
                  field={f}
                  idPrefix={tr.id}
                  cells={tr.cells ?? []}
                  cellId={cellId}
                  meetingDate={meetingDate}
                  errors={errorsFor(f.name)}
                />
              ) : (
                <FieldInput
                  key={f.name}
                  field={f}
                  name={f.name}
                  idPrefix={tr.id}
                  values={values}
                  errors={errorsFor(f.name)}
                />
              ),
            )}
          {tr.rows
            ? Array.from({ length: tr.rows.count }, (_, i) => (
                <fieldset key={i} className="fieldset-plain">
                  <legend>{t('pipeline.introducer', { n: i + 1 })}</legend>
                  {tr.rows!.fields.map((f) => {
                    const name = `${tr.rows!.name}[${i}].${f.name}`;
                    // The first row is required (at least one introducer); later rows may stay blank.
                    return (
                      <FieldInput
                        key={name}
                        field={{ ...f, required: i === 0 && f.required }}
                        name={name}
                        idPrefix={tr.id}
                        values={values}
                        errors={errorsFor(name)}
                      />
                    );
                  })}
                </fieldset>
              ))
            : null}
          {tr.fields
            .filter((f) => f.name === 'note')
            .map((f) => (
              <FieldInput
                key={f.name}
                field={f}
                name={f.name}
                idPrefix={tr.id}
                values={values}
                errors={errorsFor(f.name)}
              />
            ))}
          <div className="form-actions">
            <button type="submit" className="button" disabled={busy || blocked}>
              {t('pipeline.submit')}
            </button>
          </div>
        </fieldset>
      </Form>
    </section>
  );
}

/** The refusal of a step that has no form on the page now, if that is what `failure` is. */
export function notOffered(
  failure: TransitionFailure | undefined,
  transitions: readonly Pick<TransitionView, 'id'>[],
): TransitionFailure | undefined {
  return failure && !transitions.some((tr) => tr.id === failure.intent) ? failure : undefined;
}

export function NotOfferedFailure({ failure }: { failure: TransitionFailure }) {
  const t = useT();
  const locale = useLocale();
  return (
    <div className="form-error" role="alert" data-testid="pipeline-not-offered">
      <p>
        <strong>
          {failure.conflict
            ? t('pipeline.conflict')
            : t('pipeline.notOffered', { step: failure.label[locale] })}
        </strong>
      </p>
      <ul>
        {failure.reasons.map((r, i) => (
          <li key={`${r.code}-${i}`}>{r.message[locale]}</li>
        ))}
      </ul>
      <p className="field-hint">{t('pipeline.notOfferedHint')}</p>
    </div>
  );
}
