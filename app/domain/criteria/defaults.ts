/**
 * Default criteria sets for school year 2025-2026, one per school kind for
 * selecting outstanding members (đoàn viên ưu tú) and one for the admission
 * vote (the same plus the hard legal rules of domain.md §3).
 *
 * These are *local* starting points (domain.md §4 marks every number here as
 * varying by school and province): admins copy a set, change it, simulate the
 * change and adopt it as a new version. Nothing in the engine depends on them.
 *
 * Sources of the numbers: conduct ≥ 80 is the "Tốt" band of Thông tư 16/2015;
 * GPA 2.5/4 and 7.0/10 are the lower bound of "Khá" (Thông tư 08/2021); "xuất
 * sắc" in the previous year and ≥ 12 months of Union membership are the usual
 * local practice; age 18-60 in whole months and a valid awareness certificate
 * are the Party's own rules (hard, required).
 */
import type { CriteriaSet, Rule, SchoolKind, CriteriaPurpose } from './types.ts';

export const DEFAULT_SCHOOL_YEAR = '2025-2026';

const unionExcellentLastYear: Rule = {
  id: 'union-rating',
  kind: 'union_rating',
  required: true,
  level: 'excellent',
  years: 1,
  ofPreviousYears: true,
};
const unionMonths: Rule = { id: 'union-months', kind: 'union_membership_months', required: true, min: 12 };

// Universities and colleges grade on either scale (Quảng Ngãi colleges use 10 points):
// each alternative reads only its own scale, so nobody is judged on a converted number.
const gpaKha: Rule = {
  id: 'gpa',
  kind: 'any_of',
  required: true,
  rules: [
    { id: 'gpa-4', kind: 'min_gpa', min: 2.5, scale: 4, basis: 'latest_year' },
    { id: 'gpa-10', kind: 'min_gpa', min: 7.0, scale: 10, basis: 'latest_year' },
  ],
};
const conductScore80: Rule = {
  id: 'conduct',
  kind: 'min_conduct',
  required: true,
  minScore: 80,
  basis: 'latest_year',
};

/** Scored evidence of an active member: any one of them is enough with passMark 2. */
function tertiaryScored(title: 'sv5t'): Rule[] {
  return [
    { id: 'awards', kind: 'min_awards', required: false, weight: 2, count: 1, level: 'school' },
    { id: 'volunteer', kind: 'min_volunteer_days', required: false, weight: 2, days: 5, sinceMonths: 24 },
    { id: 'title', kind: 'title_held', required: false, weight: 2, title, level: 'school', sinceMonths: 24 },
  ];
}

const admissionRules: Rule[] = [
  { id: 'age', kind: 'age_at', required: true, minYears: 18, maxYears: 60, at: 'asOf' },
  { id: 'certificate', kind: 'certificate_valid', required: true },
];

const KIND_NAMES: Record<SchoolKind, string> = {
  university: 'đại học',
  college: 'cao đẳng',
  high_school: 'THPT',
};

function set(
  schoolKind: SchoolKind,
  purpose: CriteriaPurpose,
  rules: Rule[],
  passMark?: number,
): CriteriaSet {
  const what = purpose === 'selection' ? 'Tiêu chí đoàn viên ưu tú' : 'Điều kiện xét kết nạp Đảng';
  return {
    id: `default-${schoolKind}-${purpose}-${DEFAULT_SCHOOL_YEAR}`,
    name: `${what} – ${KIND_NAMES[schoolKind]} – năm học ${DEFAULT_SCHOOL_YEAR} (mặc định)`,
    schoolKind,
    schoolYear: DEFAULT_SCHOOL_YEAR,
    version: 1,
    purpose,
    rules,
    ...(passMark === undefined ? {} : { passMark }),
  };
}

const universityRules: Rule[] = [
  unionExcellentLastYear,
  gpaKha,
  conductScore80,
  unionMonths,
  ...tertiaryScored('sv5t'),
];

// Colleges: same shape as universities; a separate array so a province can tune one without the other.
const collegeRules: Rule[] = [
  unionExcellentLastYear,
  gpaKha,
  conductScore80,
  unionMonths,
  ...tertiaryScored('sv5t'),
];

const highSchoolRules: Rule[] = [
  unionExcellentLastYear,
  // "Học sinh 3 tốt" or a study result of at least Khá (Thông tư 22/2021).
  {
    id: 'study',
    kind: 'any_of',
    required: true,
    rules: [
      { id: 'title-hs3t', kind: 'title_held', title: 'hs3t', level: 'school', sinceMonths: 24 },
      { id: 'study-rating', kind: 'min_study_rating', min: 'kha', basis: 'latest_year' },
    ],
  },
  { id: 'conduct', kind: 'min_conduct', required: true, minRating: 'tot', basis: 'latest_year' },
  unionMonths,
  { id: 'awards', kind: 'min_awards', required: false, weight: 1, count: 1, level: 'school' },
  { id: 'volunteer', kind: 'min_volunteer_days', required: false, weight: 1, days: 3, sinceMonths: 24 },
];

export const DEFAULT_CRITERIA_SETS: readonly CriteriaSet[] = [
  set('university', 'selection', universityRules, 2),
  set('college', 'selection', collegeRules, 2),
  set('high_school', 'selection', highSchoolRules, 1),
  set('university', 'admission', [...universityRules, ...admissionRules], 2),
  set('college', 'admission', [...collegeRules, ...admissionRules], 2),
  set('high_school', 'admission', [...highSchoolRules, ...admissionRules], 1),
];

export function defaultCriteriaSet(
  schoolKind: SchoolKind,
  purpose: CriteriaPurpose = 'selection',
): CriteriaSet {
  const found = DEFAULT_CRITERIA_SETS.find((s) => s.schoolKind === schoolKind && s.purpose === purpose);
  if (!found) throw new Error(`No default criteria set for ${schoolKind}/${purpose}`);
  return found;
}
