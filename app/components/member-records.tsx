/**
 * A member's sub-records on the edit page: academic terms, awards, activities and
 * yearly Union ratings. Each kind has one zod schema, used by the browser for
 * instant field errors and by the action (app/utils/member-records.server.ts).
 *
 * Every row edits in place inside a <details> (no JavaScript needed to open it),
 * and every form carries the document version, like the identity form, so a
 * change made meanwhile by someone else is a 409, not a silent overwrite. Rows and add
 * forms are keyed by the version, so after a successful change they remount closed and
 * empty; a failed one reopens with what was typed (the failure names its form).
 */
import { Form, useNavigation, useRouteLoaderData } from '@remix-run/react';
import { useState, type ReactNode } from 'react';
import { z } from 'zod';
import { Field, FormError, SelectField } from '~/components/forms';
import { optionalDay } from '~/components/member-editor';
import {
  academicRank,
  conductBand,
  ACADEMIC_RANK_LABELS,
  CONDUCT_BAND_LABELS,
  type ConductBands,
} from '~/domain/academic';
import { participationTooLow } from '~/domain/union-rating';
import { calendarDay, schoolYearStart } from '~/domain/criteria/calendar';
import type { MessageKey } from '~/i18n';
import { useFormatters, useLocale, useT } from '~/i18n/use-t';
import { checkOnSubmit, type FieldErrors } from '~/utils/validation';

// Mirrors of the model's enums (models/member.ts stays server-only).
export const UNION_RATING_LEVELS = ['excellent', 'good', 'complete', 'incomplete'] as const;
export const THPT_RATINGS = ['tot', 'kha', 'dat', 'chua_dat'] as const;
export const AWARD_KINDS = ['giay_khen', 'bang_khen', 'title'] as const;
export const AWARD_LEVELS = ['school', 'province', 'central'] as const;
export const RECORD_KINDS = ['term', 'award', 'activity', 'rating'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

const schoolYear = z
  .string()
  .trim()
  .refine((v) => {
    const m = /^(\d{4})-(\d{4})$/.exec(v);
    return !!m && Number(m[2]) === Number(m[1]) + 1 && Number(m[1]) >= 2000 && Number(m[1]) <= 2100;
  }, 'member.v.schoolYear');

/** A decimal as people type it ("3,45" or "3.45"), or empty. */
const optionalNumber = (message: MessageKey) =>
  z
    .string()
    .trim()
    .optional()
    .refine((v) => !v || /^\d+([.,]\d+)?$/.test(v), message)
    .transform((v) => (v ? Number(v.replace(',', '.')) : undefined));

const optionalChoice = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .union([z.literal(''), z.enum(values, 'validation.invalidChoice')])
    .optional()
    .transform((v) => (v ? (v as T[number]) : undefined));

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, 'validation.tooLong')
    .optional()
    .transform((v) => (v ? v : undefined));

const checkbox = z
  .string()
  .optional()
  .transform((v) => v === 'on' || v === 'true');

export const TermSchema = z
  .object({
    year: schoolYear,
    term: z.enum(['1', '2', '3'], 'member.v.term').transform(Number),
    scale: z.enum(['4', '10'], 'member.v.scale').transform(Number),
    gpa: optionalNumber('member.v.decimal'),
    conductScore: optionalNumber('member.v.decimal'),
    conductRating: optionalChoice(THPT_RATINGS),
    studyRating: optionalChoice(THPT_RATINGS),
  })
  .superRefine((v, ctx) => {
    if (v.gpa !== undefined && v.gpa > v.scale) {
      ctx.addIssue({
        code: 'custom',
        path: ['gpa'],
        message: v.scale === 4 ? 'member.v.gpa4' : 'member.v.gpa10',
      });
    }
    if (v.conductScore !== undefined && v.conductScore > 100) {
      ctx.addIssue({ code: 'custom', path: ['conductScore'], message: 'member.v.conductScore' });
    }
    if (v.gpa === undefined && v.conductScore === undefined && !v.conductRating && !v.studyRating) {
      ctx.addIssue({ code: 'custom', path: ['gpa'], message: 'member.v.resultEmpty' });
    }
  });

export const AwardSchema = z.object({
  title: z.string().trim().min(1, 'validation.required').max(200, 'validation.tooLong'),
  kind: z.enum(AWARD_KINDS, 'validation.invalidChoice'),
  level: z.enum(AWARD_LEVELS, 'validation.invalidChoice'),
  date: optionalDay,
  decisionNo: optionalText(60),
  issuer: optionalText(200),
  verified: checkbox,
});

