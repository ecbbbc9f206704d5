/** A score-based rule's basis: the latest school year, or the last N terms. */
import { useState } from 'react';
import { useT } from '~/i18n/use-t';
import type { CriteriaFieldErrors, RuleValues } from '~/utils/forms/criteria';
import { Control } from './controls';

export function Basis({
  prefix,
  values,
  errors,
}: {
  prefix: string;
  values: RuleValues;
  errors: CriteriaFieldErrors;
}) {
  const t = useT();
  const [mode, setMode] = useState(values.basis === 'lastTerms' ? 'lastTerms' : 'latest_year');
  const last = typeof values.lastTerms === 'string' ? values.lastTerms : '2';
  return (
    <>
      <Control name={`${prefix}.basis`} label={t('criteria.field.basis')} errors={errors}>
        {(p) => (
          <select {...p} value={mode} onChange={(e) => setMode(e.currentTarget.value)}>
            <option value="latest_year">{t('criteria.basis.latestYear')}</option>
            <option value="lastTerms">{t('criteria.basis.lastTermsOption')}</option>
          </select>
        )}
      </Control>
      {mode === 'lastTerms' ? (
        <Control name={`${prefix}.lastTerms`} label={t('criteria.field.lastTerms')} errors={errors}>
          {(p) => <input {...p} defaultValue={last} inputMode="numeric" />}
        </Control>
      ) : null}
    </>
  );
}
