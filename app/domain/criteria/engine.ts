/**
 * The criteria engine: decides whether a member meets a criteria set on a
 * reference date and explains every rule in Vietnamese and English
 * ("Điểm TB 3,4 ≥ 3,2 ✓" / "GPA 3.4 ≥ 3.2 ✓"). Pure and isomorphic: no I/O, no
 * clock (the caller passes `asOf`, normally the chi bộ meeting date or today).
 *
 * `compile(set)` turns a set into a function once (parameters resolved, labels
 * built) so simulations over tens of thousands of members only pay for the
 * member-dependent work; `evaluate` compiles through a WeakMap cache, so sets
 * must be treated as immutable once evaluated.
 *
 * Decisions (see also calendar.ts for days and months):
 * - Missing data never throws: the rule fails with `missing: true` and says what
 *   is missing ("Chưa có điểm học kỳ nào trên thang 4").
 * - Only verified evidence counts: awards with `verified: true`, activities with
 *   `verifiedAt`. Awards dated and activities ended after asOf do not count, so a
 *   past asOf shows what was true then.
 * - Terms of a school year later than asOf's are ignored for the same reason.
 * - Averages are rounded half up to 2 decimals before comparison, as transcripts
 *   print them: 3.1999999 and 3.2000000001 are 3,2 and pass "≥ 3.2"; 3.19 fails.
 *   The explanation shows the number that was compared. Consequences: 3.195
 *   also counts as 3,2, and min_academic_rank ranks the rounded mean, whereas
 *   academicRank(3.1999) alone says Khá. Term means are unweighted (the member
 *   document stores no credits).
 * - Rating rules (THPT conduct/study) take the worst term of the basis.
 * - The certificate is valid through its expiry day, expiry = issue + 60 months
 *   (BLDS 2015 art. 148: a period in months ends at the end of the matching day):
 *   issued 20/06/2021, it is still valid at a meeting on 20/06/2026 and expired
 *   on 21/06/2026. `issuedAt` wins over a stored `expiresAt`; the latter is used
 *   only when the issue date is unknown.
 * - Age is whole months (calendar.ts): "≥ 18" means ≥ 216 months, "≤ 60" means
 *   ≤ 720 months, so 60 years and 11 days still passes, 60 years 1 month does not.
 * - Scored rules earn their whole weight or nothing; eligible = every required
 *   rule passes and, when the set has scored rules, score ≥ passMark.
 */
import {
  academicRank,
  isValidGpa as isValidGpaImport,
  type AcademicRank,
  type GpaScale,
} from '../academic.ts';
import {
  addMonthsDay,
  calendarDay,
  dayNumber as dayNumberImport,
  formatDay,
  isoDay,
  parseSchoolYear as parseSchoolYearImport,
  schoolYearLabel,
  schoolYearStart,
  wholeMonthsBetween,
  type CalendarDay,
} from '../calendar.ts';
import { certificateLastValidDay } from '../certificate.ts';
import {
  AWARD_KIND_LABELS,
  AWARD_LEVEL_LABELS,
  FAIL,
  RANK_LABELS,
  THPT_RATING_LABELS,
  TITLE_LABELS,
  UNION_RATING_LABELS,
  formatNumber as formatNumberImport,
  mark as markImport,
  round2 as round2Import,
} from './labels.ts';
import {
  AWARD_LEVELS,
  THPT_RATINGS,
  UNION_RATING_LEVELS,
  type AlternativeRule,
  type CriteriaMember,
  type CriteriaSet,
  type CriteriaTerm,
  type Rule,
  type RuleResult,
  type RuleValue,
  type TermBasis,
  type Text,
  type ThptRating,
  type Verdict,
} from './types.ts';
import { EXCELLENT_MIN_PARTICIPATION, effectiveUnionRating, participationTooLow } from '../union-rating.ts';

const EPSILON = 1e-9;

// Hot helpers bound once. Under tsx (the bench, `npm start`) every imported
// binding is read through a getter on each call, which cost ~10% of a 50,000-member run.
const isValidGpa = isValidGpaImport;
const dayNumber = dayNumberImport;
const parseSchoolYear = parseSchoolYearImport;
const num = formatNumberImport;
const mark = markImport;
const round2 = round2Import;

/** What one rule decides, before the set adds id, weight and points. */
interface Outcome {
  passed: boolean;
  missing: boolean;
  actual: RuleValue;
  expected: RuleValue;
  vi: string;
  en: string;
}

/** Everything that depends on asOf only, computed once per reference date. */
interface AsOf {
  day: CalendarDay;
  yearStart: number;
  dateText: string;
  /** yyyy-mm-dd of asOf, the `expected` of date rules. */
  iso: string;
  /** false: skip building explanation strings (bulk simulation counts only). */
  explain: boolean;
}

