/** The criteria editor's shared pieces: a labelled control with its errors, and keyed rule values. */
import type { ReactNode } from 'react';
import type { MessageKey } from '~/i18n';
import { useT } from '~/i18n/use-t';
import type { CriteriaFieldErrors, RuleValues } from '~/utils/forms/criteria';

export interface Keyed {
  key: number;
  values: RuleValues;
}

let nextKey = 1;
export const keyed = (values: RuleValues): Keyed => ({ key: nextKey++, values });

export function ErrorsFor({ errors, name }: { errors: CriteriaFieldErrors; name: string }) {
  const t = useT();
  const list = errors[name];
  if (!list?.length) return null;
  return (
    <div id={`${name}-error`}>
      {list.map((code) => (
        <p key={code} className="field-error">
          {t(`criteria.error.${code}` as MessageKey)}
        </p>
      ))}
    </div>
  );
}

/** One labelled control with its errors beside it. */
export function Control({
  name,
  label,
  errors,
  children,
}: {
  name: string;
  label: string;
  errors: CriteriaFieldErrors;
  children: (props: {
    id: string;
    name: string;
    'aria-invalid'?: true;
    'aria-describedby'?: string;
  }) => ReactNode;
}) {
  const id = `f-${name.replace(/\./g, '-')}`;
  const invalid = !!errors[name]?.length;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        name,
        ...(invalid ? { 'aria-invalid': true as const, 'aria-describedby': `${name}-error` } : {}),
      })}
      <ErrorsFor errors={errors} name={name} />
    </div>
  );
}
