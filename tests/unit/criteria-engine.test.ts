import { describe, expect, it } from 'vitest';
import type { MemberFields } from '../../models/member.ts';
import type { SeedMember } from '../../seed/generate.ts';
import {
  CRITERIA_ERROR_CODES,
  CriteriaSetSchema,
  DEFAULT_CRITERIA_SETS,
  calendarDay,
  certificateLastValidDay,
  compile,
  convertGpa,
  criteriaIssues,
  defaultCriteriaSet,
  diffVerdicts,
  evaluate,
  formatNumber,
  simulate,
  wholeMonthsBetween,
  type CriteriaMember,
  type CriteriaSet,
  type CriteriaTerm,
  type Rule,
  type RuleResult,
} from '../../app/domain/criteria/index.ts';

// Both document shapes must fit the engine's member type without conversion.
const _lean: CriteriaMember = {} as MemberFields;
const _seed: CriteriaMember = {} as SeedMember;
void _lean;
void _seed;

const day = (iso: string) => new Date(`${iso}T00:00:00.000Z`);
/** 27/11/2026: school year 2026-2027, so "the previous year" is 2025-2026. */
const AS_OF = day('2026-11-27');

function setOf(rules: Rule[], extra: Partial<CriteriaSet> = {}): CriteriaSet {
  return { name: 'test', schoolKind: 'university', schoolYear: '2026-2027', version: 1, rules, ...extra };
}

/** Result of one rule on one member. */
function judge(rule: Rule, member: CriteriaMember, asOf = AS_OF): RuleResult {
  return evaluate(member, setOf([rule]), asOf).results[0];
}

const terms4 = (year: string, ...gpas: number[]): CriteriaTerm[] =>
  gpas.map((gpa, i) => ({ year, term: i + 1, scale: 4, gpa }));
const terms10 = (year: string, ...gpas: number[]): CriteriaTerm[] =>
  gpas.map((gpa, i) => ({ year, term: i + 1, scale: 10, gpa }));

// ---------------------------------------------------------------------------

describe('min_gpa', () => {
  const rule: Rule = { id: 'gpa', kind: 'min_gpa', required: true, min: 3.2, scale: 4, basis: 'latest_year' };

  it.each([
    ['exactly 3.2', [3.2, 3.2], true, 3.2],
    ['3.19 is below', [3.19, 3.19], false, 3.19],
    ['3.2 with float noise above', [3.2000000001, 3.2000000001], true, 3.2],
    ['3.2 with float noise below', [3.1999999, 3.1999999], true, 3.2],
    ['3.194 rounds to 3.19', [3.194], false, 3.19],
    ['3.195 rounds to 3.2 (transcripts print 2 decimals)', [3.195], true, 3.2],
    ['mean of 3.0 and 3.4', [3.0, 3.4], true, 3.2],
    ['mean of 3.1 and 3.3 (sum 6.3999…)', [3.1, 3.3], true, 3.2],
    ['mean of 3.0 and 3.38', [3.0, 3.38], false, 3.19],
  ])('%s', (_label, gpas, passed, actual) => {
    const r = judge(rule, { academicTerms: terms4('2025-2026', ...(gpas as number[])) });
    expect(r.passed).toBe(passed);
    expect(r.actual).toBe(actual);
    expect(r.missing).toBe(false);
  });

  it('uses only the latest school year with data, not older or future years', () => {
    const r = judge(rule, {
      academicTerms: [
        ...terms4('2024-2025', 4, 4),
        ...terms4('2025-2026', 3.0, 3.0),
        ...terms4('2027-2028', 4, 4),
      ],
    });
    expect(r.actual).toBe(3);
    expect(r.passed).toBe(false);
    expect(r.explanation.vi).toBe('Điểm TB 3 < 3,2 ✗ (năm học 2025-2026, thang 4)');
    expect(r.explanation.en).toBe('GPA 3 < 3.2 ✗ (school year 2025-2026, 4-point scale)');
  });

  it('explains a pass with a decimal comma in Vietnamese and a point in English', () => {
    const r = judge(rule, { academicTerms: terms4('2025-2026', 3.4) });
    expect(r.explanation.vi).toBe('Điểm TB 3,4 ≥ 3,2 ✓ (năm học 2025-2026, thang 4)');
    expect(r.explanation.en).toBe('GPA 3.4 ≥ 3.2 ✓ (school year 2025-2026, 4-point scale)');
  });

  it('does not count a 10-point term against a 4-point rule without convert', () => {
    const r = judge(rule, { academicTerms: terms10('2025-2026', 9.5) });
    expect(r).toMatchObject({ passed: false, missing: true, actual: null });
    expect(r.explanation.vi).toBe('Chưa có điểm học kỳ nào trên thang 4 ✗');
    expect(r.explanation.en).toBe('No term GPA on the 4-point scale yet ✗');
  });

  it('falls back to the latest year on its own scale when a newer year is on the other scale', () => {
    const r = judge(rule, { academicTerms: [...terms4('2024-2025', 3.5), ...terms10('2025-2026', 5)] });
    expect(r.passed).toBe(true);
    expect(r.explanation.vi).toContain('năm học 2024-2025');
  });

  it('converts with convert: true, keeping the rank (8.0/10 ↔ 3.2/4)', () => {
    const r = judge({ ...rule, convert: true }, { academicTerms: terms10('2025-2026', 8.0) });
    expect(r.passed).toBe(true);
    expect(r.actual).toBe(3.2);
    expect(r.explanation.vi).toContain('có quy đổi');
  });

  it.each([
    ['no terms at all', {}],
    ['empty term list', { academicTerms: [] }],
    ['terms without a GPA', { academicTerms: [{ year: '2025-2026', term: 1, scale: 4, conductScore: 90 }] }],
    ['impossible GPA only', { academicTerms: terms4('2025-2026', 4.5) }],
  ])('fails without throwing on missing data: %s', (_label, member) => {
    const r = judge(rule, member as CriteriaMember);
    expect(r).toMatchObject({ passed: false, missing: true });
  });

  describe('basis lastTerms', () => {
    const last2: Rule = { ...rule, basis: { lastTerms: 2 } } as Rule;
    it('takes the two most recent terms whatever the array order', () => {
      const r = judge(last2, {
        academicTerms: [
          { year: '2025-2026', term: 2, scale: 4, gpa: 3.6 },
          { year: '2024-2025', term: 1, scale: 4, gpa: 1.0 },
          { year: '2025-2026', term: 1, scale: 4, gpa: 3.0 },
          { year: '2024-2025', term: 2, scale: 4, gpa: 1.0 },
        ],
      });
      expect(r.actual).toBe(3.3);
      expect(r.explanation.vi).toBe('Điểm TB 3,3 ≥ 3,2 ✓ (2 học kỳ gần nhất, thang 4)');
    });

    it('uses the terms there are when fewer than asked, and says so', () => {
      const r = judge({ ...rule, basis: { lastTerms: 4 } } as Rule, {
        academicTerms: terms4('2025-2026', 3.2, 3.4),
      });
      expect(r.passed).toBe(true);
      expect(r.actual).toBe(3.3);
      expect(r.explanation.vi).toContain('mới có 2/4 học kỳ');
      expect(r.explanation.en).toContain('only 2 of 4 terms');
    });
  });
});