type RuleFn = (member: CriteriaMember, asOf: AsOf) => Outcome;

export type Evaluator = (member: CriteriaMember, asOf: Date) => Verdict;

// ---------------------------------------------------------------------------
// GPA conversion

/**
 * Matching points of the two scales at every rank boundary (Thông tư 08/2021),
 * interpolated linearly in between, so a converted GPA keeps its rank:
 * 3.2/4 ↔ 8.0/10, 2.5/4 ↔ 7.0/10. A straight ×2.5 would turn a 4-point "Khá"
 * 2.5 into a 10-point "Trung bình" 6.25.
 */
const SCALE_POINTS: readonly [number, number][] = [
  [0, 0],
  [1.0, 4.0],
  [2.0, 5.0],
  [2.5, 7.0],
  [3.2, 8.0],
  [3.6, 9.0],
  [4.0, 10.0],
];

export function convertGpa(gpa: number, from: GpaScale, to: GpaScale): number {
  if (from === to) return gpa;
  const [a, b] = from === 4 ? [0, 1] : [1, 0];
  for (let i = 1; i < SCALE_POINTS.length; i++) {
    const lo = SCALE_POINTS[i - 1];
    const hi = SCALE_POINTS[i];
    if (gpa <= hi[a] || i === SCALE_POINTS.length - 1) {
      return lo[b] + ((gpa - lo[a]) * (hi[b] - lo[b])) / (hi[a] - lo[a]);
    }
  }
  return gpa;
}

// ---------------------------------------------------------------------------
// Term selection

/** Aggregate of the terms a basis selects. */
interface Picked {
  count: number;
  sum: number;
  /** Largest value: for ratings (index 0 = best) that is the worst term. */
  worst: number;
  /** School year of 'latest_year', else NaN. */
  yearStart: number;
  /** lastTerms asked for (0 for 'latest_year'). */
  wanted: number;
}

// One scratch aggregate and two scratch arrays, reused by every rule: evaluation
// is synchronous and each rule reads the aggregate before the next one runs, and
// a simulation calls this hundreds of thousands of times.
const picked: Picked = { count: 0, sum: 0, worst: 0, yearStart: NaN, wanted: 0 };
const scratchKeys: number[] = [];
const scratchValues: number[] = [];

/**
 * Aggregates the terms a basis selects into the shared `picked` (null when no
 * term qualifies). `value` returns NaN for a term without usable data for the
 * rule, which then does not exist for the rule: the latest year is the latest
 * year *with data*, the last n terms are the last n *with data*.
 */
function pickTerms(
  terms: readonly CriteriaTerm[] | null | undefined,
  value: (t: CriteriaTerm) => number,
  basis: TermBasis,
  maxYearStart: number,
): Picked | null {
  if (!terms || terms.length === 0) return null;
  let count = 0;
  let sum = 0;
  let worst = -Infinity;
  if (basis === 'latest_year') {
    let latest = -Infinity;
    for (let i = 0; i < terms.length; i++) {
      const t = terms[i];
      const ys = parseSchoolYear(t.year);
      if (!(ys <= maxYearStart) || ys < latest) continue;
      const v = value(t);
      if (v !== v) continue; // NaN
      if (ys > latest) {
        latest = ys;
        count = 0;
        sum = 0;
        worst = -Infinity;
      }
      count++;
      sum += v;
      if (v > worst) worst = v;
    }
    if (count === 0) return null;
    picked.yearStart = latest;
    picked.wanted = 0;
  } else {
    scratchKeys.length = 0;
    scratchValues.length = 0;
    for (let i = 0; i < terms.length; i++) {
      const t = terms[i];
      const ys = parseSchoolYear(t.year);
      if (!(ys <= maxYearStart)) continue;
      const v = value(t);
      if (v !== v) continue;
      scratchKeys.push(ys * 10 + (Number(t.term) || 0));
      scratchValues.push(v);
    }
    if (scratchKeys.length === 0) return null;
    // Take the n most recent by repeated selection: n and the term count are small.
    const n = Math.min(basis.lastTerms, scratchKeys.length);
    for (let k = 0; k < n; k++) {
      let best = -1;
      for (let i = 0; i < scratchKeys.length; i++) {
        if (scratchKeys[i] !== -Infinity && (best < 0 || scratchKeys[i] > scratchKeys[best])) best = i;
      }
      const v = scratchValues[best];
      scratchKeys[best] = -Infinity;
      count++;
      sum += v;
      if (v > worst) worst = v;
    }
    picked.yearStart = NaN;
    picked.wanted = basis.lastTerms;
  }
  picked.count = count;
  picked.sum = sum;
  picked.worst = worst;
  return picked;
}

function mean(p: Picked): number {
  return round2(p.sum / p.count);
}

