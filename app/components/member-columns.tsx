/**
 * Column definitions of the member table: module constants, as TanStack
 * recommends (a new array each render would rebuild the table). Cells that need
 * the locale are small components so they can use the i18n hooks.
 */
import { Link } from '@remix-run/react';
import { createColumnHelper } from '@tanstack/react-table';
import { IndeterminateCheckbox } from '~/components/data-table';
import { isGender } from '~/domain/member-vocabulary';
import { STAGE_LABELS, STAGE_SHORT_LABELS } from '~/domain/stages';
import type { MessageKey } from '~/i18n';
import { useLocale, useT } from '~/i18n/use-t';
import type { MemberColumn, MemberTableRow } from '~/utils/members/members-query';

export const COLUMN_LABELS: Record<MemberColumn, MessageKey> = {
  studentCode: 'members.col.studentCode',
  dob: 'members.col.dob',
  gender: 'members.col.gender',
  school: 'members.col.school',
  branch: 'members.col.branch',
  gpa: 'members.col.gpa',
  rating: 'members.col.rating',
  eligible: 'criteria.eligibleColumn',
  stage: 'members.col.stage',
  days: 'members.col.days',
};

const col = createColumnHelper<MemberTableRow>();

function SelectAllHeader({
  checked,
  indeterminate,
  onChange,
}: {
  checked: boolean;
  indeterminate: boolean;
  onChange: (checked: boolean) => void;
}) {
  const t = useT();
  return (
    <IndeterminateCheckbox
      checked={checked}
      indeterminate={indeterminate}
      onChange={(e) => onChange(e.currentTarget.checked)}
      aria-label={t('members.selectAll')}
      data-testid="select-all"
    />
  );
}

