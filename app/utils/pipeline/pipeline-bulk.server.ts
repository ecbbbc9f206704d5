/**
 * Bulk work on the pipeline: the "ready for the next step" queue advanced with one
 * reference document, and "return for improvement" of several records with one reason.
 *
 * One bulk action is one transaction (docs/decisions/018-transactions.md): the selected
 * records are read and checked by the state machine (its rules, the actor's role and
 * separation of duties) inside it; if any is refused, nothing is written and each refused
 * record is listed with its reasons (the common input is validated once: field messages).
 * Then each record gets its own conditional write (`writeStep`: stage + version in the
 * filter, its event naming the bulk), the bulk's own `pipeline.bulk` event lists the
 * records written, and their next deadlines are refreshed: all of it commits together or
 * not at all. A record changed by someone else while the action ran is skipped and
 * counted, never overwritten. The queue itself is read by pipeline-ready.server.ts; the bulk
 * steps and their document fields are app/domain/pipeline/bulk-steps.ts.
 */
import { data, redirect } from '@remix-run/node';
import mongoose, { Types } from 'mongoose';
import { z } from 'zod';
import { Member } from '../../../models/member';
import { vietnamDay } from '~/domain/calendar';
import type { Text } from '~/domain/criteria/types';
import { checkTransition, type PipelineMember, type Reason, type TransitionId } from '~/domain/pipeline';
import { BULK_FIELDS, bulkStepsFor, isBulkStep, stepFrom } from '~/domain/pipeline/bulk-steps';
import { isStage } from '~/domain/stages';
import { appendAudit } from '../audit/audit.server';
import type { AuthUser } from '../auth/auth.server';
import { brokeMembersParam } from '../members/broke-members.server';
import type { VerdictMember } from '../criteria/criteria.server';
import { scopeFilter } from '../auth/permissions.server';
import { PROJECTION, type Candidate } from './pipeline-ready.server';
import { writeStep } from './pipeline-step.server';
import { loadCalendar } from './working-calendar.server';
import { inTransaction } from '../transaction.server';
import { SELECTION_FIELDS_BESIDE_PIPELINE, selectionVerdictFor } from './selection.server';
import { OBJECT_ID_PATTERN } from '~/domain/ids';
import { forbidden } from '../responses.server';

export const MAX_BULK = 200;

const oid = (id: string) => new Types.ObjectId(id);

/** The bulk form has no override field: a selection outside the criteria is the candidate page's. */
function bulkMessage(r: Reason): Text {
  if (r.code !== 'selection_override_required') return r.message;
  return message(
    'Chưa đạt tiêu chí (hoặc thiếu dữ liệu để xét): không chọn theo danh sách được; nếu vẫn chọn, hãy chọn trên trang hồ sơ của đoàn viên và ghi lý do chọn ngoài tiêu chí.',
    'Outside the criteria (or data missing to judge them): cannot be selected in bulk; to select anyway, use the member’s page and write the reason for selecting outside the criteria.',
  );
}

export interface RefusedRow {
  id: string;
  fullName: string;
  reasons: Text[];
}

export interface BulkFailure {
  intent: string;
  fieldErrors?: Record<string, Text>;
  refused?: RefusedRow[];
  values: Record<string, string>;
}

const IdsSchema = z.array(z.string().regex(OBJECT_ID_PATTERN)).min(1).max(MAX_BULK);

function bulkFailure(body: BulkFailure) {
  return data<BulkFailure>(body, { status: 400 });
}

const message = (vi: string, en: string): Text => ({ vi, en });

function idsOf(form: FormData): string[] | Text {
  const ids = [...new Set(form.getAll('ids').filter((v): v is string => typeof v === 'string'))];
  if (ids.length === 0) return message('Chưa chọn hồ sơ nào.', 'No record selected.');
  if (!IdsSchema.safeParse(ids).success) {
    return ids.length > MAX_BULK
      ? message(`Mỗi lần chỉ xử lý tối đa ${MAX_BULK} hồ sơ.`, `At most ${MAX_BULK} records at a time.`)
      : message('Danh sách hồ sơ không hợp lệ.', 'Invalid selection.');
  }
  return ids;
}