/** "(năm học 2025-2026, thang 4)" and its English twin. */
function basisText(p: Picked, extraVi = '', extraEn = ''): Text {
  let vi: string;
  let en: string;
  if (p.wanted === 0) {
    vi = `năm học ${schoolYearLabel(p.yearStart)}`;
    en = `school year ${schoolYearLabel(p.yearStart)}`;
  } else if (p.count < p.wanted) {
    vi = `mới có ${p.count}/${p.wanted} học kỳ`;
    en = `only ${p.count} of ${p.wanted} terms`;
  } else {
    vi = `${p.wanted} học kỳ gần nhất`;
    en = `last ${p.wanted} terms`;
  }
  return { vi: ` (${vi}${extraVi})`, en: ` (${en}${extraEn})` };
}

// Rules write their outcome into this one object and the evaluator copies it into
// the result at once: one allocation less per rule and member (see bench/criteria.ts).
const scratch: Outcome = { passed: false, missing: false, actual: null, expected: null, vi: '', en: '' };

function out(
  passed: boolean,
  actual: RuleValue,
  expected: RuleValue,
  vi: string,
  en: string,
  missing = false,
): Outcome {
  scratch.passed = passed;
  scratch.missing = missing;
  scratch.actual = actual;
  scratch.expected = expected;
  scratch.vi = vi;
  scratch.en = en;
  return scratch;
}

/** Outcome without words, for evaluators compiled with `explain: false`. */
function bare(passed: boolean, actual: RuleValue, expected: RuleValue): Outcome {
  return out(passed, actual, expected, '', '');
}

function missingOutcome(expected: RuleValue, vi: string, en: string): Outcome {
  return out(false, null, expected, `${vi} ${FAIL}`, `${en} ${FAIL}`, true);
}

const ratingIndex = (r: string | null | undefined): number => {
  const i = (THPT_RATINGS as readonly string[]).indexOf(r as string);
  return i < 0 ? NaN : i;
};

// ---------------------------------------------------------------------------
// Rules

function minGpa(rule: Extract<Rule | AlternativeRule, { kind: 'min_gpa' }>): RuleFn {
  const { min, scale, basis } = rule;
  const convert = rule.convert === true;
  const value = (t: CriteriaTerm): number => {
    const gpa = t.gpa;
    if (!isValidGpa(gpa, t.scale)) return NaN;
    if (t.scale === scale) return gpa;
    return convert ? convertGpa(gpa, t.scale as GpaScale, scale) : NaN;
  };
  const minVi = num(min, 'vi');
  const minEn = num(min, 'en');
  const scaleVi = `, thang ${scale}${convert ? ', có quy đổi' : ''}`;
  const scaleEn = `, ${scale}-point scale${convert ? ', converted' : ''}`;
  const missingVi = convert ? 'Chưa có điểm học kỳ nào' : `Chưa có điểm học kỳ nào trên thang ${scale}`;
  const missingEn = convert ? 'No term GPA recorded yet' : `No term GPA on the ${scale}-point scale yet`;
  return (m, asOf) => {
    const p = pickTerms(m.academicTerms, value, basis, asOf.yearStart);
    if (!p) return missingOutcome(min, missingVi, missingEn);
    const gpa = mean(p);
    const passed = gpa >= min - EPSILON;
    if (!asOf.explain) return bare(passed, gpa, min);
    const op = passed ? '≥' : '<';
    const ctx = basisText(p, scaleVi, scaleEn);
    return out(
      passed,
      gpa,
      min,
      `Điểm TB ${num(gpa, 'vi')} ${op} ${minVi} ${mark(passed)}${ctx.vi}`,
      `GPA ${num(gpa, 'en')} ${op} ${minEn} ${mark(passed)}${ctx.en}`,
    );
  };
}

const RANK_ORDER: readonly AcademicRank[] = ['excellent', 'very_good', 'good', 'average', 'weak', 'poor'];