describe('convertGpa', () => {
  it.each([
    [3.2, 4, 8.0],
    [2.5, 4, 7.0],
    [3.6, 4, 9.0],
    [4.0, 4, 10],
    [0, 4, 0],
    [8.0, 10, 3.2],
    [8.5, 10, 3.4],
    [7.0, 10, 2.5],
  ] as const)('%d on the %d-point scale', (gpa, from, expected) => {
    expect(convertGpa(gpa, from, from === 4 ? 10 : 4)).toBeCloseTo(expected, 9);
  });
});

describe('min_academic_rank', () => {
  const rule: Rule = {
    id: 'rank',
    kind: 'min_academic_rank',
    required: true,
    rank: 'very_good',
    basis: 'latest_year',
  };
  it.each([
    ['Giỏi at 3.2', terms4('2025-2026', 3.2), true, 'very_good'],
    ['Khá at 3.19', terms4('2025-2026', 3.19), false, 'good'],
    ['Xuất sắc passes a Giỏi minimum', terms4('2025-2026', 3.8), true, 'excellent'],
    ['10-point 8.0 on its own scale', terms10('2025-2026', 8.0), true, 'very_good'],
    ['10-point 7.99', terms10('2025-2026', 7.99), false, 'good'],
  ])('%s', (_label, academicTerms, passed, actual) => {
    const r = judge(rule, { academicTerms });
    expect(r.passed).toBe(passed);
    expect(r.actual).toBe(actual);
  });

  it('explains in both languages', () => {
    const r = judge(rule, { academicTerms: terms4('2025-2026', 3.19) });
    expect(r.explanation.vi).toBe('Học lực Khá (3,19) < Giỏi ✗ (năm học 2025-2026, thang 4)');
    expect(r.explanation.en).toBe(
      'Academic rank Good (3.19) < Very good ✗ (school year 2025-2026, 4-point scale)',
    );
  });

  it('fails on a fixed scale the member has no terms on', () => {
    const r = judge({ ...rule, scale: 4 } as Rule, { academicTerms: terms10('2025-2026', 9) });
    expect(r).toMatchObject({ passed: false, missing: true });
  });
});

describe('min_conduct', () => {
  const score: Rule = { id: 'c', kind: 'min_conduct', required: true, minScore: 80, basis: 'latest_year' };
  const rating: Rule = {
    id: 'c',
    kind: 'min_conduct',
    required: true,
    minRating: 'tot',
    basis: 'latest_year',
  };
  const t = (year: string, term: number, extra: Partial<CriteriaTerm>): CriteriaTerm => ({
    year,
    term,
    scale: 4,
    ...extra,
  });

  it.each([
    ['80 and 80', [80, 80], true, 80],
    ['79 and 80 average 79.5', [79, 80], false, 79.5],
    ['100', [100], true, 100],
  ])('score %s', (_label, scores, passed, actual) => {
    const r = judge(score, {
      academicTerms: (scores as number[]).map((s, i) => t('2025-2026', i + 1, { conductScore: s })),
    });
    expect(r.passed).toBe(passed);
    expect(r.actual).toBe(actual);
  });

  it('explains a failing score with a decimal comma', () => {
    const r = judge(score, {
      academicTerms: [t('2025-2026', 1, { conductScore: 79 }), t('2025-2026', 2, { conductScore: 80 })],
    });
    expect(r.explanation.vi).toBe('Điểm rèn luyện 79,5 < 80 ✗ (năm học 2025-2026)');
    expect(r.explanation.en).toBe('Conduct score 79.5 < 80 ✗ (school year 2025-2026)');
  });

  it.each([
    ['Tốt both terms', ['tot', 'tot'], true, 'tot'],
    ['one term Khá: the worst term decides', ['tot', 'kha'], false, 'kha'],
  ])('THPT rating %s', (_label, ratings, passed, actual) => {
    const r = judge(rating, {
      academicTerms: (ratings as string[]).map((c, i) => t('2025-2026', i + 1, { conductRating: c })),
    });
    expect(r.passed).toBe(passed);
    expect(r.actual).toBe(actual);
  });

  it('fails with what is missing', () => {
    expect(judge(score, { academicTerms: terms4('2025-2026', 3) }).explanation.vi).toBe(
      'Chưa có điểm rèn luyện học kỳ nào ✗',
    );
    expect(judge(rating, {}).explanation.en).toBe('No conduct rating recorded yet ✗');
  });
});

