/**
 * Expected graduation (issue 16): the month as typed or imported (06/2027, 2027-06, T6/2027, an
 * Excel date), refused otherwise; the warning when the month ends before the expected
 * admission decision — the legal due day once the chi bộ has voted, the earliest possible one
 * (a vote today + 60 working days) before — at the month's edges, and only while the
 * admission is open.
 */
import { describe, expect, it } from 'vitest';
import { dayNumber, isoDay } from '../../app/domain/calendar.ts';
import { DECISION_WORKING_DAYS, admissionDecisionDueDay } from '../../app/domain/deadlines.ts';
import {
  formatMonth,
  graduationWarning,
  lastDayOfMonth,
  parseGraduationMonth,
} from '../../app/domain/graduation.ts';
import type { ImportRow } from '../../app/domain/member-import/types.ts';
import { validateMemberRows } from '../../app/domain/member-import/validate.ts';
import { ASOF, calendar, memberAt } from '../fixtures/pipeline-member.ts';

describe('parseGraduationMonth', () => {
  it.each([
    ['2027-06', '2027-06'],
    ['06/2027', '2027-06'],
    ['6/2027', '2027-06'],
    ['12-2027', '2027-12'],
    ['T6/2027', '2027-06'],
    ['tháng 6/2027', '2027-06'],
    [' 2027-6 ', '2027-06'],
  ])('%s → %s', (text, month) => {
    expect(parseGraduationMonth(text)).toBe(month);
  });
  it.each(['', '13/2027', '0/2027', '2027', '06/27', '2027-13', 'sáu 2027', '06/1999'])(
    'refuses %j',
    (text) => {
      expect(parseGraduationMonth(text)).toBeNull();
    },
  );
  it('knows the last day of a month, leap years included', () => {
    expect(isoDay(lastDayOfMonth('2028-02'))).toBe('2028-02-29');
    expect(isoDay(lastDayOfMonth('2027-02'))).toBe('2027-02-28');
    expect(isoDay(lastDayOfMonth('2027-12'))).toBe('2027-12-31');
    expect(formatMonth('2027-06')).toBe('06/2027');
  });
});

describe('graduationWarning', () => {
  // After the vote of 06/05/2025: the decision is due 60 working days later.
  const voted = memberAt('branch_vote');
  const due = admissionDecisionDueDay(voted.pipeline, calendar);
  const dueIso = isoDay(due);
  const monthOf = (day: number) => isoDay(day).slice(0, 7);
  const previousMonth = (day: number) => monthOf(dayNumber(`${isoDay(day).slice(0, 8)}01`) - 1);
  const withGraduation = (m: typeof voted, month: string) => ({ ...m, expectedGraduation: month });

  it('warns when the month ends before the decision due day, with both dates', () => {
    const w = graduationWarning(withGraduation(voted, previousMonth(due)), calendar, ASOF)!;
    expect(w).toMatchObject({ graduation: previousMonth(due), decisionDue: dueIso, estimated: false });
    expect(w.message.vi).toContain(formatMonth(previousMonth(due)));
    expect(w.message.vi).toContain(`${dueIso.slice(8, 10)}/${dueIso.slice(5, 7)}/${dueIso.slice(0, 4)}`);
  });
  it('does not warn when the decision is due within the graduation month or later', () => {
    expect(graduationWarning(withGraduation(voted, monthOf(due)), calendar, ASOF)).toBeNull();
    expect(graduationWarning(withGraduation(voted, '2030-06'), calendar, ASOF)).toBeNull();
  });
  it('before the vote, compares with the earliest possible decision (a vote today + 60 working days)', () => {
    const earliest = calendar.addWorkingDayNumber(dayNumber(ASOF), DECISION_WORKING_DAYS);
    const dossier = memberAt('dossier');
    const w = graduationWarning(withGraduation(dossier, previousMonth(earliest)), calendar, ASOF)!;
    expect(w).toMatchObject({ decisionDue: isoDay(earliest), estimated: true });
    expect(w.message.vi).toContain('sớm nhất');
    expect(graduationWarning(withGraduation(dossier, monthOf(earliest)), calendar, ASOF)).toBeNull();
  });
  it('is silent without a month, once decided, and for ended or returned records', () => {
    expect(graduationWarning(voted, calendar, ASOF)).toBeNull();
    expect(graduationWarning({ ...voted, expectedGraduation: 'xx' }, calendar, ASOF)).toBeNull();
    for (const stage of [
      'decision',
      'probation',
      'official',
      'returned',
      'withdrawn',
      'transferred',
    ] as const)
      expect(graduationWarning(withGraduation(memberAt(stage), '2020-01'), calendar, ASOF)).toBeNull();
  });
});

describe('the import column', () => {
  const row = (expectedGraduation: unknown): ImportRow => ({
    row: 2,
    values: {
      studentCode: '2101010001',
      fullName: 'Nguyễn Thị Ánh',
      expectedGraduation,
    } as ImportRow['values'],
  });
  it('reads 06/2027 and an Excel date cell as a month', () => {
    expect(validateMemberRows([row('06/2027')]).records[0].expectedGraduation).toBe('2027-06');
    expect(validateMemberRows([row(new Date('2027-06-15T00:00:00Z'))]).records[0].expectedGraduation).toBe(
      '2027-06',
    );
    expect(validateMemberRows([row('')]).records[0].expectedGraduation).toBeUndefined();
  });
  it('refuses anything else beside the column', () => {
    const { problems } = validateMemberRows([row('13/2027')]);
    expect(problems).toContainEqual(
      expect.objectContaining({ row: 2, column: 'Dự kiến tốt nghiệp', code: 'month_invalid' }),
    );
  });
});