function minAcademicRank(rule: Extract<Rule | AlternativeRule, { kind: 'min_academic_rank' }>): RuleFn {
  const { rank, basis } = rule;
  const needed = RANK_ORDER.indexOf(rank);
  const label = RANK_LABELS[rank];
  return (m, asOf) => {
    let scale = rule.scale as GpaScale | undefined;
    if (scale === undefined) {
      // The scale of the most recent term with a GPA: schools do not mix scales within a course.
      let bestKey = -Infinity;
      for (const t of m.academicTerms ?? []) {
        const ys = parseSchoolYear(t.year);
        const key = ys * 10 + (Number(t.term) || 0);
        if (ys <= asOf.yearStart && key > bestKey && isValidGpa(t.gpa, t.scale)) {
          bestKey = key;
          scale = t.scale as GpaScale;
        }
      }
    }
    const s = scale;
    const p =
      s === undefined
        ? null
        : pickTerms(
            m.academicTerms,
            (t) => (t.scale === s && isValidGpa(t.gpa, t.scale) ? t.gpa : NaN),
            basis,
            asOf.yearStart,
          );
    if (!p || s === undefined) {
      return missingOutcome(
        rank,
        rule.scale ? `Chưa có điểm học kỳ nào trên thang ${rule.scale}` : 'Chưa có điểm học kỳ nào',
        rule.scale ? `No term GPA on the ${rule.scale}-point scale yet` : 'No term GPA recorded yet',
      );
    }
    const gpa = mean(p);
    const actual = academicRank(gpa, s) ?? 'poor';
    const passed = RANK_ORDER.indexOf(actual) <= needed;
    if (!asOf.explain) return bare(passed, actual, rank);
    const op = passed ? '≥' : '<';
    const ctx = basisText(p, `, thang ${s}`, `, ${s}-point scale`);
    return out(
      passed,
      actual,
      rank,
      `Học lực ${RANK_LABELS[actual].vi} (${num(gpa, 'vi')}) ${op} ${label.vi} ${mark(passed)}${ctx.vi}`,
      `Academic rank ${RANK_LABELS[actual].en} (${num(gpa, 'en')}) ${op} ${label.en} ${mark(passed)}${ctx.en}`,
    );
  };
}

function ratingRule(
  basis: TermBasis,
  min: ThptRating,
  field: 'conductRating' | 'studyRating',
  noun: Text,
  missing: Text,
): RuleFn {
  const needed = ratingIndex(min);
  const value = (t: CriteriaTerm) => ratingIndex(t[field]);
  const minLabel = THPT_RATING_LABELS[min];
  return (m, asOf) => {
    const p = pickTerms(m.academicTerms, value, basis, asOf.yearStart);
    if (!p) return missingOutcome(min, missing.vi, missing.en);
    const w = p.worst;
    const actual = THPT_RATINGS[w];
    const passed = w <= needed;
    if (!asOf.explain) return bare(passed, actual, min);
    const op = passed ? '≥' : '<';
    const ctx = basisText(p);
    return out(
      passed,
      actual,
      min,
      `${noun.vi} ${THPT_RATING_LABELS[actual].vi} ${op} ${minLabel.vi} ${mark(passed)}${ctx.vi}`,
      `${noun.en} ${THPT_RATING_LABELS[actual].en} ${op} ${minLabel.en} ${mark(passed)}${ctx.en}`,
    );
  };
}

function minConduct(rule: Extract<Rule | AlternativeRule, { kind: 'min_conduct' }>): RuleFn {
  const { basis } = rule;
  if (rule.minScore === undefined) {
    return ratingRule(
      basis,
      rule.minRating ?? 'tot',
      'conductRating',
      { vi: 'Rèn luyện', en: 'Conduct' },
      { vi: 'Chưa có xếp loại rèn luyện học kỳ nào', en: 'No conduct rating recorded yet' },
    );
  }
  const min = rule.minScore;
  const value = (t: CriteriaTerm) => {
    const s = t.conductScore;
    return typeof s === 'number' && s >= 0 && s <= 100 ? s : NaN;
  };
  const minVi = num(min, 'vi');
  const minEn = num(min, 'en');
  return (m, asOf) => {
    const p = pickTerms(m.academicTerms, value, basis, asOf.yearStart);
    if (!p) return missingOutcome(min, 'Chưa có điểm rèn luyện học kỳ nào', 'No conduct score recorded yet');
    const score = mean(p);
    const passed = score >= min - EPSILON;
    if (!asOf.explain) return bare(passed, score, min);
    const op = passed ? '≥' : '<';
    const ctx = basisText(p);
    return out(
      passed,
      score,
      min,
      `Điểm rèn luyện ${num(score, 'vi')} ${op} ${minVi} ${mark(passed)}${ctx.vi}`,
      `Conduct score ${num(score, 'en')} ${op} ${minEn} ${mark(passed)}${ctx.en}`,
    );
  };
}

function minStudyRating(rule: Extract<Rule | AlternativeRule, { kind: 'min_study_rating' }>): RuleFn {
  return ratingRule(
    rule.basis,
    rule.min,
    'studyRating',
    { vi: 'Học tập', en: 'Study' },
    { vi: 'Chưa có xếp loại học tập học kỳ nào', en: 'No study rating recorded yet' },
  );
}

