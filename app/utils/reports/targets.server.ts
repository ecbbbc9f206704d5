/**
 * Yearly admissions targets (issue "Province review", item 3): the province sets, per
 * school and calendar year, how many members it expects to be admitted; the dashboard
 * and the school home show progress against it.
 *
 * "Admitted this year" = members under the unit whose `pipeline.decision.date` (the
 * admission decision) falls in the calendar year: the same definition as the dashboard
 * and its drill-down (`?admitted=YEAR` on the member table), so the figures agree.
 *
 * Saving is all or nothing: one zod check of every row before any write, then every
 * changed row and its audit event in one transaction. It is optimistic per row: the form
 * carries the value each row showed (`orig-<id>`); a row someone else changed meanwhile
 * is a 409 for that field (and nothing is saved) instead of a silent overwrite.
 */
import { data, redirect } from '@remix-run/node';
import mongoose, { Types } from 'mongoose';
import { z } from 'zod';
import { Member } from '../../../models/member';
import { Target } from '../../../models/target';
import { Unit } from '../../../models/unit';
import { vietnamYear } from '~/domain/calendar';
import type { MessageKey } from '~/i18n';
import { appendAuditMany, type AuditInput } from '../audit/audit.server';
import type { AuthUser } from '../auth/auth.server';
import { invalidateDashboards } from './reports.server';
import { unitScopeFilter } from '../auth/permissions.server';
import { inTransaction } from '../transaction.server';
import { fieldErrorsOf, type FieldErrors } from '../forms/conform';
import { invariantResponse } from '../responses.server';

export const TARGET_MAX = 10_000;
/** Years offered around the current one. */
export const TARGET_YEAR_SPAN = 2;

export interface TargetProgressRow {
  /** null: no target set for that year. */
  target: number | null;
  admitted: number;
}

export interface TargetRow extends TargetProgressRow {
  id: string;
  name: string;
  code: string;
}

export type TargetsActionData = {
  fieldErrors: FieldErrors;
  values: Record<string, string>;
  formError: MessageKey | null;
};

/**
 * [start, end) of a calendar year for day fields. Decision dates are calendar days in
 * Vietnam stored as UTC midnight (`dayToDate`), so the year's days run from 1 January
 * 00:00Z, as in the member table's `admitted` filter.
 */
export function yearRange(year: number): { start: Date; end: Date } {
  return { start: new Date(Date.UTC(year, 0, 1)), end: new Date(Date.UTC(year + 1, 0, 1)) };
}

export function targetYears(now = new Date()): number[] {
  const current = vietnamYear(now);
  return Array.from({ length: TARGET_YEAR_SPAN * 2 + 1 }, (_, i) => current - TARGET_YEAR_SPAN + i);
}

/** `?year=` when it is one of the offered years, else the current year. */
export function parseTargetYear(value: string | null, now = new Date()): number {
  const years = targetYears(now);
  const parsed = z.coerce
    .number()
    .int()
    .safeParse(value ?? '');
  return parsed.success && years.includes(parsed.data) ? parsed.data : vietnamYear(now);
}

const oids = (ids: readonly (string | Types.ObjectId)[]) => ids.map((id) => new Types.ObjectId(String(id)));

/**
 * Progress of each unit (a school, or the province: members carry every unit above
 * them in `ancestors`): one aggregation for the admissions, one query for the targets.
 * Keyed by unit id (hex); every requested id has an entry. The whole calendar year counts
 * (a decision is recorded once it exists, so "so far" and "in the year" agree); the
 * clock argument is accepted for callers that pin `now` and changes nothing.
 */
export async function targetProgress(
  unitIds: readonly (string | Types.ObjectId)[],
  year: number,
  _now?: Date,
): Promise<Record<string, TargetProgressRow>> {
  const ids = oids(unitIds);
  const out: Record<string, TargetProgressRow> = {};
  for (const id of ids) out[String(id)] = { target: null, admitted: 0 };
  if (!ids.length) return out;
  const { start, end } = yearRange(year);
  const [admitted, targets] = await Promise.all([
    Member.aggregate<{ _id: Types.ObjectId; admitted: number }>([
      {
        $match: {
          ancestors: { $in: ids },
          'pipeline.decision.date': { $gte: start, $lt: end },
        },
      },
      { $project: { _id: 0, ancestors: 1 } },
      { $unwind: '$ancestors' },
      { $match: { ancestors: { $in: ids } } },
      { $group: { _id: '$ancestors', admitted: { $sum: 1 } } },
    ]),
    Target.find({ unitId: mongoose.trusted({ $in: ids }), year })
      .select({ unitId: 1, admissions: 1 })
      .lean(),
  ]);
  for (const row of admitted) {
    const entry = out[String(row._id)];
    if (entry) entry.admitted = row.admitted;
  }
  for (const t of targets) {
    const entry = out[String(t.unitId)];
    if (entry) entry.target = t.admissions;
  }
  return out;
}

/** Active schools in the user's scope, by Vietnamese name order. */
async function scopedSchools(user: AuthUser) {
  const schools = await Unit.find({ kind: 'school', active: true, ...unitScopeFilter(user) })
    .select({ name: 1, code: 1 })
    .lean();
  return schools.sort((a, b) => a.name.localeCompare(b.name, 'vi'));
}

export async function loadTargets(user: AuthUser, year: number, now = new Date()): Promise<TargetRow[]> {
  const schools = await scopedSchools(user);
  const progress = await targetProgress(
    schools.map((s) => s._id),
    year,
    now,
  );
  return schools.map((s) => ({
    id: String(s._id),
    name: s.name,
    code: s.code,
    ...progress[String(s._id)],
  }));
}

