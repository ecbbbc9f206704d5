import { Field } from '~/components/forms';
import { AWARD_KINDS, AWARD_LEVELS } from '~/domain/criteria/types';
import { useFormatters, useT } from '~/i18n/use-t';
import type { AwardView } from '~/utils/forms/member-records';
import { useRecordLabels, VerifiedBadge } from './labels';
import {
  ChoiceField,
  RecordSection,
  VerifiedCheckbox,
  type FieldsProps,
  type SectionProps,
} from './record-section';

export function AwardsSection(props: SectionProps<AwardView>) {
  const t = useT();
  const labels = useRecordLabels();
  const { date } = useFormatters();

  function fields({ item, values, errors, id, value: v }: FieldsProps<AwardView>) {
    return (
      <>
        <Field
          label={t('member.awardTitle')}
          errors={errors.title}
          inputProps={{
            id: id('title'),
            name: 'title',
            defaultValue: v('title'),
            maxLength: 200,
            required: true,
          }}
        />
        <div className="field-row">
          <ChoiceField
            label={t('member.awardKind')}
            name="kind"
            errors={errors.kind}
            id={id('kind')}
            value={v('kind')}
            empty={t('member.choose')}
            options={AWARD_KINDS.map((k) => [k, t(`member.awardKind.${k}`)] as const)}
          />
          <ChoiceField
            label={t('member.awardLevel')}
            name="level"
            errors={errors.level}
            id={id('level')}
            value={v('level')}
            empty={t('member.choose')}
            options={AWARD_LEVELS.map((k) => [k, t(`member.awardLevel.${k}`)] as const)}
          />
        </div>
        <Field
          label={t('member.awardDate')}
          errors={errors.date}
          inputProps={{ id: id('date'), name: 'date', type: 'date', defaultValue: v('date') }}
        />
        <Field
          label={t('member.decisionNo')}
          errors={errors.decisionNo}
          inputProps={{
            id: id('decisionNo'),
            name: 'decisionNo',
            defaultValue: v('decisionNo'),
            maxLength: 60,
          }}
        />
        <Field
          label={t('member.issuer')}
          errors={errors.issuer}
          inputProps={{ id: id('issuer'), name: 'issuer', defaultValue: v('issuer'), maxLength: 200 }}
        />
        <VerifiedCheckbox item={item} values={values} id={id} />
      </>
    );
  }

  return (
    <RecordSection
      {...props}
      record="award"
      anchor="awards"
      title={t('member.section.awards')}
      empty={t('member.noAwards')}
      addLabel={t('member.addAward')}
      label={(item) => item.title}
      fields={fields}
      summary={(item) => (
        <>
          <strong>{item.title}</strong> <VerifiedBadge verified={item.verified} />
          <span>
            {labels.awardKind(item.kind)} · {labels.awardLevel(item.level)}
            {item.date ? ` · ${date(item.date)}` : ''}
          </span>
          {item.decisionNo || item.issuer ? (
            <span className="muted">{[item.decisionNo, item.issuer].filter(Boolean).join(' · ')}</span>
          ) : null}
        </>
      )}
    />
  );
}