function unionRating(rule: Extract<Rule | AlternativeRule, { kind: 'union_rating' }>): RuleFn {
  const needed = UNION_RATING_LEVELS.indexOf(rule.level);
  const label = UNION_RATING_LABELS[rule.level];
  const years = rule.years;
  const offset = rule.ofPreviousYears === false ? 0 : 1;
  return (m, asOf) => {
    const ratings = m.unionRatings ?? [];
    const actual: (string | null)[] = [];
    let passed = true;
    let missing = false;
    let vi = '';
    let en = '';
    // Oldest first, as people read a record.
    for (let k = years - 1 + offset; k >= offset; k--) {
      const start = asOf.yearStart - k;
      let given: string | null = null;
      let participation: number | null | undefined;
      for (const r of ratings) {
        if (parseSchoolYear(r.year) !== start) continue;
        given = r.level;
        participation = r.participation;
      }
      // "Xuất sắc" with a recorded participation below 90 % counts as "tốt" (union-rating.ts).
      const lowered = given !== null && participationTooLow(given, participation);
      const level = given === null ? null : effectiveUnionRating(given, participation);
      const i = UNION_RATING_LEVELS.indexOf(level as never);
      const ok = i >= 0 && i <= needed;
      passed &&= ok;
      if (i < 0) missing = true;
      actual.push(i < 0 ? null : level);
      if (!asOf.explain) continue;
      const y = schoolYearLabel(start);
      const sep = vi ? '; ' : '';
      if (i < 0) {
        vi += `${sep}${y}: chưa có xếp loại ${FAIL}`;
        en += `${sep}${y}: no rating ${FAIL}`;
      } else {
        const l = UNION_RATING_LABELS[UNION_RATING_LEVELS[i]];
        const why = lowered
          ? {
              vi: ` (xếp loại xuất sắc nhưng tỷ lệ tham gia ${num(participation!, 'vi')} % < ${EXCELLENT_MIN_PARTICIPATION} %)`,
              en: ` (rated excellent but participation ${num(participation!, 'en')} % < ${EXCELLENT_MIN_PARTICIPATION} %)`,
            }
          : { vi: '', en: '' };
        vi += `${sep}${y}: ${l.vi}${why.vi} ${mark(ok)}`;
        en += `${sep}${y}: ${l.en}${why.en} ${mark(ok)}`;
      }
    }
    return out(
      passed,
      actual,
      rule.level,
      asOf.explain ? `Xếp loại đoàn viên ${vi}${passed ? '' : ` (cần từ ${label.vi})`}` : '',
      asOf.explain ? `Union rating ${en}${passed ? '' : ` (needs at least ${label.en})`}` : '',
      missing,
    );
  };
}

const levelIndex = (level: string) => (AWARD_LEVELS as readonly string[]).indexOf(level);

function sinceText(sinceMonths: number | undefined): Text {
  return sinceMonths === undefined
    ? { vi: '', en: '' }
    : { vi: ` trong ${sinceMonths} tháng gần nhất`, en: ` in the last ${sinceMonths} months` };
}

function minAwards(rule: Extract<Rule | AlternativeRule, { kind: 'min_awards' }>): RuleFn {
  const { count, sinceMonths } = rule;
  const minLevel = rule.level ? levelIndex(rule.level) : 0;
  const kinds = rule.awardKinds && rule.awardKinds.length > 0 ? rule.awardKinds : null;
  const filterVi: string[] = [];
  const filterEn: string[] = [];
  if (kinds) {
    filterVi.push(kinds.map((k) => AWARD_KIND_LABELS[k].vi).join(', '));
    filterEn.push(kinds.map((k) => AWARD_KIND_LABELS[k].en).join(', '));
  }
  if (rule.level) {
    filterVi.push(`từ ${AWARD_LEVEL_LABELS[rule.level].vi}`);
    filterEn.push(`${AWARD_LEVEL_LABELS[rule.level].en} or above`);
  }
  const since = sinceText(sinceMonths);
  const headVi = `Khen thưởng đã xác nhận${filterVi.length ? ` (${filterVi.join(', ')})` : ''}${since.vi}`;
  const headEn = `Verified awards${filterEn.length ? ` (${filterEn.join(', ')})` : ''}${since.en}`;
  return (m, asOf) => {
    const from = sinceMonths === undefined ? -Infinity : addMonthsDay(asOf.day, -sinceMonths);
    let verified = 0;
    let pending = 0;
    for (const a of m.awards ?? []) {
      if (levelIndex(a.level) < minLevel) continue;
      if (kinds && !(kinds as string[]).includes(a.kind)) continue;
      const d = dayNumber(a.date);
      if (d > asOf.day.day) continue;
      if (sinceMonths !== undefined && !(d >= from)) continue;
      if (a.verified === true) verified++;
      else pending++;
    }
    const passed = verified >= count;
    if (!asOf.explain) return bare(passed, verified, count);
    const note = pending
      ? { vi: `; ${pending} chưa xác nhận, không tính`, en: `; ${pending} unverified, not counted` }
      : null;
    return out(
      passed,
      verified,
      count,
      `${headVi} ${verified}/${count} ${mark(passed)}${note ? note.vi : ''}`,
      `${headEn} ${verified}/${count} ${mark(passed)}${note ? note.en : ''}`,
    );
  };
}