type CheckOutcome =
  | { kind: 'failure'; body: BulkFailure }
  | {
      kind: 'done';
      written: Types.ObjectId[];
      conflicts: number;
      broke: Types.ObjectId[];
      bulkId: Types.ObjectId;
    };

/**
 * Reads and checks every selected record, then writes them (each step with its next
 * deadline, see `writeStep`), in one transaction. Returns
 * a 400 response (nothing written) or the ids written and the number skipped as changed
 * meanwhile.
 *
 * "Changed meanwhile" under a transaction: the first attempt reads every record; a record
 * someone else writes before this transaction commits makes the write a conflict, and the
 * driver runs the whole transaction again. That retry finds the record at another version
 * (or no longer at the step) than the first read: it is skipped and counted, as a single
 * step answers 409, rather than re-decided on a state the user never saw.
 */
async function checkAndWrite(
  user: AuthUser,
  intent: string,
  transitionId: TransitionId,
  ids: string[],
  input: Record<string, unknown>,
  values: Record<string, string>,
  extraFilter: Record<string, unknown>,
  now: Date,
): Promise<
  | ReturnType<typeof bulkFailure>
  | { written: Types.ObjectId[]; conflicts: number; broke: Types.ObjectId[]; bulkId: Types.ObjectId }
> {
  // Outside the transaction: the cached calendar must not be read with its session.
  const calendar = await loadCalendar();
  let firstRead: Map<string, number> | null = null;
  const outcome = await inTransaction(async (): Promise<CheckOutcome> => {
    const found = await Member.find({
      ...scopeFilter(user),
      _id: mongoose.trusted({ $in: ids.map(oid) }),
      ...extraFilter,
    })
      // One order for every bulk: two of them over the same records meet on the first one.
      .sort({ _id: 1 })
      // Selection judges the criteria on the record as read here (selection.server.ts).
      .select(
        transitionId === 'select_outstanding'
          ? { ...PROJECTION, ...SELECTION_FIELDS_BESIDE_PIPELINE }
          : PROJECTION,
      )
      .lean<Candidate[]>();
    const seen = firstRead;
    firstRead ??= new Map(found.map((m) => [String(m._id), m.__v ?? 0]));
    const members = seen ? found.filter((m) => seen.get(String(m._id)) === (m.__v ?? 0)) : found;
    // Skipped: read by the first attempt, changed (or gone from the step) since.
    const changed = seen ? seen.size - members.length : 0;
    // A record outside the scope, or that moved on since the page was drawn, is not found here.
    const missing = seen ? 0 : ids.length - found.length;
    const checked: { m: Candidate; result: ReturnType<typeof checkTransition> }[] = [];
    for (const m of members) {
      // The bulk form has no override reason: a member outside the criteria is refused here
      // and can be selected, with a written reason, from the candidate page only.
      const selection =
        transitionId === 'select_outstanding'
          ? await selectionVerdictFor(m as unknown as VerdictMember, now)
          : undefined;
      const result = checkTransition(
        m as unknown as PipelineMember,
        transitionId,
        input,
        { id: user.id, role: user.role },
        now,
        { calendar, selection },
      );
      checked.push({ m, result });
    }
    // Input problems are the same for every record: show them once, beside their fields.
    const fieldErrors: Record<string, Text> = {};
    for (const { result } of checked.slice(0, 1)) {
      if (result.ok) continue;
      for (const r of result.reasons) {
        if (r.code === 'invalid_input' && r.field && !fieldErrors[r.field]) fieldErrors[r.field] = r.message;
      }
    }
    if (Object.keys(fieldErrors).length) return { kind: 'failure', body: { intent, fieldErrors, values } };
    const refused: RefusedRow[] = checked
      .filter((c) => !c.result.ok)
      .map((c) => ({
        id: String(c.m._id),
        fullName: c.m.fullName,
        reasons: c.result.ok ? [] : c.result.reasons.map(bulkMessage),
      }));
    if (missing > 0) {
      refused.push({
        id: '',
        fullName: '',
        reasons: [
          message(
            `${missing} hồ sơ không còn ở bước này hoặc không thuộc phạm vi của bạn.`,
            `${missing} records are no longer at this step or are outside your scope.`,
          ),
        ],
      });
    }
    if (refused.length) return { kind: 'failure', body: { intent, refused, values } };

    const bulkId = new Types.ObjectId();
    const written: Candidate[] = [];
    // The records whose step broke an earlier recorded step of theirs (a rule conflict added).
    const broke: Types.ObjectId[] = [];
    let conflicts = changed;
    let history: { refNo?: string; refDate?: Date } = {};
    for (const { m, result } of checked) {
      if (!result.ok) continue;
      // Null only when the record no longer matches its read (nothing of it was written).
      const member = m as unknown as PipelineMember & Candidate;
      const added = await writeStep(user, member, transitionId, result.update, m.__v ?? 0, {
        calendar,
        now,
        bulkId,
      });
      if (added) {
        written.push(m);
        if (added.length) broke.push(m._id);
        history = result.update.history;
      } else conflicts++;
    }
    const writtenIds = written.map((m) => m._id);
    if (written.length) {
      // The school the bulk document belongs to; a province-wide return may span several,
      // and is then filed under the acting user's own unit.
      const schools = new Set(written.map((m) => String(m.schoolId)));
      await appendAudit({
        actorId: user.id,
        action: 'pipeline.bulk',
        entity: 'PipelineBulk',
        entityId: bulkId,
        unitId: schools.size === 1 ? written[0].schoolId : oid(user.unitId),
        details: {
          step: transitionId,
          members: writtenIds,
          skipped: conflicts,
          ...(history.refNo ? { refNo: history.refNo } : {}),
          ...(history.refDate ? { refDate: vietnamDay(history.refDate) } : {}),
        },
      });
    }
    return { kind: 'done', written: writtenIds, conflicts, broke, bulkId };
  });
  if (outcome.kind === 'failure') return bulkFailure(outcome.body);
  return {
    written: outcome.written,
    conflicts: outcome.conflicts,
    broke: outcome.broke,
    bulkId: outcome.bulkId,
  };
}