export const ActivitySchema = z
  .object({
    campaign: z.string().trim().min(1, 'validation.required').max(200, 'validation.tooLong'),
    role: optionalText(100),
    days: optionalNumber('member.v.integer').refine(
      (v) => v === undefined || (Number.isInteger(v) && v <= 366),
      'member.v.days',
    ),
    hours: optionalNumber('member.v.decimal').refine((v) => v === undefined || v <= 5000, 'member.v.hours'),
    startDate: optionalDay,
    endDate: optionalDay,
    verified: checkbox,
  })
  .superRefine((v, ctx) => {
    if (v.startDate && v.endDate && v.endDate < v.startDate) {
      ctx.addIssue({ code: 'custom', path: ['endDate'], message: 'validation.dateOrder' });
    }
  });

/**
 * A yearly rating, with the participation rate where the school records it: "xuất sắc"
 * needs ≥ 90 % then (app/domain/union-rating.ts); blank means not recorded.
 */
export const RatingSchema = z
  .object({
    year: schoolYear,
    level: z.enum(UNION_RATING_LEVELS, 'validation.invalidChoice'),
    participation: optionalNumber('member.v.participation').refine(
      (v) => v === undefined || v <= 100,
      'member.v.participation',
    ),
  })
  .superRefine((v, ctx) => {
    if (participationTooLow(v.level, v.participation)) {
      ctx.addIssue({ code: 'custom', path: ['participation'], message: 'member.v.excellentParticipation' });
    }
  });

export const RECORD_SCHEMAS = {
  term: TermSchema,
  award: AwardSchema,
  activity: ActivitySchema,
  rating: RatingSchema,
} as const;

export type TermInput = z.output<typeof TermSchema>;
export type AwardInput = z.output<typeof AwardSchema>;
export type ActivityInput = z.output<typeof ActivitySchema>;
export type RatingInput = z.output<typeof RatingSchema>;

// What loaders send: plain strings and numbers, dates as yyyy-mm-dd.
export interface TermView {
  key: string;
  year: string;
  term: number;
  scale: number;
  gpa: number | null;
  conductScore: number | null;
  conductRating: string | null;
  studyRating: string | null;
}
export interface AwardView {
  key: string;
  title: string;
  kind: string;
  level: string;
  date: string;
  decisionNo: string;
  issuer: string;
  verified: boolean;
}
export interface ActivityView {
  key: string;
  campaign: string;
  role: string;
  days: number | null;
  hours: number | null;
  startDate: string;
  endDate: string;
  verified: boolean;
}
export interface RatingView {
  key: string;
  year: string;
  level: string;
  /** % attended, '' when not recorded. */
  participation: string;
}

/** What a failed sub-record action returns, so the right form shows its errors. */
export interface RecordFailure {
  record: RecordKind;
  key: string;
  values: Record<string, string>;
  fieldErrors: FieldErrors;
  formError: MessageKey | null;
}

/** School years offered in pickers: the last ten and the current one, plus any already stored. */
export function schoolYearOptions(extra: string[] = []): string[] {
  // A school year starts in September; today is today in Vietnam (also in a browser elsewhere).
  const first = schoolYearStart(calendarDay(new Date())!);
  const years = new Set(extra);
  for (let y = first; y > first - 10; y--) years.add(`${y}-${y + 1}`);
  return [...years].sort().reverse();
}

// ---------------------------------------------------------------------------
// Display helpers, shared with the profile page

export function useRecordLabels() {
  const t = useT();
  const locale = useLocale();
  // The member's school's bands below "Tốt" (the member layout's loader), else the defaults.
  const bands = useRouteLoaderData<{ conductBands?: ConductBands }>('routes/members.$id')?.conductBands;
  return {
    rank: (gpa: number | null, scale: number) => {
      if (gpa === null) return null;
      const rank = academicRank(gpa, scale);
      return rank ? ACADEMIC_RANK_LABELS[rank][locale] : null;
    },
    conduct: (score: number | null) => {
      if (score === null) return null;
      const band = conductBand(score, bands);
      return band ? CONDUCT_BAND_LABELS[band][locale] : null;
    },
    thpt: (v: string | null) => (v && isOneOf(THPT_RATINGS, v) ? t(`member.thpt.${v}`) : null),
    awardKind: (v: string) => (isOneOf(AWARD_KINDS, v) ? t(`member.awardKind.${v}`) : v),
    awardLevel: (v: string) => (isOneOf(AWARD_LEVELS, v) ? t(`member.awardLevel.${v}`) : v),
    ratingLevel: (v: string) => (isOneOf(UNION_RATING_LEVELS, v) ? t(`member.ratingLevel.${v}`) : v),
  };
}

