import { Field } from '~/components/forms';
import { THPT_RATINGS } from '~/domain/criteria/types';
import { useFormatters, useT } from '~/i18n/use-t';
import { schoolYearOptions, type TermView } from '~/utils/forms/member-records';
import { useRecordLabels } from './labels';
import {
  ChoiceField,
  RecordSection,
  SchoolYearField,
  type FieldsProps,
  type SectionProps,
} from './record-section';

const TERMS = [
  ['1', '1'],
  ['2', '2'],
  ['3', '3'],
] as const;
const SCALES = [
  ['4', '4'],
  ['10', '10'],
] as const;

/** Academic terms; a high school records conduct and study ratings, others a conduct score. */
export function TermsSection({ highSchool, ...props }: SectionProps<TermView> & { highSchool: boolean }) {
  const t = useT();
  const fmt = useFormatters();
  const labels = useRecordLabels();
  const years = schoolYearOptions(props.items.map((i) => i.year));

  function fields({ errors, id, value: v }: FieldsProps<TermView>) {
    return (
      <>
        <div className="field-row">
          <SchoolYearField years={years} errors={errors.year} id={id('year')} value={v('year', years[0])} />
          <ChoiceField
            label={t('member.term')}
            name="term"
            errors={errors.term}
            id={id('term')}
            value={v('term', '1')}
            options={TERMS}
          />
          <ChoiceField
            label={t('member.scale')}
            name="scale"
            errors={errors.scale}
            id={id('scale')}
            value={v('scale', highSchool ? '10' : '4')}
            options={SCALES}
          />
        </div>
        <Field
          label={t('member.gpa')}
          errors={errors.gpa}
          inputProps={{ id: id('gpa'), name: 'gpa', inputMode: 'decimal', defaultValue: v('gpa') }}
        />
        {highSchool ? (
          <div className="field-row">
            {(['conductRating', 'studyRating'] as const).map((name) => (
              <ChoiceField
                key={name}
                label={t(`member.${name}`)}
                name={name}
                errors={errors[name]}
                id={id(name)}
                value={v(name)}
                empty={t('member.none')}
                options={THPT_RATINGS.map((r) => [r, t(`member.thpt.${r}`)] as const)}
              />
            ))}
          </div>
        ) : (
          <Field
            label={t('member.conductScore')}
            errors={errors.conductScore}
            inputProps={{
              id: id('conductScore'),
              name: 'conductScore',
              inputMode: 'decimal',
              defaultValue: v('conductScore'),
            }}
          />
        )}
      </>
    );
  }

  return (
    <RecordSection
      {...props}
      record="term"
      anchor="terms"
      title={t('member.section.academic')}
      empty={t('member.noTerms')}
      addLabel={t('member.addTerm')}
      label={(item) => t('member.termLabel', { year: item.year, term: item.term })}
      fields={fields}
      summary={(item, label) => {
        const rank = labels.rank(item.gpa, item.scale);
        return (
          <>
            <strong>{label}</strong>
            <span>
              {item.gpa !== null
                ? `${t('member.gpa')}: ${fmt.gpa(item.gpa, item.scale)}/${item.scale}`
                : null}
              {rank ? ` (${rank})` : null}
            </span>
            {item.conductScore !== null ? (
              <span>
                {t('member.conductScore')}: {item.conductScore}
              </span>
            ) : null}
            {item.conductRating ? (
              <span>
                {t('member.conductRating')}: {labels.thpt(item.conductRating)}
              </span>
            ) : null}
            {item.studyRating ? (
              <span>
                {t('member.studyRating')}: {labels.thpt(item.studyRating)}
              </span>
            ) : null}
          </>
        );
      }}
    />
  );
}
