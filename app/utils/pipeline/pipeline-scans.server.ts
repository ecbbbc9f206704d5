import { createHash } from 'node:crypto';
/**
 * Signed scans on the Quy trình tab (issue 20, part 2): the school attaches a PDF or JPEG
 * of a paper form to the recorded step it belongs to, anyone who reads the record in scope
 * downloads it, the school removes it. The rules are app/domain/pipeline/scans.ts.
 *
 * The summary goes into `pipeline.scans` (so the dossier counts it, dossier.ts), the bytes
 * into ScanFile under the same id, as evidence files do (student/submissions.server.ts);
 * the member's `__v` moves, so a form open elsewhere sees the record changed. Each attach
 * or removal is one transaction: the summary, the file, the audit event and the conflicts
 * a dossier date can change (pipeline-conflicts.server.ts).
 */
import { data } from '@remix-run/node';
import { Types } from 'mongoose';
import { Member } from '../../../models/member';
import { ScanFile } from '../../../models/scan-file';
import {
  canEditDossier,
  isScanForm,
  scanAllowed,
  SCAN_FORM_STEP,
  SCAN_MAX_BYTES,
  sniffScanType,
  type PipelineRecord,
} from '~/domain/pipeline';
import { isObjectId } from '~/domain/ids';
import type { MessageKey } from '~/i18n';
import type { AuthUser } from '../auth/auth.server';
import { scopeFilter } from '../auth/permissions.server';
import { auditMember, memberFilter } from '../members/member-access.server';
import { forbidden, notFound } from '../responses.server';
import { inTransaction } from '../transaction.server';
import { attachmentDisposition } from '../student/submissions.server';
import { noteMemberWrite } from '../criteria/eligibility.server';
import { refreshConflicts } from './pipeline-conflicts.server';
import { loadMember } from './pipeline-member.server';

export { SCAN_MAX_BYTES };

/** A refused attach or removal: one message per field (`form`: the form code or the whole post). */
export interface ScanFailure {
  intent: 'scan_attach' | 'scan_remove';
  errors: Partial<Record<'form' | 'file', MessageKey>>;
}
export interface ScanDone {
  intent: 'scan_attach' | 'scan_remove';
  done: true;
}

const refuse = (intent: ScanFailure['intent'], errors: ScanFailure['errors'], status = 400) =>
  data<ScanFailure>({ intent, errors }, { status });

export interface StoredScan {
  _id: Types.ObjectId;
  form: string;
  name: string;
  type: string;
  size: number;
  sha256: string;
  by?: Types.ObjectId | null;
  at: Date;
}

/** The scans on file, oldest first, as the tab lists them (`by`: the uploader's name). */
export function scanViews(memberId: Types.ObjectId, stored: StoredScan[], nameOf: Map<string, string>) {
  return stored.map((s) => ({
    id: String(s._id),
    form: s.form,
    name: s.name,
    type: s.type,
    size: s.size,
    at: s.at.toISOString(),
    by: s.by ? (nameOf.get(String(s.by)) ?? null) : null,
    href: `/members/${memberId}/scans?scan=${s._id}`,
  }));
}
export type ScanView = ReturnType<typeof scanViews>[number];

/**
 * Checks the posted file: present, at most SCAN_MAX_BYTES, a PDF or JPEG by its content.
 * The caller has already bounded the body, so `file.size` is the real size.
 */