const plainCache = new Map<string, string>();

/**
 * Diacritic-free lower-case words, enough to recognise a title however it was
 * typed. Cached: a province has a few dozen distinct titles and normalising
 * them for every member dominated the profile.
 */
function plain(s: string): string {
  let p = plainCache.get(s);
  if (p === undefined) {
    p = s
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[đĐ]/g, 'd')
      .toLowerCase();
    if (plainCache.size > 10_000) plainCache.clear();
    plainCache.set(s, p);
  }
  return p;
}

const TITLE_PATTERNS: Record<'sv5t' | 'hs3t', RegExp> = {
  sv5t: /sinh vien 5 tot|sinh vien nam tot|\bsv5t\b/,
  hs3t: /hoc sinh 3 tot|hoc sinh ba tot|\bhs3t\b/,
};

function titleHeld(rule: Extract<Rule | AlternativeRule, { kind: 'title_held' }>): RuleFn {
  const { sinceMonths } = rule;
  const pattern = TITLE_PATTERNS[rule.title];
  const minLevel = levelIndex(rule.level);
  const name = TITLE_LABELS[rule.title];
  const level = AWARD_LEVEL_LABELS[rule.level];
  const since = sinceText(sinceMonths);
  const headVi = `Danh hiệu ${name.vi} từ ${level.vi}${since.vi}`;
  const headEn = `${name.en} title (${level.en} or above)${since.en}`;
  return (m, asOf) => {
    const from = sinceMonths === undefined ? -Infinity : addMonthsDay(asOf.day, -sinceMonths);
    let held = false;
    let pending = false;
    for (const a of m.awards ?? []) {
      if (a.kind !== 'title' || levelIndex(a.level) < minLevel || !a.title) continue;
      const d = dayNumber(a.date);
      if (d > asOf.day.day || (sinceMonths !== undefined && !(d >= from))) continue;
      if (!pattern.test(plain(a.title))) continue;
      if (a.verified === true) held = true;
      else pending = true;
    }
    if (!asOf.explain) return bare(held, held, true);
    const noteVi = !held && pending ? ' (có danh hiệu chưa xác nhận, không tính)' : '';
    const noteEn = !held && pending ? ' (an unverified one is not counted)' : '';
    return out(
      held,
      held,
      true,
      `${headVi}: ${held ? 'có' : 'chưa có'} ${mark(held)}${noteVi}`,
      `${headEn}: ${held ? 'held' : 'not held'} ${mark(held)}${noteEn}`,
    );
  };
}

function minVolunteerDays(rule: Extract<Rule | AlternativeRule, { kind: 'min_volunteer_days' }>): RuleFn {
  const { days, sinceMonths } = rule;
  const since = sinceText(sinceMonths);
  const tailVi = sinceMonths === undefined ? '' : ` (${since.vi.trim()})`;
  const tailEn = sinceMonths === undefined ? '' : ` (${since.en.trim()})`;
  return (m, asOf) => {
    const from = sinceMonths === undefined ? -Infinity : addMonthsDay(asOf.day, -sinceMonths);
    let total = 0;
    let pending = 0;
    for (const a of m.activities ?? []) {
      const start = dayNumber(a.startDate);
      const end = a.endDate == null ? start : dayNumber(a.endDate);
      if (end > asOf.day.day) continue;
      if (sinceMonths !== undefined && !(end >= from)) continue;
      let d = typeof a.days === 'number' && a.days >= 0 ? a.days : NaN;
      if (Number.isNaN(d)) d = end >= start ? end - start + 1 : 0;
      if (a.verifiedAt == null) {
        pending += d;
        continue;
      }
      total += d;
    }
    total = round2(total);
    const passed = total >= days - EPSILON;
    if (!asOf.explain) return bare(passed, total, days);
    const noteVi = pending ? `; ${num(pending, 'vi')} ngày chưa xác nhận, không tính` : '';
    const noteEn = pending ? `; ${num(pending, 'en')} unverified days not counted` : '';
    return out(
      passed,
      total,
      days,
      `Ngày tình nguyện ${num(total, 'vi')}/${num(days, 'vi')} ${mark(passed)}${tailVi}${noteVi}`,
      `Volunteer days ${num(total, 'en')}/${num(days, 'en')} ${mark(passed)}${tailEn}${noteEn}`,
    );
  };
}