describe('min_study_rating', () => {
  const rule: Rule = { id: 's', kind: 'min_study_rating', required: true, min: 'kha', basis: 'latest_year' };
  it.each([
    ['tot', true],
    ['kha', true],
    ['dat', false],
    ['chua_dat', false],
  ])('%s against Khá', (studyRating, passed) => {
    const r = judge(rule, { academicTerms: [{ year: '2025-2026', term: 1, scale: 10, studyRating }] });
    expect(r.passed).toBe(passed);
  });
});

describe('union_rating', () => {
  const rule: Rule = {
    id: 'u',
    kind: 'union_rating',
    required: true,
    level: 'excellent',
    years: 1,
    ofPreviousYears: true,
  };

  it.each([
    ['excellent last year', [['2025-2026', 'excellent']], true],
    ['good last year', [['2025-2026', 'good']], false],
    ['excellent only two years ago', [['2024-2025', 'excellent']], false],
    ['excellent in the current year does not count', [['2026-2027', 'excellent']], false],
  ])('%s', (_label, ratings, passed) => {
    const unionRatings = (ratings as string[][]).map(([year, level]) => ({ year, level }));
    expect(judge(rule, { unionRatings }).passed).toBe(passed);
  });

  it('says which year has no rating', () => {
    const r = judge(rule, { unionRatings: [{ year: '2024-2025', level: 'excellent' }] });
    expect(r).toMatchObject({ passed: false, missing: true, actual: [null] });
    expect(r.explanation.vi).toBe(
      'Xếp loại đoàn viên 2025-2026: chưa có xếp loại ✗ (cần từ Hoàn thành xuất sắc nhiệm vụ)',
    );
    expect(r.explanation.en).toBe('Union rating 2025-2026: no rating ✗ (needs at least Excellent)');
  });

  it('checks each of N previous years, oldest first', () => {
    const two: Rule = { ...rule, years: 2 } as Rule;
    const both = [
      { year: '2024-2025', level: 'excellent' },
      { year: '2025-2026', level: 'excellent' },
    ];
    expect(judge(two, { unionRatings: both }).passed).toBe(true);
    const r = judge(two, { unionRatings: [both[1]] });
    expect(r.passed).toBe(false);
    expect(r.actual).toEqual([null, 'excellent']);
    expect(r.explanation.vi).toBe(
      'Xếp loại đoàn viên 2024-2025: chưa có xếp loại ✗; 2025-2026: Hoàn thành xuất sắc nhiệm vụ ✓ (cần từ Hoàn thành xuất sắc nhiệm vụ)',
    );
  });

  it('treats the level as a minimum', () => {
    const good: Rule = { ...rule, level: 'good' } as Rule;
    expect(judge(good, { unionRatings: [{ year: '2025-2026', level: 'excellent' }] }).passed).toBe(true);
    expect(judge(good, { unionRatings: [{ year: '2025-2026', level: 'complete' }] }).passed).toBe(false);
  });

  it.each([
    ['2026-08-31', '2024-2025'],
    ['2026-09-01', '2025-2026'],
  ])('school years turn on 1 September: on %s the previous year is %s', (asOf, previous) => {
    const r = judge(rule, { unionRatings: [{ year: previous, level: 'excellent' }] }, day(asOf));
    expect(r.passed).toBe(true);
  });

  it('ofPreviousYears: false ends with the current school year', () => {
    const current: Rule = { ...rule, ofPreviousYears: false } as Rule;
    expect(judge(current, { unionRatings: [{ year: '2026-2027', level: 'excellent' }] }).passed).toBe(true);
  });
});

describe('min_awards', () => {
  const rule: Rule = { id: 'a', kind: 'min_awards', required: true, count: 1, level: 'province' };
  const award = (level: string, verified: boolean, extra: object = {}) => ({
    title: 'Giấy khen',
    kind: 'giay_khen',
    level,
    verified,
    date: day('2026-05-01'),
    ...extra,
  });

  it.each([
    ['verified provincial', [award('province', true)], true, 1],
    ['verified central counts as at least provincial', [award('central', true)], true, 1],
    ['school level is below the minimum', [award('school', true)], false, 0],
    ['unverified is ignored', [award('province', false)], false, 0],
    ['verified: undefined is not verified', [award('province', undefined as unknown as boolean)], false, 0],
    ['dated after asOf', [award('province', true, { date: day('2026-12-01') })], false, 0],
  ])('%s', (_label, awards, passed, actual) => {
    const r = judge(rule, { awards });
    expect(r.passed).toBe(passed);
    expect(r.actual).toBe(actual);
  });

  it('mentions unverified awards it did not count', () => {
    const r = judge(rule, { awards: [award('province', false), award('central', false)] });
    expect(r.explanation.vi).toBe('Khen thưởng đã xác nhận (từ cấp tỉnh) 0/1 ✗; 2 chưa xác nhận, không tính');
    expect(r.explanation.en).toBe(
      'Verified awards (provincial level or above) 0/1 ✗; 2 unverified, not counted',
    );
  });

  it('filters by kind and by period', () => {
    const bangKhen: Rule = {
      id: 'a',
      kind: 'min_awards',
      required: true,
      count: 1,
      awardKinds: ['bang_khen'],
    };
    expect(judge(bangKhen, { awards: [award('central', true)] }).passed).toBe(false);
    expect(judge(bangKhen, { awards: [award('central', true, { kind: 'bang_khen' })] }).passed).toBe(true);
    const recent: Rule = { id: 'a', kind: 'min_awards', required: true, count: 1, sinceMonths: 12 };
    expect(judge(recent, { awards: [award('school', true, { date: day('2025-11-27') })] }).passed).toBe(true);
    expect(judge(recent, { awards: [award('school', true, { date: day('2025-11-26') })] }).passed).toBe(
      false,
    );
    expect(judge(recent, { awards: [award('school', true, { date: undefined })] }).passed).toBe(false);
  });

  it('count 0 always passes', () => {
    expect(judge({ ...rule, count: 0 } as Rule, {}).passed).toBe(true);
  });
});

