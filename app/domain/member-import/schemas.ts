/**
 * Row schemas (zod). Each field turns one raw cell into a typed value or an
 * issue whose message is a problem code, so every field of every row reports.
 */
import { z } from 'zod';
import { vietnamDay } from '../calendar.ts';
import type { ThptRating } from '../criteria/types.ts';
import { parseGraduationMonth } from '../graduation.ts';
import type { Gender } from '../member-vocabulary.ts';
import { searchKey } from '../text.ts';
import { cellText, isDateShaped, parseDateCell, parseNumberCell } from './cells.ts';
import type { CellValue, RowProblemCode } from './types.ts';

/** What a spreadsheet cell may say (search key: no case, no diacritics) → the stored value. */
export const GENDER_WORDS: Readonly<Record<string, Gender>> = {
  nam: 'male',
  nu: 'female',
  khac: 'other',
  male: 'male',
  female: 'female',
  other: 'other',
};
export const THPT_RATING_WORDS: Readonly<Record<string, ThptRating>> = {
  tot: 'tot',
  kha: 'kha',
  dat: 'dat',
  'chua dat': 'chua_dat',
};

type CellParse<T> = { value: T } | { code: RowProblemCode; params?: Record<string, string | number> };

function cellField<T>(parse: (value: CellValue, text: string) => CellParse<T>) {
  return z.custom<CellValue>().transform((value, ctx): T => {
    const result = parse(value ?? null, cellText(value ?? null));
    if ('code' in result) {
      ctx.addIssue({ code: 'custom', message: result.code, params: result.params });
      return z.NEVER;
    }
    return result.value;
  });
}

const ok = <T>(value: T): CellParse<T> => ({ value });
const fail = (code: RowProblemCode, params?: Record<string, string | number>): CellParse<never> => ({
  code,
  params,
});

function requiredText(max: number, pattern?: { re: RegExp; code: RowProblemCode }) {
  return cellField<string>((_, text) => {
    if (!text) return fail('required');
    if (text.length > max) return fail('text_too_long', { max });
    if (pattern && !pattern.re.test(text)) return fail(pattern.code);
    return ok(text);
  });
}

function optionalText(max: number) {
  return cellField<string | undefined>((_, text) => {
    if (!text) return ok(undefined);
    return text.length > max ? fail('text_too_long', { max }) : ok(text);
  });
}

/** Dates a record can hold: nobody in the pipeline was born before 1950, and nothing is dated in the future. */
const MIN_DATE = Date.UTC(1950, 0, 1);

function optionalDate() {
  return cellField<Date | undefined>((value, text) => {
    if (!text) return ok(undefined);
    const date = parseDateCell(value);
    // 31/02/2005 is written right but names no day: say that, not "use dd/mm/yyyy".
    if (!date) return isDateShaped(text) ? fail('date_no_such_day', { date: text }) : fail('date_invalid');
    if (date.getTime() < MIN_DATE || date.getTime() > Date.now()) return fail('date_out_of_range');
    return ok(date);
  });
}