function ageAt(rule: Extract<Rule | AlternativeRule, { kind: 'age_at' }>): RuleFn {
  const minMonths = rule.minYears === undefined ? -Infinity : rule.minYears * 12;
  const maxMonths = rule.maxYears === undefined ? Infinity : rule.maxYears * 12;
  const expected: RuleValue =
    rule.minYears !== undefined && rule.maxYears !== undefined
      ? `${minMonths}-${maxMonths}`
      : rule.minYears !== undefined
        ? minMonths
        : maxMonths;
  return (m, asOf) => {
    const dob = calendarDay(m.dateOfBirth);
    if (!dob) return missingOutcome(expected, 'Chưa có ngày sinh', 'Date of birth missing');
    const months = wholeMonthsBetween(dob, asOf.day);
    const passed = months >= minMonths && months <= maxMonths;
    if (!asOf.explain) return bare(passed, months, expected);
    const y = Math.floor(months / 12);
    const mo = months - y * 12;
    let cmpVi: string;
    let cmpEn: string;
    if (rule.minYears !== undefined && rule.maxYears !== undefined) {
      cmpVi = `${passed ? 'trong' : 'ngoài'} khoảng ${rule.minYears}–${rule.maxYears}`;
      cmpEn = `${passed ? 'within' : 'outside'} ${rule.minYears}–${rule.maxYears}`;
    } else if (rule.minYears !== undefined) {
      cmpVi = cmpEn = `${passed ? '≥' : '<'} ${rule.minYears}`;
    } else {
      cmpVi = cmpEn = `${passed ? '≤' : '>'} ${rule.maxYears}`;
    }
    return out(
      passed,
      months,
      expected,
      `Tuổi ${y} năm ${mo} tháng ${cmpVi} ${mark(passed)} (tính đến ${asOf.dateText})`,
      `Age ${y} y ${mo} m ${cmpEn} ${mark(passed)} (on ${asOf.dateText})`,
    );
  };
}

function certificateValid(): RuleFn {
  return (m, asOf) => {
    const cert = m.pipeline?.certificate;
    const last = certificateLastValidDay(cert);
    const expected = asOf.iso;
    if (Number.isNaN(last)) {
      return missingOutcome(
        expected,
        'Chưa có giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng',
        'No Party awareness class certificate',
      );
    }
    const issued = dayNumber(cert?.issuedAt);
    if (issued > asOf.day.day) {
      if (!asOf.explain) return bare(false, isoDay(last), expected);
      return out(
        false,
        isoDay(last),
        expected,
        `Giấy chứng nhận nhận thức về Đảng cấp ngày ${formatDay(issued)}, sau ngày xét ${asOf.dateText} ${FAIL}`,
        `Party awareness certificate issued ${formatDay(issued)}, after ${asOf.dateText} ${FAIL}`,
      );
    }
    const passed = last >= asOf.day.day;
    if (!asOf.explain) return bare(passed, isoDay(last), expected);
    const until = formatDay(last);
    return out(
      passed,
      isoDay(last),
      expected,
      passed
        ? `Giấy chứng nhận nhận thức về Đảng còn hạn đến ${until} ${mark(true)}`
        : `Giấy chứng nhận nhận thức về Đảng đã hết hạn (hạn đến ${until}) ${FAIL}`,
      passed
        ? `Party awareness certificate valid until ${until} ${mark(true)}`
        : `Party awareness certificate expired (valid until ${until}) ${FAIL}`,
    );
  };
}

function unionMembershipMonths(
  rule: Extract<Rule | AlternativeRule, { kind: 'union_membership_months' }>,
): RuleFn {
  const { min } = rule;
  return (m, asOf) => {
    const joined = calendarDay(m.union?.joinedAt);
    if (!joined) return missingOutcome(min, 'Chưa có ngày vào Đoàn', 'Union joining date missing');
    const months = Math.max(0, wholeMonthsBetween(joined, asOf.day));
    const passed = months >= min;
    if (!asOf.explain) return bare(passed, months, min);
    const op = passed ? '≥' : '<';
    return out(
      passed,
      months,
      min,
      `Tuổi đoàn ${months} tháng ${op} ${min} ${mark(passed)}`,
      `Union membership ${months} months ${op} ${min} ${mark(passed)}`,
    );
  };
}

function anyOf(rule: Extract<Rule, { kind: 'any_of' }>): RuleFn {
  const alternatives = rule.rules.map(compileLeaf);
  return (m, asOf) => {
    let passedCount = 0;
    let allMissing = true;
    let vi = '';
    let en = '';
    for (let i = 0; i < alternatives.length; i++) {
      const o = alternatives[i](m, asOf);
      if (o.passed) passedCount++;
      if (!o.missing) allMissing = false;
      vi += (i ? ' hoặc ' : '') + o.vi;
      en += (i ? ' or ' : '') + o.en;
    }
    return out(passedCount > 0, passedCount, 1, vi, en, allMissing && alternatives.length > 0);
  };
}

