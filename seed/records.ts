/**
 * A member's sub-records: yearly Union ratings, academic terms, awards and activities.
 * Each draws from the member's own stream in the order generateMember calls it.
 */
import type { ObjectId } from 'bson';
import type { SchoolKind } from '../models/unit.ts';
import type { SchoolDef } from './data.ts';
import type { Random } from './random.ts';
import type { SeedMember } from './types.ts';
import type { ThptRating } from '../app/domain/criteria/types.ts';
import {
  addDays,
  addMonths,
  clamp,
  DATA_START,
  daysBetween,
  LAST_COMPLETED_YEAR_START,
  maxDate,
  minDate,
  REFERENCE_DATE,
  round,
  schoolYearOf,
  subId,
  utc,
} from './common.ts';

interface Campaign {
  name: string;
  month: number;
  days: [number, number];
  hours: number;
  thpt: boolean;
  roles: string[];
}

/** [name, month, days (shortest, longest), hours a day, open to high schools, roles]. */
const CAMPAIGN_ROWS: [string, number, [number, number], number, boolean, string[]][] = [
  ['Chiến dịch Mùa hè xanh', 7, [10, 30], 8, false, ['Chiến sĩ tình nguyện', 'Đội trưởng', 'Đội phó']],
  ['Chiến dịch Xuân tình nguyện', 1, [3, 10], 8, false, ['Tình nguyện viên', 'Đội trưởng']],
  ['Tiếp sức mùa thi', 6, [3, 7], 8, false, ['Tình nguyện viên', 'Trưởng điểm']],
  ['Hiến máu tình nguyện', 3, [1, 1], 3, false, ['Người hiến máu', 'Tình nguyện viên hậu cần']],
  ['Ngày Chủ nhật xanh', 4, [1, 1], 4, true, ['Tình nguyện viên']],
  ['Tháng Thanh niên', 3, [2, 5], 6, true, ['Tình nguyện viên', 'Nhóm trưởng']],
  ['Kỳ nghỉ hồng', 7, [3, 7], 6, true, ['Tình nguyện viên']],
];
const CAMPAIGNS: Campaign[] = CAMPAIGN_ROWS.map(([name, month, days, hours, thpt, roles]) => ({
  name,
  month,
  days,
  hours,
  thpt,
  roles,
}));

/** Yearly Union ratings for completed school years since the data starts. */
export function makeUnionRatings(
  rng: Random,
  cohort: number,
  joinedAt: Date,
  /** When the member was selected as outstanding: the year before is rated excellent. */
  outstandingAt: Date | undefined,
  reachedOutstanding: boolean,
): SeedMember['unionRatings'] {
  const unionRatings: SeedMember['unionRatings'] = [];
  const outstandingYear = outstandingAt ? schoolYearOf(outstandingAt) : null;
  for (let y = Math.max(cohort, 2023); y <= LAST_COMPLETED_YEAR_START; y++) {
    if (utc(y + 1, 5, 31) < joinedAt) continue;
    const year = `${y}-${y + 1}`;
    const previousToSelection = outstandingYear !== null && `${y + 1}-${y + 2}` === outstandingYear;
    const level = previousToSelection
      ? 'excellent'
      : rng.weighted(
          reachedOutstanding
            ? ([
                ['excellent', 65],
                ['good', 33],
                ['complete', 2],
              ] as const)
            : ([
                ['excellent', 20],
                ['good', 52],
                ['complete', 23],
                ['incomplete', 5],
              ] as const),
        );
    unionRatings.push({ year, level });
  }
  return unionRatings;
}

/** Academic terms for completed terms; `quality` lifts or lowers them all. */
export function makeAcademicTerms(
  rng: Random,
  kind: SchoolKind,
  scale: 4 | 10,
  cohort: number,
  quality: number,
): SeedMember['academicTerms'] {
  const academicTerms: SeedMember['academicTerms'] = [];
  for (let y = cohort; y <= LAST_COMPLETED_YEAR_START; y++) {
    for (const term of [1, 2] as const) {
      const q = quality + rng.normal(0, 0.35);
      if (kind === 'high_school') {
        const gpa = round(clamp(7.3 + 0.8 * q, 4.5, 9.9), 1);
        const studyRating: ThptRating = gpa >= 8 ? 'tot' : gpa >= 6.5 ? 'kha' : gpa >= 5 ? 'dat' : 'chua_dat';
        const conductRating: ThptRating = q > -1.3 ? 'tot' : q > -2.2 ? 'kha' : 'dat';
        academicTerms.push({ year: `${y}-${y + 1}`, term, scale: 10, gpa, conductRating, studyRating });
      } else {
        const gpa =
          scale === 4 ? round(clamp(2.85 + 0.42 * q, 1.2, 4), 2) : round(clamp(7.1 + 0.85 * q, 4, 9.8), 1);
        const conductScore = Math.round(clamp(81 + 6 * q + rng.normal(0, 3), 50, 100));
        academicTerms.push({ year: `${y}-${y + 1}`, term, scale, gpa, conductScore });
      }
    }
  }
  return academicTerms;
}

/**
 * What awards and activities are drawn from: the member's stream, the ids' seed and index,
 * the school, when the member's cohort started, and whether the member is a strong one.
 */
export interface RecordContext {
  rng: Random;
  seed: number;
  index: number;
  def: SchoolDef;
  cohortStart: Date;
  strong: boolean;
}