const CODE_RE = /^[\p{L}\p{N}._/-]+$/u;
// Letters (any script's marks included), spaces, and the apostrophe/hyphen of some ethnic-minority names.
const NAME_RE = /^[\p{L}\p{M}][\p{L}\p{M}' .-]*$/u;
const EMAIL = z.email().max(254);
const studentCodeField = requiredText(30, { re: CODE_RE, code: 'code_invalid' });

/** "2024-2025" (also 2024–2025, 2024/2025): two consecutive years. */
function schoolYearCell(text: string): CellParse<string> {
  const m = /^(\d{4})\s*[-–/]\s*(\d{4})$/.exec(text);
  if (!m) return fail('school_year_invalid');
  const first = Number(m[1]);
  const second = Number(m[2]);
  return second === first + 1 && first >= 2000 && first <= 2100
    ? ok(`${first}-${second}`)
    : fail('school_year_invalid');
}

/** The course (Khóa) as its entry year: "2024", or the span "2024-2028" (its first year). */
function cohortCell(text: string): CellParse<number> {
  const m = /^(\d{4})(?:\s*[-–]\s*\d{4})?$/.exec(text);
  const year = m ? Number(m[1]) : NaN;
  return year >= 1990 && year <= 2100 ? ok(year) : fail('cohort_invalid');
}

export const MemberRowSchema = z.object({
  studentCode: studentCodeField,
  fullName: cellField<string>((_, text) => {
    const name = text.replace(/\s+/g, ' ');
    if (!name) return fail('required');
    if (name.length > 100) return fail('text_too_long', { max: 100 });
    return NAME_RE.test(name) ? ok(name) : fail('name_invalid');
  }),
  dateOfBirth: optionalDate(),
  gender: cellField<Gender | undefined>((_, text) => {
    if (!text) return ok(undefined);
    const gender = GENDER_WORDS[searchKey(text)];
    return gender ? ok(gender) : fail('gender_invalid');
  }),
  email: cellField<string | undefined>((_, text) => {
    if (!text) return ok(undefined);
    const email = text.toLowerCase();
    return EMAIL.safeParse(email).success ? ok(email) : fail('email_invalid');
  }),
  phone: cellField<string | undefined>((value, text) => {
    if (!text) return ok(undefined);
    let digits = text.replace(/[\s.()-]/g, '');
    if (digits.startsWith('+84')) digits = '0' + digits.slice(3);
    else if (/^84\d{9}$/.test(digits)) digits = '0' + digits.slice(2);
    // A number cell loses the leading 0 of a Vietnamese mobile number.
    else if (typeof value === 'number' && /^[1-9]\d{8}$/.test(digits)) digits = '0' + digits;
    return /^0\d{9}$/.test(digits) ? ok(digits) : fail('phone_invalid');
  }),
  branch: optionalText(200),
  unionJoinedAt: optionalDate(),
  unionCardNumber: optionalText(30),
  // A month; an Excel date cell gives its month (Vietnam's calendar).
  expectedGraduation: cellField<string | undefined>((value, text) => {
    if (value instanceof Date) return ok(vietnamDay(value).slice(0, 7));
    if (!text) return ok(undefined);
    const month = parseGraduationMonth(text);
    return month ? ok(month) : fail('month_invalid');
  }),
  schoolYear: cellField<string | undefined>((_, text) => (text ? schoolYearCell(text) : ok(undefined))),
  cohort: cellField<number | undefined>((_, text) => (text ? cohortCell(text) : ok(undefined))),
  ethnicity: optionalText(50),
  religion: optionalText(50),
  citizenId: cellField<string | undefined>((value, text) => {
    if (!text) return ok(undefined);
    // CCCD numbers start with a 0 province code, which a number cell drops.
    const digits =
      typeof value === 'number' && /^\d{10,11}$/.test(text)
        ? text.padStart(12, '0')
        : text.replace(/\s/g, '');
    return /^\d{12}$/.test(digits) ? ok(digits) : fail('citizen_id_invalid');
  }),
});

export type MemberRecord = z.output<typeof MemberRowSchema> & { row: number };

export const ResultRowSchema = z.object({
  studentCode: studentCodeField,
  schoolYear: cellField<string>((_, text) => (text ? schoolYearCell(text) : fail('required'))),
  term: cellField<1 | 2 | 3>((_, text) => {
    if (!text) return fail('required');
    const m = /^(?:hk|hoc ky|ky)?\s*([123])$/.exec(searchKey(text));
    return m ? ok(Number(m[1]) as 1 | 2 | 3) : fail('term_invalid');
  }),
  scale: cellField<4 | 10 | undefined>((value, text) => {
    if (!text) return ok(undefined);
    const n = parseNumberCell(value);
    return n === 4 || n === 10 ? ok(n) : fail('scale_invalid');
  }),
  gpa: cellField<number | undefined>((value, text) => {
    if (!text) return ok(undefined);
    const n = parseNumberCell(value);
    return n === null ? fail('number_invalid') : ok(n);
  }),
  conductScore: cellField<number | undefined>((value, text) => {
    if (!text) return ok(undefined);
    const n = parseNumberCell(value);
    if (n === null) return fail('number_invalid');
    return n >= 0 && n <= 100 ? ok(n) : fail('conduct_score_out_of_range');
  }),
  conductRating: thptRatingField(),
  studyRating: thptRatingField(),
});

function thptRatingField() {
  return cellField<ThptRating | undefined>((_, text) => {
    if (!text) return ok(undefined);
    const rating = THPT_RATING_WORDS[searchKey(text)];
    return rating ? ok(rating) : fail('rating_invalid');
  });
}

export type ResultRecord = z.output<typeof ResultRowSchema> & { row: number };