function compileLeaf(rule: AlternativeRule | Rule): RuleFn {
  switch (rule.kind) {
    case 'min_gpa':
      return minGpa(rule);
    case 'min_academic_rank':
      return minAcademicRank(rule);
    case 'min_conduct':
      return minConduct(rule);
    case 'min_study_rating':
      return minStudyRating(rule);
    case 'union_rating':
      return unionRating(rule);
    case 'min_awards':
      return minAwards(rule);
    case 'title_held':
      return titleHeld(rule);
    case 'min_volunteer_days':
      return minVolunteerDays(rule);
    case 'age_at':
      return ageAt(rule);
    case 'certificate_valid':
      return certificateValid();
    case 'union_membership_months':
      return unionMembershipMonths(rule);
    case 'any_of':
      return anyOf(rule as Extract<Rule, { kind: 'any_of' }>);
    default: {
      // A rule from a newer version of the app, or corrupt data: it fails, it does not crash a list.
      const kind = (rule as { kind?: unknown }).kind;
      return () =>
        missingOutcome(
          null,
          `Loại tiêu chí không xác định: ${String(kind)}`,
          `Unknown rule kind: ${String(kind)}`,
        );
    }
  }
}

// ---------------------------------------------------------------------------
// Sets

function asOfContext(asOf: Date, explain: boolean): AsOf {
  const day = calendarDay(asOf);
  if (!day) throw new RangeError('evaluate: asOf is not a valid date');
  return {
    day,
    yearStart: schoolYearStart(day),
    dateText: formatDay(day.day),
    iso: isoDay(day.day),
    explain,
  };
}

export interface CompileOptions {
  /**
   * Build the vi/en explanations (default true). Bulk counting (simulations,
   * dashboards) turns it off: explanations are most of the cost, and results
   * then carry empty strings.
   */
  explain?: boolean;
}

const NO_TEXT: Text = Object.freeze({ vi: '', en: '' });

/** Compiles a set into a fast evaluator. The set is read once: later mutations are not seen. */
export function compile(set: CriteriaSet, options: CompileOptions = {}): Evaluator {
  const explain = options.explain !== false;
  const rules = set.rules.map((rule) => ({
    rule,
    fn: compileLeaf(rule),
    weight: rule.required ? 0 : Math.max(0, rule.weight ?? 0),
  }));
  const hasScored = rules.some((r) => !r.rule.required);
  const maxScore = rules.reduce((sum, r) => sum + r.weight, 0);
  const passMark = set.passMark ?? 0;
  let cachedTime = NaN;
  let cached: AsOf | null = null;

  return (member, asOf) => {
    const time = asOf.getTime();
    if (cached === null || time !== cachedTime) {
      cached = asOfContext(asOf, explain);
      cachedTime = time;
    }
    const ctx = cached;
    const results = new Array<RuleResult>(rules.length);
    let requiredOk = true;
    let score = 0;
    for (let i = 0; i < rules.length; i++) {
      const { rule, fn, weight } = rules[i];
      let o: Outcome;
      try {
        o = fn(member, ctx);
      } catch {
        // Malformed member data (a string where an array belongs): the rule fails, the list goes on.
        o = missingOutcome(null, 'Dữ liệu không hợp lệ', 'Invalid data');
      }
      const explanation = explain ? { vi: o.vi, en: o.en } : NO_TEXT;
      // Each result is built whole, in one of two fixed shapes, so V8 keeps them monomorphic.
      if (rule.required) {
        if (!o.passed) requiredOk = false;
        results[i] = {
          ruleId: rule.id,
          kind: rule.kind,
          required: true,
          passed: o.passed,
          missing: o.missing,
          actual: o.actual,
          expected: o.expected,
          explanation,
        };
      } else {
        const points = o.passed ? weight : 0;
        score += points;
        results[i] = {
          ruleId: rule.id,
          kind: rule.kind,
          required: false,
          passed: o.passed,
          missing: o.missing,
          points,
          weight,
          actual: o.actual,
          expected: o.expected,
          explanation,
        };
      }
    }
    if (!hasScored) return { eligible: requiredOk, results };
    score = round2(score);
    return { eligible: requiredOk && score >= passMark - EPSILON, score, maxScore, passMark, results };
  };
}

const compiled = new WeakMap<CriteriaSet, Evaluator>();

/** Verdict of one member on `asOf`. Compiles the set on first use (cached per set object). */
export function evaluate(member: CriteriaMember, set: CriteriaSet, asOf: Date): Verdict {
  let evaluator = compiled.get(set);
  if (!evaluator) {
    evaluator = compile(set);
    compiled.set(set, evaluator);
  }
  return evaluator(member, asOf);
}
