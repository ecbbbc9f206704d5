import { Field, SelectField } from '~/components/forms';
import { THPT_RATINGS } from '~/domain/criteria/types';
import { useT } from '~/i18n/use-t';
import { schoolYearOptions, type TermView } from '~/utils/forms/member-records';
import { useRecordLabels } from './labels';
import { RecordSection, type FieldsProps, type SectionProps } from './record-section';

/** Academic terms; a high school records conduct and study ratings, others a conduct score. */
export function TermsSection({ highSchool, ...props }: SectionProps<TermView> & { highSchool: boolean }) {
  const t = useT();
  const labels = useRecordLabels();
  const years = schoolYearOptions(props.items.map((i) => i.year));

  function fields({ errors, id, value: v }: FieldsProps<TermView>) {
    return (
      <>
        <div className="field-row">
          <SelectField
            label={t('member.schoolYear')}
            errors={errors.year}
            selectProps={{ id: id('year'), name: 'year', defaultValue: v('year', years[0]) }}
          >
            {years.map((y) => (
              <option key={y} value={y}>
                {y}
              </option>
            ))}
          </SelectField>
          <SelectField
            label={t('member.term')}
            errors={errors.term}
            selectProps={{ id: id('term'), name: 'term', defaultValue: v('term', '1') }}
          >
            {['1', '2', '3'].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </SelectField>
          <SelectField
            label={t('member.scale')}
            errors={errors.scale}
            selectProps={{
              id: id('scale'),
              name: 'scale',
              defaultValue: v('scale', highSchool ? '10' : '4'),
            }}
          >
            <option value="4">4</option>
            <option value="10">10</option>
          </SelectField>
        </div>
        <Field
          label={t('member.gpa')}
          errors={errors.gpa}
          inputProps={{ id: id('gpa'), name: 'gpa', inputMode: 'decimal', defaultValue: v('gpa') }}
        />
        {highSchool ? (
          <div className="field-row">
            {(['conductRating', 'studyRating'] as const).map((name) => (
              <SelectField
                key={name}
                label={t(`member.${name}`)}
                errors={errors[name]}
                selectProps={{ id: id(name), name, defaultValue: v(name) }}
              >
                <option value="">{t('member.none')}</option>
                {THPT_RATINGS.map((r) => (
                  <option key={r} value={r}>
                    {t(`member.thpt.${r}`)}
                  </option>
                ))}
              </SelectField>
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
              {item.gpa !== null ? `${t('member.gpa')}: ${item.gpa}/${item.scale}` : null}
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
