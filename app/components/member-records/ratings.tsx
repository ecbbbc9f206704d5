import { Field } from '~/components/forms';
import { UNION_RATING_LEVELS } from '~/domain/criteria/types';
import { useT } from '~/i18n/use-t';
import { schoolYearOptions, type RatingView } from '~/utils/forms/member-records';
import { useRecordLabels } from './labels';
import {
  ChoiceField,
  RecordSection,
  SchoolYearField,
  type FieldsProps,
  type SectionProps,
} from './record-section';

/** Yearly Union ratings, with the participation rate where the school records it. */
export function RatingsSection(props: SectionProps<RatingView>) {
  const t = useT();
  const labels = useRecordLabels();
  const years = schoolYearOptions(props.items.map((i) => i.year));

  function fields({ errors, id, value: v }: FieldsProps<RatingView>) {
    return (
      <div className="field-row">
        <SchoolYearField years={years} errors={errors.year} id={id('year')} value={v('year', years[0])} />
        <ChoiceField
          label={t('member.ratingLevel')}
          name="level"
          errors={errors.level}
          id={id('level')}
          value={v('level')}
          empty={t('member.choose')}
          options={UNION_RATING_LEVELS.map((l) => [l, t(`member.ratingLevel.${l}`)] as const)}
        />
        <Field
          label={t('member.participation')}
          errors={errors.participation}
          hint={t('member.participationHint')}
          inputProps={{
            id: id('participation'),
            name: 'participation',
            inputMode: 'decimal',
            defaultValue: v('participation'),
          }}
        />
      </div>
    );
  }

  return (
    <RecordSection
      {...props}
      record="rating"
      anchor="ratings"
      title={t('member.section.ratings')}
      empty={t('member.noRatings')}
      addLabel={t('member.addRating')}
      label={(item) => item.year}
      fields={fields}
      summary={(item) => (
        <>
          <strong>{item.year}</strong>
          <span>{labels.ratingLevel(item.level)}</span>
          {item.participation ? (
            <span>{t('member.participationShown', { pct: item.participation })}</span>
          ) : null}
        </>
      )}
    />
  );
}