function formValues(form: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [k, v] of form.entries()) if (typeof v === 'string' && k !== 'ids') values[k] = v;
  return values;
}

/** `/pipeline/ready` action: one bulk step for the selected ready candidates. */
export async function bulkAdvance(user: AuthUser, form: FormData, now = new Date()) {
  const step = form.get('step');
  if (!isBulkStep(step) || !bulkStepsFor(user).includes(step)) throw forbidden();
  const values = formValues(form);
  const ids = idsOf(form);
  if (!Array.isArray(ids)) return bulkFailure({ intent: 'advance', fieldErrors: { ids }, values });
  const input: Record<string, unknown> = {};
  for (const f of BULK_FIELDS[step]) input[f.name] = values[f.name] ?? '';
  const outcome = await checkAndWrite(
    user,
    'advance',
    step,
    ids,
    input,
    values,
    { 'pipeline.stage': stepFrom(step) },
    now,
  );
  if (!('written' in outcome)) return outcome;
  const params = new URLSearchParams({ step, done: String(outcome.written.length) });
  if (values.school) params.set('school', values.school);
  if (outcome.conflicts) params.set('conflicts', String(outcome.conflicts));
  // The batch just recorded, for "download the documents of this batch" (one file).
  if (outcome.written.length) params.set('batch', String(outcome.bulkId));
  // The page names the records whose step broke an earlier one (broke-members.server.ts).
  throw redirect(`/pipeline/ready?${params}${brokeMembersParam(outcome.broke)}`);
}

/** `/pipeline?stage=…` action: return the selected records for improvement with one reason. */
export async function bulkReturn(user: AuthUser, form: FormData, back: URLSearchParams, now = new Date()) {
  const values = formValues(form);
  const ids = idsOf(form);
  if (!Array.isArray(ids)) return bulkFailure({ intent: 'return', fieldErrors: { ids }, values });
  const stage = back.get('stage');
  const extra = stage && isStage(stage) ? { 'pipeline.stage': stage } : {};
  const outcome = await checkAndWrite(
    user,
    'return',
    'return_for_improvement',
    ids,
    { reason: values.reason ?? '' },
    values,
    extra,
    now,
  );
  if (!('written' in outcome)) return outcome;
  const params = new URLSearchParams(back);
  params.delete('page');
  params.set('returned', String(outcome.written.length));
  if (outcome.conflicts) params.set('conflicts', String(outcome.conflicts));
  throw redirect(`/pipeline?${params}`);
}