export function makeAwards({
  rng,
  seed,
  index,
  def,
  cohortStart,
  strong,
}: RecordContext): SeedMember['awards'] {
  const count = rng.weighted(
    strong
      ? ([
          [0, 1],
          [1, 3],
          [2, 3],
          [3, 2],
        ] as const)
      : ([
          [0, 6],
          [1, 3],
          [2, 1],
        ] as const),
  );
  const thpt = def.kind === 'high_school';
  const awards: SeedMember['awards'] = [];
  for (let j = 0; j < count; j++) {
    const date = addDays(
      maxDate(cohortStart, DATA_START),
      rng.int(60, Math.max(61, daysBetween(maxDate(cohortStart, DATA_START), REFERENCE_DATE) - 10)),
    );
    if (date > REFERENCE_DATE) continue;
    const level = rng.weighted([
      ['school', 70],
      ['province', 25],
      ['central', strong ? 5 : 1],
    ] as const);
    const title = thpt ? 'Học sinh 3 tốt' : 'Sinh viên 5 tốt';
    const levelName = { school: 'cấp trường', province: 'cấp tỉnh', central: 'cấp Trung ương' }[level];
    // Per level: the "3 tốt"/"5 tốt" title, or that level's certificate of merit. Each is
    // [title, kind, decision number range, decision suffix, issuer].
    type AwardChoice = [string, 'title' | 'bang_khen' | 'giay_khen', number, number, string, string];
    const choices: Record<typeof level, [AwardChoice, AwardChoice]> = {
      central: [
        [
          `${title} ${levelName}`,
          'title',
          100,
          999,
          'TWHSV',
          thpt ? 'Trung ương Đoàn' : 'Trung ương Hội Sinh viên Việt Nam',
        ],
        [
          'Bằng khen của Ban Chấp hành Trung ương Đoàn',
          'bang_khen',
          100,
          999,
          'TWĐTN-VP',
          'Ban Chấp hành Trung ương Đoàn TNCS Hồ Chí Minh',
        ],
      ],
      province: [
        [
          `${title} ${levelName}`,
          'title',
          100,
          999,
          'HSV',
          thpt ? 'Tỉnh đoàn Quảng Ngãi' : 'Hội Sinh viên tỉnh Quảng Ngãi',
        ],
        [
          'Giấy khen của Ban Thường vụ Tỉnh đoàn',
          'giay_khen',
          100,
          999,
          'TĐTN-VP',
          'Ban Thường vụ Tỉnh đoàn Quảng Ngãi',
        ],
      ],
      school: [
        [`${title} ${levelName}`, 'title', 10, 300, 'ĐTN', `Đoàn ${def.name}`],
        [
          'Giấy khen của Ban Chấp hành Đoàn trường',
          'giay_khen',
          10,
          300,
          'ĐTN',
          `Ban Chấp hành Đoàn ${def.name}`,
        ],
      ],
    };
    const [awardTitle, kind, low, high, suffix, issuer] = choices[level][rng.next() < 0.5 ? 0 : 1];
    const award = {
      title: awardTitle,
      kind,
      level,
      decisionNo: `${rng.int(low, high)}-QĐ/${suffix}`,
      issuer,
    };
    awards.push({ _id: subId(seed, index, j), ...award, date, verified: rng.chance(0.85) });
  }
  return awards;
}

export function makeActivities(
  { rng, seed, index, def, cohortStart, strong }: RecordContext,
  dateOfBirth: Date,
  verifier: ObjectId,
  offset: number,
): SeedMember['activities'] {
  const count = rng.weighted(
    strong
      ? ([
          [1, 2],
          [2, 3],
          [3, 3],
          [4, 2],
        ] as const)
      : ([
          [0, 4],
          [1, 4],
          [2, 2],
        ] as const),
  );
  const pool = CAMPAIGNS.filter((c) => c.thpt || def.kind !== 'high_school');
  const activities: SeedMember['activities'] = [];
  const from = maxDate(cohortStart, DATA_START);
  for (let j = 0; j < count; j++) {
    const c = rng.pick(pool);
    // The campaign's usual month in a school year the member attended.
    const years: number[] = [];
    for (let y = from.getUTCFullYear(); y <= REFERENCE_DATE.getUTCFullYear(); y++) years.push(y);
    const y = rng.pick(years);
    const startDate = utc(y, c.month, rng.int(1, 20));
    const days = rng.int(c.days[0], c.days[1]);
    const endDate = addDays(startDate, days - 1);
    if (startDate < from || endDate >= REFERENCE_DATE) continue;
    // Blood donors must be 18.
    if (c.name === 'Hiến máu tình nguyện' && startDate < addMonths(dateOfBirth, 18 * 12)) continue;
    const verified = rng.chance(0.8);
    const verifiedAt = verified
      ? minDate(addDays(endDate, rng.int(3, 30)), addDays(REFERENCE_DATE, -1))
      : undefined;
    activities.push({
      _id: subId(seed, index, 100 + offset + j),
      campaign: c.name,
      role: rng.pick(c.roles),
      days,
      hours: days * c.hours,
      startDate,
      endDate,
      verifiedBy: verified ? verifier : null,
      ...(verifiedAt ? { verifiedAt } : {}),
    });
  }
  return activities;
}