function isOneOf<T extends readonly string[]>(values: T, v: string): v is T[number] {
  return (values as readonly string[]).includes(v);
}

export function VerifiedBadge({ verified }: { verified: boolean }) {
  const t = useT();
  return verified ? (
    <span className="badge badge-verified" data-verified="true">
      ✓ {t('member.verified')}
    </span>
  ) : (
    <span className="badge badge-unverified" data-verified="false">
      ? {t('member.unverified')}
    </span>
  );
}

// ---------------------------------------------------------------------------
// Forms

function RecordForm({
  record,
  itemKey,
  version,
  failure,
  submitLabel,
  children,
}: {
  record: RecordKind;
  itemKey: string;
  version: number;
  failure: RecordFailure | null;
  submitLabel: string;
  children: (values: Record<string, string> | null, errors: FieldErrors) => ReactNode;
}) {
  const navigation = useNavigation();
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null);
  const mine = failure && failure.record === record && failure.key === itemKey ? failure : null;
  const errors = clientErrors ?? mine?.fieldErrors ?? {};
  const busy =
    navigation.state === 'submitting' &&
    navigation.formData?.get('intent') === `${record}.save` &&
    navigation.formData?.get('key') === itemKey;
  const formError = mine?.formError ?? (Object.keys(errors).length ? 'validation.formErrors' : null);
  return (
    <Form
      method="post"
      className="form record-form"
      noValidate
      preventScrollReset
      onSubmit={(event) => setClientErrors(checkOnSubmit(event, RECORD_SCHEMAS[record]))}
    >
      <FormError message={formError} />
      <input type="hidden" name="intent" value={`${record}.save`} />
      <input type="hidden" name="key" value={itemKey} />
      <input type="hidden" name="version" value={version} />
      {children(mine?.values ?? null, errors)}
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

/** One item: its summary, an edit form that opens in place, and a remove button. */
function RecordRow({
  record,
  itemKey,
  version,
  label,
  summary,
  failure,
  form,
}: {
  record: RecordKind;
  itemKey: string;
  version: number;
  label: string;
  summary: ReactNode;
  failure: RecordFailure | null;
  form: (values: Record<string, string> | null, errors: FieldErrors) => ReactNode;
}) {
  const t = useT();
  const open = !!failure && failure.record === record && failure.key === itemKey;
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
            itemKey={itemKey}
            version={version}
            failure={failure}
            submitLabel={t('member.save')}
          >
            {form}
          </RecordForm>
        </details>
        <RemoveButton record={record} itemKey={itemKey} version={version} label={label} />
      </div>
    </li>
  );
}

function AddRecord({
  record,
  version,
  failure,
  label,
  form,
}: {
  record: RecordKind;
  version: number;
  failure: RecordFailure | null;
  label: string;
  form: (values: Record<string, string> | null, errors: FieldErrors) => ReactNode;
}) {
  const open = !!failure && failure.record === record && failure.key === '';
  return (
    <details className="record-add" open={open || undefined}>
      <summary>{label}</summary>
      <RecordForm record={record} itemKey="" version={version} failure={failure} submitLabel={label}>
        {form}
      </RecordForm>
    </details>
  );
}

function fieldIds(record: RecordKind, itemKey: string) {
  const base = `${record}-${itemKey || 'new'}`.replace(/[^A-Za-z0-9_-]/g, '_');
  return (name: string) => `${base}-${name}`;
}

// ---------------------------------------------------------------------------
// Sections

interface SectionProps<T> {
  items: T[];
  version: number;
  failure: RecordFailure | null;
}