async function readScan(file: FormDataEntryValue | null) {
  if (!(file instanceof File) || file.size === 0) return { error: 'pipeline.scans.v.file' as const };
  if (file.size > SCAN_MAX_BYTES) return { error: 'pipeline.scans.v.tooBig' as const };
  const bytes = Buffer.from(await file.arrayBuffer());
  const type = sniffScanType(bytes);
  if (!type) return { error: 'pipeline.scans.v.type' as const };
  // The name is the uploader's, shown and sent back as the download's: trimmed, never a path.
  const name = (file.name.split(/[\\/]/).pop() ?? '').trim().slice(0, 200) || 'ban-quet';
  return { bytes, type, name, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/**
 * Attaches a scan to the form `form` of a member in scope: the school's (canEditDossier), a
 * recorded step's form only. 400 with the message beside its field, nothing written; 404
 * outside the scope; 403 for other roles.
 */
export async function attachScan(user: AuthUser, memberId: Types.ObjectId, form: FormData, now = new Date()) {
  if (!canEditDossier(user)) throw forbidden();
  const m = await loadMember(user, memberId);
  const formCode = form.get('form');
  if (!isScanForm(formCode)) return refuse('scan_attach', { form: 'pipeline.scans.v.form' });
  if (!scanAllowed(m.pipeline as unknown as PipelineRecord, formCode))
    return refuse('scan_attach', { form: 'pipeline.scans.v.notRecorded' });
  const scan = await readScan(form.get('file'));
  if ('error' in scan) return refuse('scan_attach', { file: scan.error });

  const scanId = new Types.ObjectId();
  const written = await inTransaction(async () => {
    // The step is read again in the filter: a record sent back since the page was read still
    // has it in its history, one that never had it matches nothing.
    const updated = await Member.findOneAndUpdate(
      { ...memberFilter(user, memberId), 'pipeline.history.stage': SCAN_FORM_STEP[formCode] },
      {
        $push: {
          'pipeline.scans': {
            _id: scanId,
            form: formCode,
            name: scan.name,
            type: scan.type,
            size: scan.bytes.length,
            sha256: scan.sha256,
            by: new Types.ObjectId(user.id),
            at: now,
          },
        },
        $inc: { __v: 1 },
      },
      { returnDocument: 'after', projection: { __v: 1, ancestors: 1, schoolId: 1 }, runValidators: true },
    ).lean<{ _id: Types.ObjectId; __v?: number; ancestors?: Types.ObjectId[]; schoolId?: Types.ObjectId }>();
    if (!updated) return false;
    await ScanFile.create([
      {
        _id: scanId,
        memberId,
        ancestors: updated.ancestors ?? [],
        name: scan.name,
        type: scan.type,
        size: scan.bytes.length,
        data: scan.bytes,
        createdAt: now,
      },
    ]);
    await auditMember(user, 'pipeline.scan.attach', updated, {
      scanId: String(scanId),
      form: formCode,
      name: scan.name,
      type: scan.type,
      size: scan.bytes.length,
      sha256: scan.sha256,
      version: updated.__v ?? 0,
    });
    // A scanned form may now count as received (dossier.ts), which a recorded step relied on.
    await refreshConflicts(memberId, user.id, now);
    return true;
  });
  if (!written) return refuse('scan_attach', { form: 'pipeline.scans.v.notRecorded' }, 409);
  noteMemberWrite();
  return data<ScanDone>({ intent: 'scan_attach', done: true });
}

/** Removes one scan (its summary and its bytes), audited with what it was; 404 if not on file. */
export async function removeScan(user: AuthUser, memberId: Types.ObjectId, form: FormData, now = new Date()) {
  if (!canEditDossier(user)) throw forbidden();
  const m = await loadMember(user, memberId);
  const id = form.get('scanId');
  if (typeof id !== 'string' || !isObjectId(id)) throw notFound();
  const scanId = new Types.ObjectId(id);
  const stored = ((m.pipeline?.scans as StoredScan[] | undefined) ?? []).find((s) => s._id.equals(scanId));
  if (!stored) throw notFound();
  const removed = await inTransaction(async () => {
    const updated = await Member.findOneAndUpdate(
      { ...memberFilter(user, memberId), 'pipeline.scans._id': scanId },
      { $pull: { 'pipeline.scans': { _id: scanId } }, $inc: { __v: 1 } },
      { returnDocument: 'after', projection: { __v: 1, schoolId: 1 } },
    ).lean<{ _id: Types.ObjectId; __v?: number; schoolId?: Types.ObjectId }>();
    if (!updated) return false;
    await ScanFile.deleteOne({ _id: scanId, memberId });
    await auditMember(user, 'pipeline.scan.remove', updated, {
      scanId: id,
      form: stored.form,
      name: stored.name,
      sha256: stored.sha256,
      version: updated.__v ?? 0,
    });
    await refreshConflicts(memberId, user.id, now);
    return true;
  });
  if (!removed) throw notFound();
  noteMemberWrite();
  return data<ScanDone>({ intent: 'scan_remove', done: true });
}

/**
 * One scan's bytes, for whoever reads the member in scope; the scope is in the file's own
 * query (its `ancestors` are the member's), so another school's scan is a 404 like a missing one.
 */
export async function scanDownload(user: AuthUser, memberId: Types.ObjectId, scanId: string | null) {
  if (user.role === 'student') throw forbidden();
  if (!isObjectId(scanId)) throw notFound();
  const f = await ScanFile.findOne({
    _id: new Types.ObjectId(scanId),
    memberId,
    ...scopeFilter(user),
  }).lean();
  if (!f) throw notFound();
  const raw = f.data as unknown as Buffer | { buffer: ArrayBuffer };
  const body = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer);
  return new Response(new Uint8Array(body), {
    headers: {
      'Content-Type': f.type,
      'Content-Length': String(body.length),
      'Content-Disposition': attachmentDisposition(f.name),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'private, no-store',
    },
  });
}