function SelectRow({
  name,
  checked,
  onChange,
}: {
  name: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  const t = useT();
  return (
    <input
      type="checkbox"
      checked={checked}
      onChange={(e) => onChange(e.currentTarget.checked)}
      aria-label={t('members.selectRow', { name })}
    />
  );
}

/*
 * Formatters are built once per locale: constructing an Intl formatter costs far
 * more than formatting, and a page has hundreds of cells (measured: most of the
 * server-render time of the page before this cache).
 */
const INTL_LOCALE = { vi: 'vi-VN', en: 'en-GB' } as const;
const formatters = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();
function cached<T extends Intl.DateTimeFormat | Intl.NumberFormat>(key: string, make: () => T): T {
  let f = formatters.get(key) as T | undefined;
  if (!f) formatters.set(key, (f = make()));
  return f;
}
const dateFormat = (locale: 'vi' | 'en') =>
  cached(
    `date-${locale}`,
    () =>
      new Intl.DateTimeFormat(INTL_LOCALE[locale], {
        day: '2-digit',
        month: '2-digit',
        year: 'numeric',
        timeZone: 'Asia/Ho_Chi_Minh',
      }),
  );
const numberFormat = (locale: 'vi' | 'en', digits = 0) =>
  cached(
    `number-${locale}-${digits}`,
    () =>
      new Intl.NumberFormat(INTL_LOCALE[locale], {
        minimumFractionDigits: digits,
        maximumFractionDigits: Math.max(digits, 2),
      }),
  );

function DateCell({ value }: { value: string | null }) {
  const locale = useLocale();
  return value ? <>{dateFormat(locale).format(new Date(value))}</> : null;
}

function GenderCell({ value }: { value: string | null }) {
  const t = useT();
  return isGender(value) ? <>{t(`members.gender.${value}`)}</> : null;
}

function RatingCell({ value }: { value: string | null }) {
  const t = useT();
  return value === 'excellent' || value === 'good' || value === 'complete' || value === 'incomplete' ? (
    <>{t(`members.ratingLevel.${value}`)}</>
  ) : null;
}

/** A short badge; the full stage name is its tooltip and what screen readers read. */
function StageCell({ value }: { value: MemberTableRow['stage'] }) {
  const locale = useLocale();
  if (!value) return null;
  const full = STAGE_LABELS[value][locale];
  return (
    <span className={`stage-badge stage-${value}`} title={full} data-stage={value}>
      <span aria-hidden="true">{STAGE_SHORT_LABELS[value][locale]}</span>
      <span className="visually-hidden">{full}</span>
    </span>
  );
}

function GpaCell({ value, scale }: { value: number | null; scale: number | null }) {
  const locale = useLocale();
  if (value === null) return null;
  const text = numberFormat(locale, scale === 4 ? 2 : 1).format(value);
  return (
    <>
      {text}
      <span className="muted">/{scale}</span>
    </>
  );
}

/** The stored verdict, linking to the member's rule-by-rule criteria tab. */
function EligibleCell({ id, value }: { id: string; value: boolean | null }) {
  const t = useT();
  if (value === null) return null;
  return (
    <Link
      to={`/members/${id}/criteria`}
      className={`eligible-badge ${value ? 'eligible-yes' : 'eligible-no'}`}
      data-eligible={value ? 'yes' : 'no'}
    >
      {value ? t('criteria.eligibleYesShort') : t('criteria.eligibleNoShort')}
    </Link>
  );
}

/** The name, and a marker when a recorded step no longer holds (links to the Quy trình tab). */
function NameCell({ row }: { row: MemberTableRow }) {
  const t = useT();
  return (
    <>
      <Link to={`/members/${row.id}`} className="member-link">
        {row.fullName}
      </Link>
      {row.openConflicts ? (
        <>
          {' '}
          <Link
            to={`/members/${row.id}/pipeline`}
            className="eligible-badge conflict-badge"
            data-testid="row-conflict"
          >
            {t('conflict.row')}
          </Link>
        </>
      ) : null}
    </>
  );
}

function NumberCell({ value }: { value: number | null }) {
  const locale = useLocale();
  return value === null ? null : <>{numberFormat(locale).format(value)}</>;
}

/*
 * Column priorities (meta.priority): at a narrower width the birth date, gender and
 * rating give way first (3), then school and branch (2); name, stage and days at
 * stage always stay, with student code, GPA and the verdict. Any column the user
 * picks in the column chooser is shown whatever the width.
 */
export const MEMBER_TABLE_COLUMNS = [
  col.display({
    id: 'select',
    meta: { label: 'members.col.select', customHeader: true },
    enableSorting: false,
    enableHiding: false,
    header: ({ table }) => (
      <SelectAllHeader
        checked={table.getIsAllPageRowsSelected()}
        indeterminate={table.getIsSomePageRowsSelected()}
        onChange={(v) => table.toggleAllPageRowsSelected(v)}
      />
    ),
    cell: ({ row }) => (
      <SelectRow
        name={row.original.fullName}
        checked={row.getIsSelected()}
        onChange={(v) => row.toggleSelected(v)}
      />
    ),
  }),
  col.accessor('fullName', {
    id: 'name',
    meta: { label: 'members.col.name', rowHeader: true },
    enableHiding: false,
    cell: ({ row }) => <NameCell row={row.original} />,
  }),
  col.accessor('studentCode', {
    id: 'studentCode',
    meta: { label: 'members.col.studentCode' },
    enableSorting: false,
  }),
  col.accessor('dateOfBirth', {
    id: 'dob',
    meta: { label: 'members.col.dob', priority: 3 },
    cell: ({ getValue }) => <DateCell value={getValue()} />,
  }),
  col.accessor('gender', {
    id: 'gender',
    meta: { label: 'members.col.gender', priority: 3 },
    enableSorting: false,
    cell: ({ getValue }) => <GenderCell value={getValue()} />,
  }),
  col.accessor('school', { id: 'school', meta: { label: 'members.col.school', priority: 2, wrap: true } }),
  col.accessor('branch', { id: 'branch', meta: { label: 'members.col.branch', priority: 2, wrap: true } }),
  col.accessor('gpa', {
    id: 'gpa',
    meta: { label: 'members.col.gpa', numeric: true },
    cell: ({ row }) => <GpaCell value={row.original.gpa} scale={row.original.gpaScale} />,
  }),
  col.accessor('rating', {
    id: 'rating',
    meta: { label: 'members.col.rating', priority: 3 },
    enableSorting: false,
    cell: ({ getValue }) => <RatingCell value={getValue()} />,
  }),
  col.accessor('eligible', {
    id: 'eligible',
    meta: { label: 'criteria.eligibleColumn' },
    enableSorting: false,
    cell: ({ row }) => <EligibleCell id={row.original.id} value={row.original.eligible} />,
  }),
  col.accessor('stage', {
    id: 'stage',
    meta: { label: 'members.col.stage' },
    cell: ({ getValue }) => <StageCell value={getValue()} />,
  }),
  col.accessor('daysInStage', {
    id: 'days',
    meta: { label: 'members.col.days', numeric: true },
    cell: ({ getValue }) => <NumberCell value={getValue()} />,
  }),
];
