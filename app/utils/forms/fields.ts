/**
 * Field schemas shared by every form: what the browser checks instantly and the
 * action checks for real. Messages are catalogue keys. No React here, so services
 * and editors both import it.
 */
import { z } from 'zod';
import { isCalendarDay } from '~/domain/calendar';
import { isObjectId, OBJECT_ID_PATTERN } from '~/domain/ids';
import type { MessageKey } from '~/i18n';

/** A required 24-hex id; both an empty and a malformed value say `message` (once: conform lists every issue). */
export const objectId = (message: MessageKey) =>
  z.string().trim().min(1, { error: message, abort: true }).regex(OBJECT_ID_PATTERN, message);

/** A 24-hex id or empty (undefined). */
export const optionalObjectId = (message: MessageKey = 'validation.invalidChoice') =>
  z
    .string()
    .trim()
    .optional()
    .refine((v) => !v || isObjectId(v), message)
    .transform((v) => (v ? v : undefined));

/**
 * One value of a required list: left on its "— Vui lòng chọn … —" line it asks for a choice,
 * a value outside the list (a tampered post) is an invalid choice.
 */
export const choice = <const T extends readonly string[]>(values: T) =>
  z.enum(values, {
    error: (issue): MessageKey => (issue.input === '' ? 'validation.choose' : 'validation.invalidChoice'),
  });

export const text = (max: number) => z.string().trim().max(max, 'validation.tooLong');

/** Trimmed text up to `max` characters; empty is undefined. */
export const optionalText = (max: number) =>
  text(max)
    .optional()
    .transform((v) => (v ? v : undefined));

/** An HTML checkbox: present ("on") is true, absent is false. */
export const checkbox = z
  .string()
  .optional()
  .transform((v) => v === 'on' || v === 'true');

/** A real yyyy-mm-dd calendar day: 2005-02-31 is not rolled over to 3 March. */
export const isIsoDay = (v: string): boolean => isCalendarDay(v);

/** A yyyy-mm-dd day, as `<input type=date>` sends it, or empty (undefined). */
export const isoDay = z
  .string()
  .trim()
  .optional()
  .refine((v) => !v || isIsoDay(v), 'validation.date')
  .transform((v) => (v ? v : undefined));

/** "2024-2025": two consecutive years between 2000 and 2100. */
export const schoolYear = z
  .string()
  .trim()
  .refine((v) => {
    const m = /^(\d{4})-(\d{4})$/.exec(v);
    return !!m && Number(m[2]) === Number(m[1]) + 1 && Number(m[1]) >= 2000 && Number(m[1]) <= 2100;
  }, 'member.v.schoolYear');