export function TermsSection({
  items,
  version,
  failure,
  highSchool,
}: SectionProps<TermView> & { highSchool: boolean }) {
  const t = useT();
  const fmt = useFormatters();
  const labels = useRecordLabels();
  const years = schoolYearOptions(items.map((i) => i.year));
  const fields = (itemKey: string, item?: TermView) =>
    function TermFields(values: Record<string, string> | null, errors: FieldErrors) {
      const id = fieldIds('term', itemKey);
      const v = (name: keyof TermView, fallback = '') =>
        values?.[name] ?? (item && item[name] !== null ? String(item[name]) : fallback);
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
              <SelectField
                label={t('member.conductRating')}
                errors={errors.conductRating}
                selectProps={{
                  id: id('conductRating'),
                  name: 'conductRating',
                  defaultValue: v('conductRating'),
                }}
              >
                <option value="">{t('member.none')}</option>
                {THPT_RATINGS.map((r) => (
                  <option key={r} value={r}>
                    {t(`member.thpt.${r}`)}
                  </option>
                ))}
              </SelectField>
              <SelectField
                label={t('member.studyRating')}
                errors={errors.studyRating}
                selectProps={{ id: id('studyRating'), name: 'studyRating', defaultValue: v('studyRating') }}
              >
                <option value="">{t('member.none')}</option>
                {THPT_RATINGS.map((r) => (
                  <option key={r} value={r}>
                    {t(`member.thpt.${r}`)}
                  </option>
                ))}
              </SelectField>
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
    };
  return (
    <section className="record-section" aria-labelledby="terms-title" id="terms">
      <h2 id="terms-title">{t('member.section.academic')}</h2>
      {items.length ? (
        <ul className="record-list">
          {items.map((item) => {
            const label = t('member.termLabel', { year: item.year, term: item.term });
            const rank = labels.rank(item.gpa, item.scale);
            return (
              <RecordRow
                key={`${item.key}@${version}`}
                record="term"
                itemKey={item.key}
                version={version}
                label={label}
                failure={failure}
                form={fields(item.key, item)}
                summary={
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
                }
              />
            );
          })}
        </ul>
      ) : (
        <p className="muted">{t('member.noTerms')}</p>
      )}
      <AddRecord
        key={version}
        record="term"
        version={version}
        failure={failure}
        label={t('member.addTerm')}
        form={fields('')}
      />
    </section>
  );
}

export function AwardsSection({ items, version, failure }: SectionProps<AwardView>) {
  const t = useT();
  const labels = useRecordLabels();
  const { date } = useFormatters();
  const fields = (itemKey: string, item?: AwardView) =>
    function AwardFields(values: Record<string, string> | null, errors: FieldErrors) {
      const id = fieldIds('award', itemKey);
      const v = (name: keyof AwardView, fallback = '') =>
        values?.[name] ?? (item ? String(item[name]) : fallback);
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
            <SelectField
              label={t('member.awardKind')}
              errors={errors.kind}
              selectProps={{ id: id('kind'), name: 'kind', defaultValue: v('kind') }}
            >
              <option value="">{t('member.choose')}</option>
              {AWARD_KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`member.awardKind.${k}`)}
                </option>
              ))}
            </SelectField>
            <SelectField
              label={t('member.awardLevel')}
              errors={errors.level}
              selectProps={{ id: id('level'), name: 'level', defaultValue: v('level') }}
            >
              <option value="">{t('member.choose')}</option>
              {AWARD_LEVELS.map((k) => (
                <option key={k} value={k}>
                  {t(`member.awardLevel.${k}`)}
                </option>
              ))}
            </SelectField>
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
          <VerifiedCheckbox
            id={id('verified')}
            checked={values ? values.verified === 'on' : !!item?.verified}
          />
        </>
      );
    };
  return (
    <section className="record-section" aria-labelledby="awards-title" id="awards">
      <h2 id="awards-title">{t('member.section.awards')}</h2>
      {items.length ? (
        <ul className="record-list">
          {items.map((item) => (
            <RecordRow
              key={`${item.key}@${version}`}
              record="award"
              itemKey={item.key}
              version={version}
              label={item.title}
              failure={failure}
              form={fields(item.key, item)}
              summary={
                <>
                  <strong>{item.title}</strong> <VerifiedBadge verified={item.verified} />
                  <span>
                    {labels.awardKind(item.kind)} · {labels.awardLevel(item.level)}
                    {item.date ? ` · ${date(item.date)}` : ''}
                  </span>
                  {item.decisionNo || item.issuer ? (
                    <span className="muted">
                      {[item.decisionNo, item.issuer].filter(Boolean).join(' · ')}
                    </span>
                  ) : null}
                </>
              }
            />
          ))}
        </ul>
      ) : (
        <p className="muted">{t('member.noAwards')}</p>
      )}
      <AddRecord
        key={version}
        record="award"
        version={version}
        failure={failure}
        label={t('member.addAward')}
        form={fields('')}
      />
    </section>
  );
}

