/**
 * The evidence quota (issue 17: one student uploaded 40 × 5 MB in 21 s, all of it kept
 * in the embedded database's memory): per student and calendar month (Vietnam time), at
 * most EVIDENCE_QUOTA.files files and EVIDENCE_QUOTA.bytes bytes. A submission without a
 * file does not count. The student sees what is left on the submission page; an upload
 * beyond it is refused with 409 and the reason, storing nothing.
 *
 * Enforced in the upload's transaction: the month's counter document is read and raised
 * there, so two uploads at the limit both write it, the database's write conflict sends
 * one of them round again, and that one then sees the counter full.
 */
import { Types } from 'mongoose';
import { EvidenceQuota } from '../../../models/evidence-quota';
import { vietnamDay } from '~/domain/calendar';

export const EVIDENCE_QUOTA = {
  /** Files per student per calendar month. */
  files: 20,
  /** Bytes per student per calendar month (30 MB; each file is at most 5 MB). */
  bytes: 30 * 1024 * 1024,
} as const;

export interface QuotaLeft {
  /** `YYYY-MM`, Vietnam time. */
  month: string;
  files: number;
  bytes: number;
}

const monthOf = (now: Date) => vietnamDay(now).slice(0, 7);
const keyOf = (memberId: Types.ObjectId | string, month: string) => `${String(memberId)}:${month}`;

/** What the student may still upload this month. */
export async function evidenceQuotaLeft(memberId: string, now = new Date()): Promise<QuotaLeft> {
  const month = monthOf(now);
  const used = await EvidenceQuota.findById(keyOf(memberId, month)).lean();
  return {
    month,
    files: Math.max(0, EVIDENCE_QUOTA.files - (used?.files ?? 0)),
    bytes: Math.max(0, EVIDENCE_QUOTA.bytes - (used?.bytes ?? 0)),
  };
}

/**
 * Makes sure this month's counter exists, outside any transaction (an upsert of the same
 * new key by two transactions would be a duplicate key, not a conflict to retry).
 */
export async function prepareEvidenceQuota(memberId: Types.ObjectId | string, now = new Date()) {
  const month = monthOf(now);
  try {
    await EvidenceQuota.updateOne(
      { _id: keyOf(memberId, month) },
      { $setOnInsert: { memberId: new Types.ObjectId(String(memberId)), month, files: 0, bytes: 0 } },
      { upsert: true },
    );
  } catch (error) {
    // Created by a parallel request just now: what we wanted.
    if ((error as { code?: number }).code !== 11000) throw error;
  }
}

/**
 * Inside the upload's transaction: counts one file of `size` bytes against the month, or
 * returns what is left when it does not fit (nothing written then).
 */
export async function takeEvidenceQuota(
  memberId: Types.ObjectId,
  size: number,
  now = new Date(),
): Promise<{ ok: true } | { ok: false; left: QuotaLeft }> {
  const month = monthOf(now);
  const _id = keyOf(memberId, month);
  const used = await EvidenceQuota.findById(_id).lean();
  const files = used?.files ?? 0;
  const bytes = used?.bytes ?? 0;
  if (files + 1 > EVIDENCE_QUOTA.files || bytes + size > EVIDENCE_QUOTA.bytes) {
    return {
      ok: false,
      left: {
        month,
        files: Math.max(0, EVIDENCE_QUOTA.files - files),
        bytes: Math.max(0, EVIDENCE_QUOTA.bytes - bytes),
      },
    };
  }
  await EvidenceQuota.updateOne(
    { _id },
    {
      $inc: { files: 1, bytes: size },
      $setOnInsert: { memberId, month },
    },
    { upsert: true },
  );
  return { ok: true };
}
