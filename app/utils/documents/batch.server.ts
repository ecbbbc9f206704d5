/**
 * The batch a bulk step of the ready queue recorded (its `pipeline.bulk` audit event names
 * the step and the members written) and the one document that covers it: 4, 8 or 9-KNĐ.
 * The event is what the bulk step wrote, so the batch is exactly the records that got the
 * shared number, never a list the browser sends.
 */
import mongoose, { Types } from 'mongoose';
import { AuditEvent } from '../../../models/audit-event';
import { Member } from '../../../models/member';
import { FORM_TITLES, batchFormOf, type BatchForm } from '~/domain/documents';
import { isBulkStep } from '~/domain/pipeline/bulk-steps';
import { isObjectId } from '~/domain/ids';

export interface BulkBatch {
  id: string;
  form: BatchForm;
  memberIds: Types.ObjectId[];
}

/** The batch of bulk step `id`, if it has a document; null otherwise (unknown id, the ceremony). */
export async function bulkBatch(id: unknown): Promise<BulkBatch | null> {
  if (typeof id !== 'string' || !isObjectId(id)) return null;
  const event = await AuditEvent.findOne({
    action: 'pipeline.bulk',
    entity: 'PipelineBulk',
    entityId: new Types.ObjectId(id),
  })
    .select({ details: 1 })
    .lean<{ details?: { step?: unknown; members?: unknown } }>();
  const step = event?.details?.step;
  const members = event?.details?.members;
  if (!isBulkStep(step) || !Array.isArray(members) || members.length === 0) return null;
  const form = batchFormOf(step);
  if (!form) return null;
  return { id, form, memberIds: members.map((m) => new Types.ObjectId(String(m))) };
}

/** What the ready queue offers after a bulk step: the batch's form and size, if all in scope. */
export async function batchDownload(id: unknown, scope: Record<string, unknown>) {
  const batch = await bulkBatch(id);
  if (!batch) return null;
  const inScope = await Member.countDocuments({ ...scope, _id: mongoose.trusted({ $in: batch.memberIds }) });
  if (inScope !== batch.memberIds.length) return null;
  return { id: batch.id, form: batch.form, title: FORM_TITLES[batch.form], count: inScope };
}