describe('title_held', () => {
  const rule: Rule = { id: 't', kind: 'title_held', required: true, title: 'sv5t', level: 'school' };
  const title = (t: string, level: string, verified: boolean) => ({
    title: t,
    kind: 'title',
    level,
    verified,
  });

  it.each([
    ['verified school-level SV5T', [title('Sinh viên 5 tốt cấp trường', 'school', true)], true],
    ['typed without diacritics', [title('Danh hieu Sinh vien 5 tot', 'province', true)], true],
    ['abbreviation', [title('SV5T cấp tỉnh', 'province', true)], true],
    ['unverified', [title('Sinh viên 5 tốt cấp trường', 'school', false)], false],
    ['another title', [title('Học sinh 3 tốt', 'school', true)], false],
    [
      'a Giấy khen is not a title',
      [{ title: 'Sinh viên 5 tốt', kind: 'giay_khen', level: 'school', verified: true }],
      false,
    ],
  ])('%s', (_label, awards, passed) => {
    expect(judge(rule, { awards }).passed).toBe(passed);
  });

  it('respects the minimum level', () => {
    const province: Rule = { ...rule, level: 'province' } as Rule;
    expect(judge(province, { awards: [title('Sinh viên 5 tốt cấp trường', 'school', true)] }).passed).toBe(
      false,
    );
  });

  it('explains', () => {
    const r = judge({ ...rule, title: 'hs3t' } as Rule, {
      awards: [title('Học sinh 3 tốt', 'school', false)],
    });
    expect(r.explanation.vi).toBe(
      'Danh hiệu Học sinh 3 tốt từ cấp trường: chưa có ✗ (có danh hiệu chưa xác nhận, không tính)',
    );
    expect(r.explanation.en).toBe(
      'Pupil of 3 Merits title (school level or above): not held ✗ (an unverified one is not counted)',
    );
  });
});

describe('min_volunteer_days', () => {
  const rule: Rule = { id: 'v', kind: 'min_volunteer_days', required: true, days: 10 };
  const act = (days: number, verified: boolean, end = '2026-07-20') => ({
    days,
    startDate: day('2026-07-01'),
    endDate: day(end),
    ...(verified ? { verifiedAt: day('2026-08-01') } : {}),
  });

  it('explains "4/10" in both languages', () => {
    const r = judge(rule, { activities: [act(4, true)] });
    expect(r).toMatchObject({ passed: false, actual: 4, expected: 10 });
    expect(r.explanation.vi).toBe('Ngày tình nguyện 4/10 ✗');
    expect(r.explanation.en).toBe('Volunteer days 4/10 ✗');
  });

  it.each([
    ['exactly 10 verified', [act(6, true), act(4, true)], true, 10],
    ['unverified days ignored', [act(6, true), act(20, false)], false, 6],
    ['verifiedBy without verifiedAt is not verified', [{ ...act(12, false), verifiedBy: 'x' }], false, 0],
    ['ended after asOf', [act(12, true, '2026-11-28')], false, 0],
    ['half days add up', [act(9.5, true), act(0.5, true)], true, 10],
  ])('%s', (_label, activities, passed, actual) => {
    const r = judge(rule, { activities: activities as CriteriaMember['activities'] });
    expect(r.passed).toBe(passed);
    expect(r.actual).toBe(actual);
  });

  it('counts the dates when days is missing', () => {
    const r = judge(rule, {
      activities: [
        { startDate: day('2026-07-01'), endDate: day('2026-07-10'), verifiedAt: day('2026-07-15') },
      ],
    });
    expect(r.actual).toBe(10);
  });

  it('keeps only the period asked for and says it', () => {
    const recent: Rule = { ...rule, sinceMonths: 12 } as Rule;
    const r = judge(recent, { activities: [act(10, true, '2025-11-26'), act(3, true), act(2, false)] });
    expect(r.actual).toBe(3);
    expect(r.explanation.vi).toBe(
      'Ngày tình nguyện 3/10 ✗ (trong 12 tháng gần nhất); 2 ngày chưa xác nhận, không tính',
    );
    expect(r.explanation.en).toBe(
      'Volunteer days 3/10 ✗ (in the last 12 months); 2 unverified days not counted',
    );
  });
});

