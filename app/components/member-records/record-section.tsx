/**
 * One section of a member's sub-records on the edit page (terms, awards, activities,
 * ratings): the list, each row's edit form and remove button, and the add form. The kinds
 * differ only in their fields and summary (terms.tsx, awards.tsx, …); their schemas are in
 * app/utils/forms/member-records.ts.
 *
 * Every row edits in place inside a <details> (no JavaScript needed to open it), and every
 * form carries the document version, like the identity form, so a change made meanwhile by
 * someone else is a 409, not a silent overwrite. Rows and add forms are keyed by the
 * version, so after a successful change they remount closed and empty; a failed one
 * reopens with what was typed (the failure names its form).
 *
 * Each form is a conform form checking its kind's schema in the browser as the action does:
 * a field is checked when left (useBlurCheck), again as it is corrected, and on submit every
 * invalid field shows its message and the first takes the focus, nothing sent.
 */
import { getFormProps } from '@conform-to/react';
import { Form, useNavigation } from '@remix-run/react';
import type { ReactNode } from 'react';
import { FormError, SelectField } from '~/components/forms';
import { useCheckedForm } from '~/components/checked-form';
import { isMessageKey } from '~/i18n';
import { useT } from '~/i18n/use-t';
import { RECORD_SCHEMAS, type RecordFailure, type RecordKind } from '~/utils/forms/member-records';

/** What a kind's field list gets: the stored row (none in the add form) and what was typed. */
export interface FieldsProps<T> {
  item?: T;
  /** What was typed before a failed submit, else null. */
  values: Record<string, string> | null;
  /** The messages (catalogue keys) of each invalid field, by name. */
  errors: Partial<Record<string, string[]>>;
  /** A unique element id for a field of this form. */
  id: (name: string) => string;
  /** The value to show: what was typed, else the stored value, else `fallback`. */
  value: (name: keyof T & string, fallback?: string) => string;
}

export interface SectionProps<T> {
  items: T[];
  version: number;
  failure: RecordFailure | null;
}

type Fields<T> = (props: FieldsProps<T>) => ReactNode;

export function RecordSection<T extends { key: string }>({
  record,
  anchor,
  title,
  empty,
  addLabel,
  items,
  version,
  failure,
  label,
  summary,
  fields,
}: SectionProps<T> & {
  record: RecordKind;
  /** The section's id, a link target (#awards). */
  anchor: string;
  title: string;
  empty: string;
  addLabel: string;
  /** A row's name, for its edit and remove buttons. */
  label: (item: T) => string;
  summary: (item: T, label: string) => ReactNode;
  fields: Fields<T>;
}) {
  return (
    <section className="record-section" aria-labelledby={`${anchor}-title`} id={anchor}>
      <h2 id={`${anchor}-title`}>{title}</h2>
      {items.length ? (
        <ul className="record-list">
          {items.map((item) => {
            const itemLabel = label(item);
            return (
              <RecordRow
                key={`${item.key}@${version}`}
                record={record}
                item={item}
                version={version}
                label={itemLabel}
                failure={failure}
                fields={fields}
                summary={summary(item, itemLabel)}
              />
            );
          })}
        </ul>
      ) : (
        <p className="muted">{empty}</p>
      )}
      <AddRecord
        key={version}
        record={record}
        version={version}
        failure={failure}
        label={addLabel}
        fields={fields}
      />
    </section>
  );
}

/** One item: its summary, an edit form that opens in place, and a remove button. */
function RecordRow<T extends { key: string }>({
  record,
  item,
  version,
  label,
  summary,
  failure,
  fields,
}: {
  record: RecordKind;
  item: T;
  version: number;
  label: string;
  summary: ReactNode;
  failure: RecordFailure | null;
  fields: Fields<T>;
}) {
  const t = useT();
  const open = !!failure && failure.record === record && failure.key === item.key;
  return (
    <li className="record-item" data-testid={`${record}-item`}>
      <div className="record-summary">{summary}</div>
      <div className="record-actions">
        <details open={open || undefined}>
          <summary>
            {t('member.edit')}
            <span className="visually-hidden">: {label}</span>
          </summary>
          <RecordForm
            record={record}
            item={item}
            version={version}
            failure={failure}
            submitLabel={t('member.save')}
            fields={fields}
          />
        </details>
        <RemoveButton record={record} itemKey={item.key} version={version} label={label} />
      </div>
    </li>
  );
}

function AddRecord<T extends { key: string }>({
  record,
  version,
  failure,
  label,
  fields,
}: {
  record: RecordKind;
  version: number;
  failure: RecordFailure | null;
  label: string;
  fields: Fields<T>;
}) {
  const open = !!failure && failure.record === record && failure.key === '';
  return (
    <details className="record-add" open={open || undefined}>
      <summary>{label}</summary>
      <RecordForm record={record} version={version} failure={failure} submitLabel={label} fields={fields} />
    </details>
  );
}

