/** The parameters of one rule kind, named `<prefix>.<parameter>` as criteria-form.ts reads them. */
import { ACADEMIC_RANKS, ACADEMIC_RANK_LABELS } from '~/domain/academic';
import {
  AWARD_KINDS,
  AWARD_LEVELS,
  AWARD_LEVEL_LABELS,
  THPT_RATINGS,
  THPT_RATING_LABELS,
  TITLES,
  TITLE_LABELS,
  UNION_RATING_LABELS,
  UNION_RATING_LEVELS,
} from '~/domain/criteria';
import { AWARD_KIND_LABELS } from '~/domain/criteria/labels';
import type { MessageKey } from '~/i18n';
import { useLocale, useT } from '~/i18n/use-t';
import type { CriteriaFieldErrors, RuleValues } from '~/utils/forms/criteria';
import { Basis } from './basis';
import { Control, ErrorsFor } from './controls';

export function KindParams({
  kind,
  prefix,
  values,
  errors,
}: {
  kind: string;
  prefix: string;
  values: RuleValues;
  errors: CriteriaFieldErrors;
}) {
  const t = useT();
  const locale = useLocale();
  const v = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : '');
  const n = (k: string, label: MessageKey, fallback = '') => (
    <Control name={`${prefix}.${k}`} label={t(label)} errors={errors}>
      {(p) => <input {...p} defaultValue={v(k) || fallback} inputMode="decimal" />}
    </Control>
  );
  const choice = (
    k: string,
    label: MessageKey,
    options: readonly { value: string; label: string }[],
    optional = false,
    fallback = '',
  ) => (
    <Control name={`${prefix}.${k}`} label={t(label)} errors={errors}>
      {(p) => (
        <select {...p} defaultValue={v(k) || fallback}>
          {optional ? <option value="">{t('criteria.any')}</option> : null}
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Control>
  );
  const scales = [
    { value: '4', label: t('criteria.scale4') },
    { value: '10', label: t('criteria.scale10') },
  ];
  const thpt = THPT_RATINGS.map((r) => ({ value: r, label: THPT_RATING_LABELS[r][locale] }));
  const levels = AWARD_LEVELS.map((l) => ({ value: l, label: AWARD_LEVEL_LABELS[l][locale] }));
  const basis = <Basis prefix={prefix} values={values} errors={errors} />;
  switch (kind) {
    case 'min_gpa':
      return (
        <>
          {n('min', 'criteria.field.minGpa', '2.5')}
          {choice('scale', 'criteria.field.scale', scales, false, '4')}
          {basis}
          <div className="field-check">
            <input
              type="checkbox"
              id={`f-${prefix}-convert`}
              name={`${prefix}.convert`}
              defaultChecked={v('convert') === 'true'}
            />
            <label htmlFor={`f-${prefix}-convert`}>{t('criteria.field.convert')}</label>
          </div>
        </>
      );
    case 'min_academic_rank':
      return (
        <>
          {choice(
            'rank',
            'criteria.field.rank',
            ACADEMIC_RANKS.map((r) => ({ value: r, label: ACADEMIC_RANK_LABELS[r][locale] })),
            false,
            'good',
          )}
          {choice('scale', 'criteria.field.scale', scales, true)}
          {basis}
        </>
      );
    case 'min_conduct':
      return (
        <>
          {n('minScore', 'criteria.field.minScore')}
          {choice('minRating', 'criteria.field.minRating', thpt, true)}
          {basis}
        </>
      );
    case 'min_study_rating':
      return (
        <>
          {choice('min', 'criteria.field.minStudy', thpt, false, 'kha')}
          {basis}
        </>
      );
    case 'union_rating':
      return (
        <>
          {choice(
            'level',
            'criteria.field.unionLevel',
            UNION_RATING_LEVELS.map((l) => ({ value: l, label: UNION_RATING_LABELS[l][locale] })),
            false,
            'excellent',
          )}
          {n('years', 'criteria.field.years', '1')}
          {choice(
            'ofPreviousYears',
            'criteria.field.ofPreviousYears',
            [
              { value: 'true', label: t('criteria.previousYears') },
              { value: 'false', label: t('criteria.includingCurrentYear') },
            ],
            false,
            'true',
          )}
        </>
      );
    case 'min_awards':
      return (
        <>
          {n('count', 'criteria.field.count', '1')}
          {choice('level', 'criteria.field.minLevel', levels, true)}
          {n('sinceMonths', 'criteria.field.sinceMonths')}
          <fieldset className="field fieldset-plain">
            <legend>{t('criteria.field.awardKinds')}</legend>
            {AWARD_KINDS.map((k) => (
              <div key={k} className="field-check">
                <input
                  type="checkbox"
                  id={`f-${prefix}-ak-${k}`}
                  name={`${prefix}.awardKinds`}
                  value={k}
                  defaultChecked={
                    Array.isArray(values.awardKinds) && (values.awardKinds as string[]).includes(k)
                  }
                />
                <label htmlFor={`f-${prefix}-ak-${k}`}>{AWARD_KIND_LABELS[k][locale]}</label>
              </div>
            ))}
            <ErrorsFor errors={errors} name={`${prefix}.awardKinds`} />
          </fieldset>
        </>
      );
    case 'title_held':
      return (
        <>
          {choice(
            'title',
            'criteria.field.title',
            TITLES.map((x) => ({ value: x, label: TITLE_LABELS[x][locale] })),
            false,
            'sv5t',
          )}
          {choice('level', 'criteria.field.minLevel', levels, false, 'school')}
          {n('sinceMonths', 'criteria.field.sinceMonths')}
        </>
      );
    case 'min_volunteer_days':
      return (
        <>
          {n('days', 'criteria.field.days', '5')}
          {n('sinceMonths', 'criteria.field.sinceMonths')}
        </>
      );
    case 'age_at':
      return (
        <>
          {n('minYears', 'criteria.field.minYears')}
          {n('maxYears', 'criteria.field.maxYears')}
        </>
      );
    case 'union_membership_months':
      return n('min', 'criteria.field.minMonths', '12');
    default:
      return null;
  }
}