describe('age_at (whole months)', () => {
  const adult: Rule = { id: 'age', kind: 'age_at', required: true, minYears: 18, at: 'asOf' };
  const range: Rule = { id: 'age', kind: 'age_at', required: true, minYears: 18, maxYears: 60, at: 'asOf' };

  it.each([
    ['turned 18 the day before asOf', '2008-11-26', true, 216],
    ['turns 18 on asOf', '2008-11-27', true, 216],
    ['turns 18 the day after asOf', '2008-11-28', false, 215],
    ['17 years 11 months', '2008-12-01', false, 215],
  ])('%s (born %s, asOf 27/11/2026)', (_label, dob, passed, months) => {
    const r = judge(adult, { dateOfBirth: day(dob) });
    expect(r.passed).toBe(passed);
    expect(r.actual).toBe(months);
  });

  it.each([
    ['2026-02-27', false],
    ['2026-02-28', true], // 2026 has no 29 February: the last day of the month
    ['2026-03-01', true],
  ])('born 29/02/2008, on %s', (asOf, passed) => {
    expect(judge(adult, { dateOfBirth: day('2008-02-29') }, day(asOf)).passed).toBe(passed);
  });

  it('born 29/02/2008 turns 20 on 29/02/2028, a leap year, not on the 28th', () => {
    const twenty: Rule = { ...adult, minYears: 20 } as Rule;
    expect(judge(twenty, { dateOfBirth: day('2008-02-29') }, day('2028-02-28')).passed).toBe(false);
    expect(judge(twenty, { dateOfBirth: day('2008-02-29') }, day('2028-02-29')).passed).toBe(true);
  });

  it.each([
    ['1966-11-27', '2026-11-27', true, 720],
    ['1966-11-27', '2026-12-26', true, 720], // 60 years and 29 days: still "60" in whole months
    ['1966-11-27', '2026-12-27', false, 721],
  ])('upper bound: born %s, on %s', (dob, asOf, passed, months) => {
    const r = judge(range, { dateOfBirth: day(dob) }, day(asOf));
    expect(r.passed).toBe(passed);
    expect(r.actual).toBe(months);
  });

  it('reads dates in Vietnam time (UTC+7)', () => {
    // Midnight 27/11/2008 in Vietnam, as a browser there stores it.
    expect(judge(adult, { dateOfBirth: new Date('2008-11-26T17:00:00Z') }).passed).toBe(true);
    // 01:00 on 27/11/2026 in Vietnam is still the 26th in UTC.
    expect(judge(adult, { dateOfBirth: day('2008-11-27') }, new Date('2026-11-26T18:00:00Z')).passed).toBe(
      true,
    );
    expect(judge(adult, { dateOfBirth: day('2008-11-27') }, new Date('2026-11-26T16:59:59Z')).passed).toBe(
      false,
    );
  });

  it('explains with dd/mm/yyyy', () => {
    const r = judge(range, { dateOfBirth: day('2008-12-01') });
    expect(r.explanation.vi).toBe('Tuổi 17 năm 11 tháng ngoài khoảng 18–60 ✗ (tính đến 27/11/2026)');
    expect(r.explanation.en).toBe('Age 17 y 11 m outside 18–60 ✗ (on 27/11/2026)');
    expect(judge(adult, { dateOfBirth: day('2008-11-27') }).explanation.vi).toBe(
      'Tuổi 18 năm 0 tháng ≥ 18 ✓ (tính đến 27/11/2026)',
    );
  });

  it('fails on a missing or invalid date of birth', () => {
    expect(judge(adult, {})).toMatchObject({ passed: false, missing: true });
    expect(judge(adult, { dateOfBirth: 'not a date' })).toMatchObject({ passed: false, missing: true });
    expect(judge(adult, {}).explanation.vi).toBe('Chưa có ngày sinh ✗');
  });
});

describe('wholeMonthsBetween', () => {
  const c = (iso: string) => calendarDay(day(iso))!;
  it.each([
    ['2008-01-31', '2008-02-28', 0],
    ['2008-01-31', '2008-02-29', 1], // leap year: 29/02 is the month's last day
    ['2009-01-31', '2009-02-28', 1],
    ['2008-01-31', '2008-03-30', 1],
    ['2008-01-31', '2008-03-31', 2],
    ['2008-08-31', '2008-09-30', 1],
    ['2026-11-27', '2026-11-27', 0],
    ['2026-11-27', '2026-11-26', -1],
  ])('%s → %s = %d', (from, to, months) => {
    expect(wholeMonthsBetween(c(from), c(to))).toBe(months);
  });
});

describe('certificate_valid', () => {
  const rule: Rule = { id: 'cert', kind: 'certificate_valid', required: true };
  const issued = (iso: string) => ({ pipeline: { certificate: { issuedAt: day(iso) } } });

  it.each([
    ['one day before expiry', '2026-11-26', true],
    ['expiring exactly on the reference date (last valid day)', '2026-11-27', true],
    ['one day after expiry', '2026-11-28', false],
  ])('issued 27/11/2021, meeting %s: %s', (_label, asOf, passed) => {
    expect(judge(rule, issued('2021-11-27'), day(asOf)).passed).toBe(passed);
  });

  it('runs 60 months to the month end when the day does not exist', () => {
    expect(certificateLastValidDay({ issuedAt: day('2024-02-29') })).toBe(
      calendarDay(day('2029-02-28'))!.day,
    );
    expect(judge(rule, issued('2024-02-29'), day('2029-02-28')).passed).toBe(true);
    expect(judge(rule, issued('2024-02-29'), day('2029-03-01')).passed).toBe(false);
  });

  it('uses the stored expiry only when the issue date is unknown', () => {
    const stored = { pipeline: { certificate: { expiresAt: day('2026-11-27') } } };
    expect(judge(rule, stored).passed).toBe(true);
    expect(judge(rule, stored, day('2026-11-28')).passed).toBe(false);
    // A wrong stored expiry does not outvote the issue date.
    const both = { pipeline: { certificate: { issuedAt: day('2021-11-27'), expiresAt: day('2030-01-01') } } };
    expect(judge(rule, both, day('2026-11-28')).passed).toBe(false);
  });

  it('explains with dates', () => {
    expect(judge(rule, issued('2026-06-20')).explanation.vi).toBe(
      'Giấy chứng nhận nhận thức về Đảng còn hạn đến 20/06/2031 ✓',
    );
    expect(judge(rule, issued('2021-06-20')).explanation.en).toBe(
      'Party awareness certificate expired (valid until 20/06/2026) ✗',
    );
  });

  it('fails without a certificate, or with one issued after the meeting', () => {
    const r = judge(rule, { pipeline: {} });
    expect(r).toMatchObject({ passed: false, missing: true });
    expect(r.explanation.vi).toBe('Chưa có giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng ✗');
    expect(judge(rule, issued('2026-12-01')).passed).toBe(false);
  });
});

