/**
 * The official days off and make-up working days (/admin/holidays): list by year,
 * add (either kind), rename, delete.
 * Every change is written with its audit event in one transaction; a change of dates
 * then clears the working-day calendar cache and recomputes every stored pipeline
 * deadline, which counts working days (derived data, recomputed after the commit).
 */
import type { Submission } from '@conform-to/react';
import { data, redirect } from '@remix-run/node';
import { Types } from 'mongoose';
import { z } from 'zod';
import { Holiday } from '../../../models/holiday';
import { vietnamDay } from '~/domain/calendar';
import { HOLIDAY_BASE_YEARS, HolidayRenameSchema, HolidaySchema, holidayKindOf } from '~/domain/holidays';
import type { MessageKey } from '~/i18n';
import { appendAudit } from '../audit/audit.server';
import type { AuthUser } from '../auth/auth.server';
import { refreshAllPipelineDue } from '../pipeline/pipeline-due.server';
import { clearCalendarCache } from '../pipeline/working-calendar.server';
import { inTransaction } from '../transaction.server';
import { errorsOf, parseForm, type FieldErrors, type FormResult } from '../forms/conform';
import { isObjectId } from '~/domain/ids';
import { notFound, unknownIntent } from '../responses.server';

const YearSchema = z.coerce.number().int().min(2000).max(2100);

export async function holidayYears(): Promise<number[]> {
  const stored = (await Holiday.distinct('year')) as number[];
  return [...new Set([...HOLIDAY_BASE_YEARS, ...stored])].sort((a, b) => a - b);
}

/** The year in the URL, else the current year in Vietnam (within the offered range). */
export function parseYear(url: URL, years: number[]): number {
  const parsed = YearSchema.safeParse(url.searchParams.get('year'));
  if (parsed.success) return parsed.data;
  const now = Number(
    new Intl.DateTimeFormat('en-CA', { year: 'numeric', timeZone: 'Asia/Ho_Chi_Minh' }).format(),
  );
  return years.includes(now) ? now : years[years.length - 1];
}

export async function listHolidays(year: number) {
  const rows = await Holiday.find({ year }).select({ date: 1, name: 1, kind: 1 }).sort({ date: 1 }).lean();
  return rows.map((h) => ({
    id: String(h._id),
    date: vietnamDay(h.date),
    name: h.name,
    kind: holidayKindOf(h.kind),
  }));
}

/**
 * A refused add or rename: conform's reply (the form's `lastResult`; a taken date beside
 * the date) and, for readers without conform, the same messages by field and what was typed.
 */
export type HolidayActionData = {
  intent: 'add' | 'rename';
  id: string | null;
  result: FormResult;
  fieldErrors: FieldErrors;
  values: Record<string, string>;
  formError: MessageKey | null;
};

function invalid(
  intent: HolidayActionData['intent'],
  id: string | null,
  submission: Submission<unknown, MessageKey[]>,
  fieldErrors?: Record<string, MessageKey[]>,
  status = 400,
) {
  const result: FormResult = submission.reply(fieldErrors ? { fieldErrors } : undefined);
  const values = Object.fromEntries(
    Object.entries(submission.payload).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
  return data(
    {
      intent,
      id,
      result,
      fieldErrors: errorsOf(result),
      values,
      formError: null,
    } satisfies HolidayActionData,
    { status },
  );
}

/** A duplicate key on the unique `date` index (not any other write of the action). */
const isDateTaken = (error: unknown) =>
  typeof error === 'object' &&
  error !== null &&
  (error as { code?: unknown }).code === 11000 &&
  'date' in ((error as { keyPattern?: Record<string, unknown> }).keyPattern ?? {});

/** The working-day calendar changed: deadlines computed from it are stale. */
async function calendarChanged() {
  clearCalendarCache();
  await refreshAllPipelineDue();
}

const utcDay = (day: string) => new Date(`${day}T00:00:00Z`);

async function addHoliday(user: AuthUser, formData: FormData) {
  const submission = parseForm(formData, HolidaySchema);
  if (submission.status !== 'success') return invalid('add', null, submission);
  const { date, name, kind } = submission.value;
  const day = utcDay(date);
  if (await Holiday.exists({ date: day }))
    return invalid('add', null, submission, { date: ['holidays.v.dateTaken'] }, 409);
  try {
    // The day and its event commit together or not at all (decision 018).
    await inTransaction(async () => {
      const created = await Holiday.create({ date: day, name, kind, year: day.getUTCFullYear() });
      await appendAudit({
        actorId: user.id,
        action: 'holiday.create',
        entity: 'Holiday',
        entityId: created._id,
        details: { after: { date, name, kind } },
      });
    });
  } catch (error) {
    // Two admins adding the same day at once: the unique index answers for the second.
    if (isDateTaken(error)) return invalid('add', null, submission, { date: ['holidays.v.dateTaken'] }, 409);
    throw error;
  }
  // Deadlines are derived from the calendar: recomputed once the change is committed.
  await calendarChanged();
  throw redirect(`/admin/holidays?year=${day.getUTCFullYear()}&ok=holidayAdded`);
}

async function renameHoliday(user: AuthUser, id: string, formData: FormData) {
  const submission = parseForm(formData, HolidayRenameSchema);
  if (submission.status !== 'success') return invalid('rename', id, submission);
  const { name } = submission.value;
  const before = await inTransaction(async () => {
    const found = await Holiday.findOneAndUpdate(
      { _id: new Types.ObjectId(id) },
      { $set: { name } },
      { returnDocument: 'before' },
    ).lean();
    if (found && found.name !== name) {
      await appendAudit({
        actorId: user.id,
        action: 'holiday.rename',
        entity: 'Holiday',
        entityId: found._id,
        details: {
          date: vietnamDay(found.date),
          before: { name: found.name },
          after: { name },
        },
      });
    }
    return found;
  });
  if (!before) throw notFound();
  // A name is not part of the calendar: no deadline moves.
  throw redirect(`/admin/holidays?year=${before.year}&ok=holidaySaved`);
}

async function deleteHoliday(user: AuthUser, id: string) {
  const removed = await inTransaction(async () => {
    const found = await Holiday.findOneAndDelete({ _id: new Types.ObjectId(id) }).lean();
    if (found) {
      await appendAudit({
        actorId: user.id,
        action: 'holiday.delete',
        entity: 'Holiday',
        entityId: found._id,
        details: {
          before: {
            date: vietnamDay(found.date),
            name: found.name,
            kind: holidayKindOf(found.kind),
          },
        },
      });
    }
    return found;
  });
  if (!removed) throw notFound();
  await calendarChanged();
  throw redirect(`/admin/holidays?year=${removed.year}&ok=holidayDeleted`);
}

/** The page's action: `intent` add | rename | delete; anything else is a 400. */
export async function holidayAction(user: AuthUser, formData: FormData) {
  const intent = formData.get('intent');
  const id = formData.get('id');
  if (intent === 'add') return addHoliday(user, formData);
  if (intent !== 'rename' && intent !== 'delete') throw unknownIntent();
  if (typeof id !== 'string' || !isObjectId(id)) throw notFound();
  return intent === 'rename' ? renameHoliday(user, id, formData) : deleteHoliday(user, id);
}