function RecordForm<T extends { key: string }>({
  record,
  item,
  version,
  failure,
  submitLabel,
  fields,
}: {
  record: RecordKind;
  /** The row edited; none in the add form. */
  item?: T;
  version: number;
  failure: RecordFailure | null;
  submitLabel: string;
  fields: Fields<T>;
}) {
  const navigation = useNavigation();
  const itemKey = item?.key ?? '';
  const mine = failure && failure.record === record && failure.key === itemKey ? failure : null;
  const base = `${record}-${itemKey || 'new'}`.replace(/[^A-Za-z0-9_-]/g, '_');
  const { form, blurCheck } = useCheckedForm({
    id: `${base}-form`,
    lastResult: mine?.result,
    schema: RECORD_SCHEMAS[record],
  });
  const errors = form.allErrors;
  const busy =
    navigation.state === 'submitting' &&
    navigation.formData?.get('intent') === `${record}.save` &&
    navigation.formData?.get('key') === itemKey;
  // The whole form's refusal (a conflict), else a pointer to the messages beside the fields.
  const refused = form.errors?.find(isMessageKey);
  const fieldInvalid = Object.entries(errors).some(([name, list]) => name !== '' && list.length > 0);
  const formError = refused ?? (fieldInvalid ? 'validation.formErrors' : null);
  const values = mine?.values ?? null;
  const value = (name: keyof T & string, fallback = '') => {
    const stored = item?.[name];
    return values?.[name] ?? (item && stored !== null ? String(stored) : fallback);
  };
  return (
    <Form
      method="post"
      className="form record-form"
      preventScrollReset
      {...getFormProps(form)}
      {...blurCheck}
    >
      <FormError message={formError} />
      <input type="hidden" name="intent" value={`${record}.save`} />
      <input type="hidden" name="key" value={itemKey} />
      <input type="hidden" name="version" value={version} />
      {fields({ item, values, errors, id: (name) => `${base}-${name}`, value })}
      <div className="form-actions">
        <button type="submit" disabled={busy}>
          {submitLabel}
        </button>
      </div>
    </Form>
  );
}

function RemoveButton({
  record,
  itemKey,
  version,
  label,
}: {
  record: RecordKind;
  itemKey: string;
  version: number;
  label: string;
}) {
  const t = useT();
  return (
    <Form
      method="post"
      preventScrollReset
      className="inline-form"
      onSubmit={(event) => {
        if (!window.confirm(t('member.confirmRemove'))) event.preventDefault();
      }}
    >
      <input type="hidden" name="intent" value={`${record}.remove`} />
      <input type="hidden" name="key" value={itemKey} />
      <input type="hidden" name="version" value={version} />
      <button
        type="submit"
        className="button-danger button-small"
        aria-label={`${t('member.remove')}: ${label}`}
      >
        {t('member.remove')}
      </button>
    </Form>
  );
}

/** A select of fixed choices (`[value, text]`), with an empty first option when `empty` is given. */
export function ChoiceField({
  label,
  name,
  errors,
  id,
  value,
  empty,
  options,
}: {
  label: string;
  name: string;
  errors?: readonly string[];
  id: string;
  value: string;
  empty?: string;
  options: readonly (readonly [string, string])[];
}) {
  return (
    <SelectField label={label} errors={errors} selectProps={{ id, name, defaultValue: value }}>
      {empty === undefined ? null : <option value="">{empty}</option>}
      {options.map(([v, text]) => (
        <option key={v} value={v}>
          {text}
        </option>
      ))}
    </SelectField>
  );
}

/** The school year of a term or a rating. */
export function SchoolYearField({
  years,
  errors,
  id,
  value,
}: {
  years: string[];
  errors?: readonly string[];
  id: string;
  value: string;
}) {
  const t = useT();
  const options = years.map((y) => [y, y] as const);
  return (
    <ChoiceField
      label={t('member.schoolYear')}
      name="year"
      errors={errors}
      id={id}
      value={value}
      options={options}
    />
  );
}

/** The "verified" tick of awards and activities: what was typed, else what is stored. */
export function VerifiedCheckbox({
  item,
  values,
  id,
}: Pick<FieldsProps<{ key: string; verified: boolean }>, 'item' | 'values' | 'id'>) {
  const t = useT();
  const checked = values ? values.verified === 'on' : !!item?.verified;
  return (
    <div className="field">
      <label className="checkbox" htmlFor={id('verified')}>
        <input id={id('verified')} type="checkbox" name="verified" defaultChecked={checked} />
        {t('member.markVerified')}
      </label>
    </div>
  );
}
