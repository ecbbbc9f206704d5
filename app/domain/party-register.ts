/**
 * A chi bộ's register of official members, dated: each entry says how many official
 * members the cell has from a day on, who recorded it and why. The count in force on a day
 * is that of the last entry from on or before it. It is the denominator of the 2/3 rule of
 * the admission and official-membership votes (domain.md: "yes ≥ 2/3 of the chi bộ's
 * official members, not of those present"), so the vote is judged against the register on
 * the meeting day, never against a count typed into the vote form. Pure and isomorphic.
 */
import { z } from 'zod';
import { dayNumber, isoDay, type DateLike } from './calendar.ts';

export interface RegisterEntry {
  count: number;
  /** The first day the count is in force (a calendar day, UTC midnight when stored). */
  from: DateLike;
  reason?: string | null;
}

/** The most official members a cell may record (a sanity bound, not a rule of the Party). */
export const MAX_OFFICIAL_MEMBERS = 10_000;

/**
 * The register of a cell as stored: its dated entries, or, for a cell recorded before the
 * register existed, its single count taken as in force since always.
 */
export function registerOf(cell: {
  officialMembers?: readonly RegisterEntry[] | null;
  officialMemberCount?: number | null;
}): RegisterEntry[] {
  if (cell.officialMembers?.length) return [...cell.officialMembers];
  return typeof cell.officialMemberCount === 'number'
    ? [{ count: cell.officialMemberCount, from: new Date(0) }]
    : [];
}

/**
 * The count in force on `day` (a day number or anything date-like): the last entry, in the
 * order recorded, whose first day is on or before it; null when none is.
 */
export function countOn(entries: readonly RegisterEntry[], day: DateLike): number | null {
  const on = typeof day === 'number' ? day : dayNumber(day);
  if (Number.isNaN(on)) return null;
  let best: { from: number; count: number } | null = null;
  for (const e of entries) {
    const from = dayNumber(e.from);
    if (Number.isNaN(from) || from > on) continue;
    // Later entries for the same first day correct earlier ones.
    if (!best || from >= best.from) best = { from, count: e.count };
  }
  return best ? best.count : null;
}

/** The form that records a new count: how many, from which day, why. */
export function registerEntrySchema(today: number) {
  return z.object({
    count: z
      .string()
      .trim()
      .regex(/^\d+$/, 'register.v.count')
      .transform(Number)
      .pipe(z.number().int().min(1, 'register.v.count').max(MAX_OFFICIAL_MEMBERS, 'register.v.count')),
    from: z
      .string()
      .trim()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'register.v.from')
      .refine((v) => isoDay(dayNumber(v)) === v, 'register.v.from')
      .refine((v) => dayNumber(v) <= today, 'register.v.fromFuture'),
    reason: z.string().trim().min(1, 'register.v.reason').max(500, 'register.v.reasonLong'),
  });
}