function VerifiedCheckbox({ id, checked }: { id: string; checked: boolean }) {
  const t = useT();
  return (
    <div className="field">
      <label className="checkbox" htmlFor={id}>
        <input id={id} type="checkbox" name="verified" defaultChecked={checked} />
        {t('member.markVerified')}
      </label>
    </div>
  );
}

export function ActivitiesSection({ items, version, failure }: SectionProps<ActivityView>) {
  const t = useT();
  const { date } = useFormatters();
  const fields = (itemKey: string, item?: ActivityView) =>
    function ActivityFields(values: Record<string, string> | null, errors: FieldErrors) {
      const id = fieldIds('activity', itemKey);
      const v = (name: keyof ActivityView) =>
        values?.[name] ?? (item && item[name] !== null ? String(item[name]) : '');
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
          <VerifiedCheckbox
            id={id('verified')}
            checked={values ? values.verified === 'on' : !!item?.verified}
          />
        </>
      );
    };
  return (
    <section className="record-section" aria-labelledby="activities-title" id="activities">
      <h2 id="activities-title">{t('member.section.activities')}</h2>
      {items.length ? (
        <ul className="record-list">
          {items.map((item) => (
            <RecordRow
              key={`${item.key}@${version}`}
              record="activity"
              itemKey={item.key}
              version={version}
              label={item.campaign}
              failure={failure}
              form={fields(item.key, item)}
              summary={
                <>
                  <strong>{item.campaign}</strong> <VerifiedBadge verified={item.verified} />
                  <span>{activityFacts(item, t, date)}</span>
                </>
              }
            />
          ))}
        </ul>
      ) : (
        <p className="muted">{t('member.noActivities')}</p>
      )}
      <AddRecord
        key={version}
        record="activity"
        version={version}
        failure={failure}
        label={t('member.addActivity')}
        form={fields('')}
      />
    </section>
  );
}

export function activityFacts(
  item: ActivityView,
  t: ReturnType<typeof useT>,
  date: (v: string) => string,
): string {
  const parts: string[] = [];
  if (item.role) parts.push(item.role);
  if (item.days !== null) parts.push(t('member.daysValue', { days: item.days }));
  if (item.hours !== null) parts.push(t('member.hoursValue', { hours: item.hours }));
  if (item.startDate || item.endDate)
    parts.push(
      [item.startDate ? date(item.startDate) : '…', item.endDate ? date(item.endDate) : '…'].join(' – '),
    );
  return parts.join(' · ');
}

export function RatingsSection({ items, version, failure }: SectionProps<RatingView>) {
  const t = useT();
  const labels = useRecordLabels();
  const years = schoolYearOptions(items.map((i) => i.year));
  const fields = (itemKey: string, item?: RatingView) =>
    function RatingFields(values: Record<string, string> | null, errors: FieldErrors) {
      const id = fieldIds('rating', itemKey);
      const v = (name: keyof RatingView, fallback = '') => values?.[name] ?? (item ? item[name] : fallback);
      return (
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
            label={t('member.ratingLevel')}
            errors={errors.level}
            selectProps={{ id: id('level'), name: 'level', defaultValue: v('level') }}
          >
            <option value="">{t('member.choose')}</option>
            {UNION_RATING_LEVELS.map((l) => (
              <option key={l} value={l}>
                {t(`member.ratingLevel.${l}`)}
              </option>
            ))}
          </SelectField>
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
    };
  return (
    <section className="record-section" aria-labelledby="ratings-title" id="ratings">
      <h2 id="ratings-title">{t('member.section.ratings')}</h2>
      {items.length ? (
        <ul className="record-list">
          {items.map((item) => (
            <RecordRow
              key={`${item.key}@${version}`}
              record="rating"
              itemKey={item.key}
              version={version}
              label={item.year}
              failure={failure}
              form={fields(item.key, item)}
              summary={
                <>
                  <strong>{item.year}</strong>
                  <span>{labels.ratingLevel(item.level)}</span>
                  {item.participation ? (
                    <span>{t('member.participationShown', { pct: item.participation })}</span>
                  ) : null}
                </>
              }
            />
          ))}
        </ul>
      ) : (
        <p className="muted">{t('member.noRatings')}</p>
      )}
      <AddRecord
        key={version}
        record="rating"
        version={version}
        failure={failure}
        label={t('member.addRating')}
        form={fields('')}
      />
    </section>
  );
}