describe('union_membership_months', () => {
  const rule: Rule = { id: 'm', kind: 'union_membership_months', required: true, min: 12 };
  it.each([
    ['2025-11-27', true, 12],
    ['2025-11-28', false, 11],
    ['2027-01-01', false, 0], // joining after asOf is not negative membership
  ])('joined %s', (joinedAt, passed, months) => {
    const r = judge(rule, { union: { joinedAt: day(joinedAt) } });
    expect(r.passed).toBe(passed);
    expect(r.actual).toBe(months);
  });
  it('explains, and fails without a joining date', () => {
    expect(judge(rule, { union: { joinedAt: day('2025-11-27') } }).explanation.en).toBe(
      'Union membership 12 months ≥ 12 ✓',
    );
    expect(judge(rule, { union: {} }).explanation.vi).toBe('Chưa có ngày vào Đoàn ✗');
  });
});

describe('any_of', () => {
  const rule: Rule = {
    id: 'gpa',
    kind: 'any_of',
    required: true,
    rules: [
      { id: 'g4', kind: 'min_gpa', min: 2.5, scale: 4, basis: 'latest_year' },
      { id: 'g10', kind: 'min_gpa', min: 7, scale: 10, basis: 'latest_year' },
    ],
  };
  it('passes when one alternative passes and explains all of them', () => {
    const r = judge(rule, { academicTerms: terms10('2025-2026', 7.5) });
    expect(r).toMatchObject({ passed: true, missing: false, actual: 1 });
    expect(r.explanation.vi).toBe(
      'Chưa có điểm học kỳ nào trên thang 4 ✗ hoặc Điểm TB 7,5 ≥ 7 ✓ (năm học 2025-2026, thang 10)',
    );
    expect(r.explanation.en).toContain(' or GPA 7.5 ≥ 7 ✓');
  });
  it('is missing only when every alternative lacks data', () => {
    expect(judge(rule, {})).toMatchObject({ passed: false, missing: true });
    expect(judge(rule, { academicTerms: terms4('2025-2026', 2.4) })).toMatchObject({
      passed: false,
      missing: false,
    });
  });
});

describe('scoring and eligibility', () => {
  const member: CriteriaMember = {
    academicTerms: terms4('2025-2026', 3.4),
    activities: [{ days: 4, verifiedAt: day('2026-06-01'), endDate: day('2026-05-30') }],
    awards: [{ title: 'Giấy khen', kind: 'giay_khen', level: 'school', verified: true }],
  };
  const gpa: Rule = { id: 'gpa', kind: 'min_gpa', required: true, min: 3.2, scale: 4, basis: 'latest_year' };
  const awards: Rule = { id: 'awards', kind: 'min_awards', required: false, weight: 2, count: 1 };
  const volunteer: Rule = { id: 'vol', kind: 'min_volunteer_days', required: false, weight: 1, days: 10 };
  const title: Rule = {
    id: 'title',
    kind: 'title_held',
    required: false,
    weight: 1.5,
    title: 'sv5t',
    level: 'school',
  };

  it.each([
    ['pass mark reached', [gpa, awards, volunteer, title], 2, true, 2],
    ['pass mark missed', [gpa, awards, volunteer, title], 2.5, false, 2],
    ['required rule fails despite the score', [{ ...gpa, min: 3.5 } as Rule, awards], 2, false, 2],
    ['only required rules: no score', [gpa], undefined, true, undefined],
  ])('%s', (_label, rules, passMark, eligible, score) => {
    const v = evaluate(member, setOf(rules as Rule[], { passMark: passMark as number | undefined }), AS_OF);
    expect(v.eligible).toBe(eligible);
    expect(v.score).toBe(score);
  });

  it('reports points per scored rule and the maximum', () => {
    const v = evaluate(member, setOf([gpa, awards, volunteer, title], { passMark: 2 }), AS_OF);
    expect(v).toMatchObject({ score: 2, maxScore: 4.5, passMark: 2 });
    expect(v.results.map((r) => [r.ruleId, r.required, r.points, r.weight])).toEqual([
      ['gpa', true, undefined, undefined],
      ['awards', false, 2, 2],
      ['vol', false, 0, 1],
      ['title', false, 0, 1.5],
    ]);
  });

  it('keeps results in rule order with ids, kinds, actual and expected', () => {
    const v = evaluate(member, setOf([gpa, volunteer], { passMark: 0 }), AS_OF);
    expect(v.results[1]).toEqual({
      ruleId: 'vol',
      kind: 'min_volunteer_days',
      required: false,
      passed: false,
      missing: false,
      points: 0,
      weight: 1,
      actual: 4,
      expected: 10,
      explanation: { vi: 'Ngày tình nguyện 4/10 ✗', en: 'Volunteer days 4/10 ✗' },
    });
  });
});

