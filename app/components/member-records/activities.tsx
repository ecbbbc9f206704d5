import { Field } from '~/components/forms';
import { useFormatters, useT } from '~/i18n/use-t';
import type { ActivityView } from '~/utils/forms/member-records';
import { activityFacts, VerifiedBadge } from './labels';
import { RecordSection, VerifiedCheckbox, type FieldsProps, type SectionProps } from './record-section';

export function ActivitiesSection(props: SectionProps<ActivityView>) {
  const t = useT();
  const { date } = useFormatters();

  function fields({ item, values, errors, id, value: v }: FieldsProps<ActivityView>) {
    return (
      <>
        <Field
          label={t('member.campaign')}
          errors={errors.campaign}
          hint={t('member.campaignHint')}
          inputProps={{
            id: id('campaign'),
            name: 'campaign',
            defaultValue: v('campaign'),
            maxLength: 200,
            required: true,
          }}
        />
        <Field
          label={t('member.activityRole')}
          errors={errors.role}
          inputProps={{ id: id('role'), name: 'role', defaultValue: v('role'), maxLength: 100 }}
        />
        <div className="field-row">
          <Field
            label={t('member.days')}
            errors={errors.days}
            inputProps={{ id: id('days'), name: 'days', inputMode: 'numeric', defaultValue: v('days') }}
          />
          <Field
            label={t('member.hours')}
            errors={errors.hours}
            inputProps={{ id: id('hours'), name: 'hours', inputMode: 'decimal', defaultValue: v('hours') }}
          />
        </div>
        <div className="field-row">
          <Field
            label={t('member.startDate')}
            errors={errors.startDate}
            inputProps={{
              id: id('startDate'),
              name: 'startDate',
              type: 'date',
              defaultValue: v('startDate'),
            }}
          />
          <Field
            label={t('member.endDate')}
            errors={errors.endDate}
            inputProps={{ id: id('endDate'), name: 'endDate', type: 'date', defaultValue: v('endDate') }}
          />
        </div>
        <VerifiedCheckbox item={item} values={values} id={id} />
      </>
    );
  }

  return (
    <RecordSection
      {...props}
      record="activity"
      anchor="activities"
      title={t('member.section.activities')}
      empty={t('member.noActivities')}
      addLabel={t('member.addActivity')}
      label={(item) => item.campaign}
      fields={fields}
      summary={(item) => (
        <>
          <strong>{item.campaign}</strong> <VerifiedBadge verified={item.verified} />
          <span>{activityFacts(item, t, date)}</span>
        </>
      )}
    />
  );
}