// ---------------------------------------------------------------------------
// Saving

/** One row of the form: empty = no target, else a whole number 0–10,000. */
export const TargetValueSchema = z
  .string()
  .trim()
  .refine((s) => s === '' || (/^\d{1,6}$/.test(s) && Number(s) <= TARGET_MAX), {
    message: 'targets.v.range' satisfies MessageKey,
  })
  .transform((s) => (s === '' ? null : Number(s)));

export const targetField = (id: string) => `target-${id}`;
export const originalField = (id: string) => `orig-${id}`;

/**
 * For a duplicate key on the `{ unitId, year }` index: the unit's id ('' when the server
 * did not say); null for any other error.
 */
function duplicateUnitId(error: unknown): string | null {
  const e = error as {
    code?: unknown;
    keyPattern?: Record<string, unknown>;
    keyValue?: { unitId?: unknown };
  };
  if (typeof error !== 'object' || error === null || e.code !== 11000 || !('unitId' in (e.keyPattern ?? {})))
    return null;
  return e.keyValue?.unitId ? String(e.keyValue.unitId) : '';
}

function invalid(
  fieldErrors: FieldErrors,
  values: Record<string, string>,
  status = 400,
  formError?: MessageKey,
) {
  return data({ fieldErrors, values, formError: formError ?? null } satisfies TargetsActionData, { status });
}

/**
 * Saves every changed row of the targets form for `year`. Rows are the active
 * schools in the user's scope; fields for any other id are ignored. Bad input: 400
 * with a message per field and nothing written. Success: a redirect with a toast.
 */
export async function saveTargets(user: AuthUser, year: number, form: FormData) {
  invariantResponse(targetYears().includes(year), 'Bad year');
  const schools = await scopedSchools(user);
  const values: Record<string, string> = {};
  for (const s of schools) {
    const raw = form.get(targetField(String(s._id)));
    if (typeof raw === 'string') values[targetField(String(s._id))] = raw;
  }
  const schema = z.object(Object.fromEntries(Object.keys(values).map((k) => [k, TargetValueSchema])));
  const parsed = schema.safeParse(values);
  if (!parsed.success) return invalid(fieldErrorsOf(parsed.error), values);
  const wanted = parsed.data as Record<string, number | null>;

  // Read, check and write in one transaction, with every row's event: all rows are saved
  // with their events or none is (decision 018). A save racing with this one on the same
  // row is a write conflict; the retry reads the other's value and answers 409 for it.
  let outcome: { kind: 'saved' | 'unchanged' } | { kind: 'conflict'; fieldErrors: FieldErrors };
  try {
    outcome = await inTransaction(async () => {
      const current = await Target.find({
        unitId: mongoose.trusted({ $in: schools.map((s) => s._id) }),
        year,
      })
        .select({ unitId: 1, admissions: 1 })
        .lean();
      const currentOf = new Map(current.map((t) => [String(t.unitId), t]));

      const changes: {
        school: (typeof schools)[number];
        before: (typeof current)[number] | null;
        after: number | null;
      }[] = [];
      const conflicts: FieldErrors = {};
      for (const school of schools) {
        const id = String(school._id);
        const field = targetField(id);
        if (!(field in wanted)) continue;
        const before = currentOf.get(id) ?? null;
        const after = wanted[field];
        if ((before?.admissions ?? null) === after) continue;
        // The value the page showed when it was opened; another user may have saved since.
        const shown = form.get(originalField(id));
        if (typeof shown === 'string' && shown.trim() !== String(before?.admissions ?? '')) {
          conflicts[field] = ['targets.v.conflict'];
          continue;
        }
        changes.push({ school, before, after });
      }
      if (Object.keys(conflicts).length) return { kind: 'conflict', fieldErrors: conflicts } as const;
      if (!changes.length) return { kind: 'unchanged' } as const;

      const events: AuditInput[] = [];
      for (const { school, before, after } of changes) {
        const entityId = before?._id ?? new Types.ObjectId();
        if (after === null) await Target.deleteOne({ _id: entityId });
        else if (before)
          await Target.updateOne({ _id: entityId }, { $set: { admissions: after }, $inc: { __v: 1 } });
        else await Target.create({ _id: entityId, unitId: school._id, year, admissions: after });
        events.push({
          actorId: user.id,
          action: 'target.set',
          entity: 'Target',
          entityId,
          unitId: school._id,
          details: {
            year,
            school: school.name,
            before: { admissions: before?.admissions ?? null },
            after: { admissions: after },
          },
        });
      }
      await appendAuditMany(events);
      return { kind: 'saved' } as const;
    });
  } catch (error) {
    // A row created by another save after this one read (the unique { unitId, year } index).
    const taken = duplicateUnitId(error);
    if (taken === null) throw error;
    return invalid(
      taken ? { [targetField(taken)]: ['targets.v.conflict'] } : {},
      values,
      409,
      'targets.conflict',
    );
  }
  if (outcome.kind === 'conflict') return invalid(outcome.fieldErrors, values, 409, 'targets.conflict');
  if (outcome.kind === 'unchanged') throw redirect(`/reports/targets?year=${year}&ok=targetsUnchanged`);
  // The dashboard shows targets beside its counts: it counts again on the next request.
  invalidateDashboards();
  throw redirect(`/reports/targets?year=${year}&ok=targetsSaved`);
}