describe('robustness', () => {
  it('never throws on empty or malformed members, for every default set', () => {
    const odd = [
      {},
      { academicTerms: 'x', awards: 3, unionRatings: null, activities: [null] },
      { academicTerms: [{ year: 'abc', term: 1, scale: 7, gpa: 'high' }], dateOfBirth: 'soon' },
      { pipeline: { certificate: null }, union: null },
    ] as unknown as CriteriaMember[];
    expect(DEFAULT_CRITERIA_SETS).not.toHaveLength(0);
    for (const set of DEFAULT_CRITERIA_SETS) {
      for (const m of odd) {
        const v = evaluate(m, set, AS_OF);
        expect(v.eligible).toBe(false);
        expect(v.results).toHaveLength(set.rules.length);
      }
    }
  });

  it('fails an unknown rule kind instead of crashing', () => {
    const r = judge({ id: 'x', kind: 'from_the_future', required: true } as unknown as Rule, {});
    expect(r).toMatchObject({ passed: false, missing: true });
  });

  it('compile({ explain: false }) gives the same verdicts without words', () => {
    const set = defaultCriteriaSet('university', 'admission');
    const m: CriteriaMember = { academicTerms: terms4('2025-2026', 3.4), dateOfBirth: day('2004-03-12') };
    const full = compile(set)(m, AS_OF);
    const bare = compile(set, { explain: false })(m, AS_OF);
    expect(bare.eligible).toBe(full.eligible);
    expect(bare.results.map((r) => [r.passed, r.actual])).toEqual(
      full.results.map((r) => [r.passed, r.actual]),
    );
    expect(bare.results.every((r) => r.explanation.vi === '' && r.explanation.en === '')).toBe(true);
  });
});

describe('formatNumber', () => {
  it.each([
    [3.4, '3,4', '3.4'],
    [3.2, '3,2', '3.2'],
    [80, '80', '80'],
    [79.5, '79,5', '79.5'],
    [3.1999999, '3,2', '3.2'],
    [1.005, '1,01', '1.01'],
    [2.345678, '2,35', '2.35'],
  ])('%d', (n, vi, en) => {
    expect(formatNumber(n, 'vi')).toBe(vi);
    expect(formatNumber(n, 'en')).toBe(en);
  });
});

// ---------------------------------------------------------------------------

describe('diffVerdicts and simulate', () => {
  const v = (eligible: boolean) => ({ eligible });

  it('classifies and counts', () => {
    const d = diffVerdicts([v(true), v(false), v(true), v(false)], [v(true), v(true), v(false), v(false)]);
    expect(d.changes).toEqual(['unchanged', 'became_eligible', 'became_ineligible', 'unchanged']);
    expect(d.counts).toEqual({
      total: 4,
      became_eligible: 1,
      became_ineligible: 1,
      unchanged: 2,
      eligibleBefore: 2,
      eligibleAfter: 2,
    });
  });

  it('refuses lists of different lengths', () => {
    expect(() => diffVerdicts([v(true)], [])).toThrow(RangeError);
  });

  it('simulates a stricter conduct minimum and explains the changed members', () => {
    const conduct = (min: number): CriteriaSet =>
      setOf([{ id: 'c', kind: 'min_conduct', required: true, minScore: min, basis: 'latest_year' }]);
    const members = [82, 88, 70].map((score, i) => ({
      id: i,
      academicTerms: [{ year: '2025-2026', term: 1, scale: 4, conductScore: score }],
    }));
    const sim = simulate(members, conduct(80), conduct(85), AS_OF);
    expect(sim.counts).toMatchObject({ total: 3, became_ineligible: 1, became_eligible: 0, unchanged: 2 });
    expect(sim.changed).toHaveLength(1);
    expect(sim.changed[0].member.id).toBe(0);
    expect(sim.changed[0].change).toBe('became_ineligible');
    expect(sim.changed[0].after.results[0].explanation.vi).toBe(
      'Điểm rèn luyện 82 < 85 ✗ (năm học 2025-2026)',
    );
  });
});

// ---------------------------------------------------------------------------

