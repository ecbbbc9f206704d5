/**
 * Evidence a student submits (an award or a volunteering activity). Three states,
 * never confused (users-expect.md): submitted by the student → approved by the
 * school Union (only then copied into the record as verified) or returned with a
 * reason the student sees. Isomorphic: the student's form and its action share the schema.
 */
import { z } from 'zod';
import { DAY_MS, isCalendarDay } from './calendar.ts';
import { AWARD_KINDS, AWARD_LEVELS } from './criteria/types.ts';

export const SUBMISSION_KINDS = ['award', 'activity'] as const;
export type SubmissionKind = (typeof SUBMISSION_KINDS)[number];
export const SUBMISSION_STATUSES = ['submitted', 'approved', 'returned'] as const;
export type SubmissionStatus = (typeof SUBMISSION_STATUSES)[number];

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export const SubmissionSchema = z
  .object({
    kind: z.enum(SUBMISSION_KINDS, 'me.v.kind'),
    title: z.string().trim().min(3, 'me.v.title').max(200, 'validation.tooLong'),
    date: z.string().regex(DAY, 'validation.date'),
    awardKind: z.string().optional().default(''),
    level: z.string().optional().default(''),
    days: z.string().optional().default(''),
    evidence: z.string().trim().min(5, 'me.v.evidence').max(500, 'validation.tooLong'),
  })
  .superRefine((v, ctx) => {
    // A refused date says which rule it broke: no such day (31/02), or later than today
    // (a day's slack for the time zones between the browser and the server).
    if (DAY.test(v.date)) {
      if (!isCalendarDay(v.date))
        ctx.addIssue({ code: 'custom', path: ['date'], message: 'me.v.dateNoSuchDay' });
      else if (new Date(`${v.date}T00:00:00Z`).getTime() > Date.now() + DAY_MS)
        ctx.addIssue({ code: 'custom', path: ['date'], message: 'me.v.dateFuture' });
    }
    if (v.kind === 'award') {
      if (!(AWARD_KINDS as readonly string[]).includes(v.awardKind))
        ctx.addIssue({ code: 'custom', path: ['awardKind'], message: 'validation.invalidChoice' });
      if (!(AWARD_LEVELS as readonly string[]).includes(v.level))
        ctx.addIssue({ code: 'custom', path: ['level'], message: 'validation.invalidChoice' });
    } else {
      const n = Number(v.days);
      if (!/^\d+$/.test(v.days) || n < 1 || n > 366)
        ctx.addIssue({ code: 'custom', path: ['days'], message: 'me.v.days' });
    }
  });

export const ReturnSchema = z.object({
  reason: z.string().trim().min(5, 'me.v.reason').max(500, 'validation.tooLong'),
});

/**
 * The evidence file's type, read from its first bytes: the browser's declared type
 * and the file name are the uploader's claim, not a fact. Null for anything that is
 * not a JPEG, PNG or PDF.
 */
export function sniffEvidenceType(bytes: Uint8Array): 'image/jpeg' | 'image/png' | 'application/pdf' | null {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return 'application/pdf'; // "%PDF-"
  return null;
}