describe('CriteriaSetSchema', () => {
  it.each(DEFAULT_CRITERIA_SETS.map((s) => [s.id, s] as const))('default set %s is valid', (_id, set) => {
    const parsed = CriteriaSetSchema.safeParse(set);
    expect(parsed.success ? [] : criteriaIssues(parsed.error)).toEqual([]);
  });

  it('has a selection and an admission set for every school kind, the latter with the hard rules', () => {
    for (const kind of ['university', 'college', 'high_school'] as const) {
      expect(defaultCriteriaSet(kind, 'selection').schoolYear).toBe('2025-2026');
      const admission = defaultCriteriaSet(kind, 'admission');
      const hard = admission.rules.filter((r) => r.kind === 'age_at' || r.kind === 'certificate_valid');
      expect(hard.map((r) => r.required)).toEqual([true, true]);
    }
  });

  const base = defaultCriteriaSet('university');
  const withRule = (rule: unknown, extra: object = {}) => ({
    ...base,
    rules: [rule],
    passMark: undefined,
    ...extra,
  });

  it.each([
    [
      'GPA above its scale',
      withRule({ id: 'g', kind: 'min_gpa', required: true, min: 5, scale: 4, basis: 'latest_year' }),
      'rules.0.min',
      'gpa_out_of_scale',
    ],
    [
      'negative GPA',
      withRule({ id: 'g', kind: 'min_gpa', required: true, min: -1, scale: 10, basis: 'latest_year' }),
      'rules.0.min',
      'gpa_out_of_scale',
    ],
    [
      'scale 5',
      withRule({ id: 'g', kind: 'min_gpa', required: true, min: 3, scale: 5, basis: 'latest_year' }),
      'rules.0.scale',
      'gpa_scale_invalid',
    ],
    [
      'lastTerms 0',
      withRule({ id: 'g', kind: 'min_gpa', required: true, min: 3, scale: 4, basis: { lastTerms: 0 } }),
      'rules.0.basis.lastTerms',
      'basis_invalid',
    ],
    [
      'negative award count',
      withRule({ id: 'a', kind: 'min_awards', required: true, count: -1 }),
      'rules.0.count',
      'count_invalid',
    ],
    [
      'fractional award count',
      withRule({ id: 'a', kind: 'min_awards', required: true, count: 1.5 }),
      'rules.0.count',
      'count_invalid',
    ],
    [
      'negative volunteer days',
      withRule({ id: 'v', kind: 'min_volunteer_days', required: true, days: -2 }),
      'rules.0.days',
      'days_invalid',
    ],
    [
      'conduct above 100',
      withRule({ id: 'c', kind: 'min_conduct', required: true, minScore: 120, basis: 'latest_year' }),
      'rules.0.minScore',
      'conduct_score_invalid',
    ],
    [
      'conduct without a measure',
      withRule({ id: 'c', kind: 'min_conduct', required: true, basis: 'latest_year' }),
      'rules.0',
      'conduct_measure_missing',
    ],
    [
      'conduct with both measures',
      withRule({
        id: 'c',
        kind: 'min_conduct',
        required: true,
        minScore: 80,
        minRating: 'tot',
        basis: 'latest_year',
      }),
      'rules.0',
      'conduct_measure_both',
    ],
    [
      'age bounds inverted',
      withRule({ id: 'x', kind: 'age_at', required: true, minYears: 60, maxYears: 18, at: 'asOf' }),
      'rules.0.maxYears',
      'age_bounds_inverted',
    ],
    [
      'age without bounds',
      withRule({ id: 'x', kind: 'age_at', required: true, at: 'asOf' }),
      'rules.0',
      'age_bounds_missing',
    ],
    [
      'union rating over 0 years',
      withRule({ id: 'u', kind: 'union_rating', required: true, level: 'excellent', years: 0 }),
      'rules.0.years',
      'years_invalid',
    ],
    [
      'unknown union level',
      withRule({ id: 'u', kind: 'union_rating', required: true, level: 'great', years: 1 }),
      'rules.0.level',
      'level_invalid',
    ],
    [
      'unknown title',
      withRule({ id: 't', kind: 'title_held', required: true, title: 'hs5t', level: 'school' }),
      'rules.0.title',
      'title_invalid',
    ],
    [
      'unknown rule kind',
      withRule({ id: 'k', kind: 'min_height', required: true }),
      'rules.0.kind',
      'rule_kind_invalid',
    ],
    [
      'scored rule without weight',
      withRule({ id: 'c', kind: 'certificate_valid', required: false }, { passMark: 0 }),
      'rules.0.weight',
      'weight_required',
    ],
    [
      'scored rules without pass mark',
      withRule({ id: 'c', kind: 'certificate_valid', required: false, weight: 1 }),
      'passMark',
      'pass_mark_required',
    ],
    [
      'unreachable pass mark',
      withRule({ id: 'c', kind: 'certificate_valid', required: false, weight: 1 }, { passMark: 2 }),
      'passMark',
      'pass_mark_unreachable',
    ],
    [
      'empty any_of',
      withRule({ id: 'o', kind: 'any_of', required: true, rules: [] }),
      'rules.0.rules',
      'alternatives_empty',
    ],
    [
      'bad alternative',
      withRule({
        id: 'o',
        kind: 'any_of',
        required: true,
        rules: [{ id: 'g', kind: 'min_gpa', min: 12, scale: 10, basis: 'latest_year' }],
      }),
      'rules.0.rules.0.min',
      'gpa_out_of_scale',
    ],
    [
      'empty rule id',
      withRule({ id: ' ', kind: 'certificate_valid', required: true }),
      'rules.0.id',
      'rule_id_required',
    ],
    ['no rules', { ...base, rules: [] }, 'rules', 'rules_empty'],
    [
      'school year not consecutive',
      { ...base, schoolYear: '2025-2027' },
      'schoolYear',
      'school_year_invalid',
    ],
    ['unknown school kind', { ...base, schoolKind: 'kindergarten' }, 'schoolKind', 'school_kind_invalid'],
    ['version 0', { ...base, version: 0 }, 'version', 'version_invalid'],
    ['blank name', { ...base, name: '  ' }, 'name', 'name_required'],
  ])('rejects %s', (_label, input, path, code) => {
    const parsed = CriteriaSetSchema.safeParse(input);
    expect(parsed.success).toBe(false);
    if (parsed.success) return;
    expect(criteriaIssues(parsed.error)).toContainEqual({ path, code });
  });

  it('rejects duplicate rule ids, including inside any_of', () => {
    const dup = {
      ...base,
      rules: [
        base.rules[0],
        { ...base.rules[1], rules: [{ id: 'union-rating', kind: 'certificate_valid' }] },
      ],
    };
    const parsed = CriteriaSetSchema.safeParse(dup);
    expect(parsed.success).toBe(false);
    if (!parsed.success)
      expect(criteriaIssues(parsed.error)).toContainEqual({
        path: 'rules.1.rules.0.id',
        code: 'rule_id_duplicate',
      });
  });

  it('reports only known codes', () => {
    const parsed = CriteriaSetSchema.safeParse({ rules: 'x', version: 'one' });
    expect(parsed.success).toBe(false);
    if (!parsed.success) {
      expect(criteriaIssues(parsed.error)).not.toHaveLength(0);
      for (const issue of criteriaIssues(parsed.error)) expect(CRITERIA_ERROR_CODES).toContain(issue.code);
    }
  });
});
