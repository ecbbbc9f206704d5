/**
 * Issuing official documents (issue 20, part 2) and reading them back.
 *
 *   issueDocument(user, request)  build from the record (scoped), record it with a new code
 *                                 and an audit event in one transaction, or re-use the record
 *                                 of the same unchanged content; render with QR and footer
 *   documentStatus(record)        rebuild from today's record: current or superseded
 *   verifyView(code)              what the public /verify page may say
 *   memberDocuments(memberId)     a member's issued documents with their status
 *
 * Why the status is computed and the reuse rule: docs/decisions/029-issued-documents.md.
 */
import { createHash, randomBytes } from 'node:crypto';
import mongoose, { Types } from 'mongoose';
import { IssuedDocument, type IssuedDocumentFields } from '../../../models/issued-document';
import {
  FORM_STEP,
  buildBatch,
  buildDocument,
  FORM_TITLES,
  hashedContent,
  issuedFooter,
  issuedStatus,
  type BuildResult,
  type DocumentRefusal,
  type FormCode,
  type IssuedStatus,
  type OfficialDocument,
} from '~/domain/documents';
import { appendAuditMany } from '../audit/audit.server';
import type { AuthUser } from '../auth/auth.server';
import { inTransaction } from '../transaction.server';
import { loadDocumentInputs, type LoadedInput } from './document-input.server';
import { signForUnit, unitOfCertificate, verifyPdfSignature } from './signing/index.server';
import { renderDocument, documentFileName, DOCUMENT_FORMATS, type DocumentFormat } from './render.server';

export type IssuedRecord = IssuedDocumentFields & { _id: Types.ObjectId };

/** sha256 (hex) of the canonical serialisation of the built content and its members. */
export const contentHash = (doc: OfficialDocument, memberIds: readonly Types.ObjectId[]) =>
  createHash('sha256')
    .update(hashedContent(doc, memberIds.map(String)), 'utf8')
    .digest('hex');

/** 128 random bits, URL-safe: unguessable, and short enough for a QR code. */
export const newCode = () => randomBytes(16).toString('base64url');

export const verifyPath = (code: string) => `/verify/${code}`;

const inIds = (ids: Types.ObjectId[]) => ({ _id: mongoose.trusted({ $in: ids }) });

function build(form: FormCode, loaded: LoadedInput[], batch: boolean): BuildResult {
  return batch
    ? buildBatch(
        form,
        loaded.map((l) => l.input),
      )
    : buildDocument(form, loaded[0]!.input);
}

export type IssueResult =
  | { ok: true; record: IssuedRecord; doc: OfficialDocument; reused: boolean }
  | { ok: false; refusal: DocumentRefusal }
  | { ok: false; notFound: true };

/**
 * One form for one member (`memberIds` of one) or a batch document (several, `batch`).
 * `scope` is the caller's member filter (it holds the user's scope): a member outside it is
 * "not found", whichever of the batch it is.
 */
export async function issueDocument(
  user: AuthUser,
  request: { form: FormCode; memberIds: Types.ObjectId[]; batch: boolean; scope: Record<string, unknown> },
  now = new Date(),
): Promise<IssueResult> {
  if (request.memberIds.length === 0 || (!request.batch && request.memberIds.length !== 1))
    return { ok: false, notFound: true };
  try {
    return await issueOnce(user, request, now);
  } catch (error) {
    // Someone issued the same content between our read and our insert: theirs is the record.
    if (isDuplicateKey(error)) return issueOnce(user, request, now);
    throw error;
  }
}

const isDuplicateKey = (error: unknown) =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;

function issueOnce(
  user: AuthUser,
  request: { form: FormCode; memberIds: Types.ObjectId[]; batch: boolean; scope: Record<string, unknown> },
  now: Date,
): Promise<IssueResult> {
  const { form, memberIds, batch } = request;
  return inTransaction(async () => {
    const loaded = await loadDocumentInputs({ ...request.scope, ...inIds(memberIds) });
    if (loaded.length !== new Set(memberIds.map(String)).size)
      return { ok: false as const, notFound: true as const };
    const built = build(form, loaded, batch);
    if (!built.ok) return { ok: false as const, refusal: built.refusal };
    const doc = built.doc;
    const ids = loaded.map((l) => l.memberId);
    const hash = contentHash(doc, ids);
    // The same content for the same members: the paper already issued, same code.
    const existing = await IssuedDocument.findOne({ contentHash: hash, batch }).lean<IssuedRecord>();
    if (existing) return { ok: true as const, record: existing, doc, reused: true };
    const first = loaded[0]!;
    const [record] = await IssuedDocument.create([
      {
        code: newCode(),
        form,
        step: FORM_STEP[form],
        memberIds: ids,
        batch,
        unitId: first.schoolId,
        ancestors: first.ancestors,
        issuer: doc.issuer?.name ?? null,
        number: doc.number,
        refDay: doc.source.refDay,
        contentHash: hash,
        issuedAt: now,
        issuedBy: new Types.ObjectId(user.id),
        formats: [],
      },
    ]);
    await appendAuditMany(
      loaded.map((l) => ({
        actorId: user.id,
        action: 'document.issue',
        entity: 'Member',
        entityId: l.memberId,
        unitId: l.schoolId,
        details: { form, code: record!.code, number: doc.number, batch, contentHash: hash },
        at: now,
      })),
    );
    return { ok: true as const, record: record!.toObject() as IssuedRecord, doc, reused: false };
  });
}

/** The file of an issued document: its QR code and footer point at /verify/<code>. */
export async function renderIssued(
  record: IssuedRecord,
  doc: OfficialDocument,
  format: DocumentFormat,
  origin: string,
): Promise<{ body: Buffer; headers: HeadersInit }> {
  const url = `${origin}${verifyPath(record.code)}`;
  let body = await renderDocument(doc, format, {
    qr: { url },
    footer: issuedFooter(url, record.contentHash),
    createdAt: record.issuedAt,
  });
  const set: Record<string, unknown> = {};
  // A PDF is signed with the issuing school's certificate when one is installed (signing/).
  if (format === 'pdf') {
    const signed = await signForUnit(
      record.unitId,
      body,
      `${FORM_TITLES[record.form as FormCode]} ${record.number ?? ''}`.trim(),
    );
    if (signed.signed) {
      body = signed.pdf;
      if (record.signature?.fingerprint !== signed.signer.fingerprint)
        set.signature = {
          subject: signed.signer.subject,
          fingerprint: signed.signer.fingerprint,
          signedAt: new Date(),
        };
    }
  }
  if (!record.formats.includes(format) || set.signature)
    await IssuedDocument.updateOne(
      { _id: record._id },
      { $addToSet: { formats: format }, ...(set.signature ? { $set: set } : {}) },
    );
  return {
    body,
    headers: {
      'Content-Type': DOCUMENT_FORMATS[format].contentType,
      'Content-Disposition': `attachment; filename="${documentFileName(doc, format)}"`,
      'Cache-Control': 'no-store',
    },
  };
}

/** Rebuild from today's record (no scope: the record names its members): the doc, or null. */
export async function rebuild(record: IssuedRecord): Promise<OfficialDocument | null> {
  const ids = record.memberIds as Types.ObjectId[];
  const loaded = await loadDocumentInputs(inIds(ids));
  if (loaded.length !== ids.length) return null;
  // The record's order, not today's names' order: a renamed member is a changed document anyway.
  const order = new Map(ids.map((id, i) => [String(id), i]));
  loaded.sort((a, b) => order.get(String(a.memberId))! - order.get(String(b.memberId))!);
  const built = build(record.form as FormCode, loaded, record.batch);
  return built.ok ? built.doc : null;
}

export async function documentStatus(
  record: IssuedRecord,
): Promise<{ status: IssuedStatus; doc: OfficialDocument | null }> {
  const doc = await rebuild(record);
  const ids = record.memberIds as Types.ObjectId[];
  return { status: issuedStatus(record.contentHash, doc ? contentHash(doc, ids) : null), doc };
}

export interface IssuedView {
  code: string;
  form: FormCode;
  number: string | null;
  refDay: string | null;
  issuedAt: string;
  batch: boolean;
  status: IssuedStatus;
}

/** A member's issued documents (single and batch), newest first, each with its status. */
export async function memberDocuments(memberId: Types.ObjectId): Promise<IssuedView[]> {
  const records = await IssuedDocument.find({ memberIds: memberId })
    .sort({ issuedAt: -1 })
    .limit(200)
    .lean<IssuedRecord[]>();
  const out: IssuedView[] = [];
  for (const r of records) {
    const { status } = await documentStatus(r);
    out.push({
      code: r.code,
      form: r.form as FormCode,
      number: r.number ?? null,
      refDay: r.refDay ?? null,
      issuedAt: r.issuedAt.toISOString(),
      batch: r.batch,
      status,
    });
  }
  return out;
}

export interface VerifyView {
  code: string;
  form: FormCode;
  issuer: string | null;
  number: string | null;
  refDay: string | null;
  issuedAt: string;
  contentHash: string;
  status: IssuedStatus;
  /** The signer of its PDF, when the issuing school's certificate signed it; `unit` while installed. */
  signature: { subject: string; signedAt: string | null; unit: string | null } | null;
}

/** What /verify/<code> shows: nothing more personal than the paper prints (no names at all). */
export async function verifyView(code: string): Promise<VerifyView | null> {
  if (!/^[A-Za-z0-9_-]{22,64}$/.test(code)) return null;
  const record = await IssuedDocument.findOne({ code }).lean<IssuedRecord>();
  if (!record) return null;
  const { status } = await documentStatus(record);
  return {
    code: record.code,
    form: record.form as FormCode,
    issuer: record.issuer ?? null,
    number: record.number ?? null,
    refDay: record.refDay ?? null,
    issuedAt: record.issuedAt.toISOString(),
    contentHash: record.contentHash,
    status,
    signature: record.signature?.fingerprint
      ? {
          subject: record.signature.subject ?? '',
          signedAt: record.signature.signedAt ? new Date(record.signature.signedAt).toISOString() : null,
          // Whether the certificate is still the one installed for a unit here (it may have been removed).
          unit: (await unitOfCertificate(record.signature.fingerprint))?.name ?? null,
        }
      : null,
  };
}

/** A record by code, limited to `memberId` (the student's own): null when not hers. */
export function issuedFor(code: string, memberId: Types.ObjectId) {
  return IssuedDocument.findOne({ code, memberIds: memberId }).lean<IssuedRecord>();
}

export type PdfCheck =
  | { result: 'missing' | 'notPdf' | 'unsigned' | 'invalid' }
  | { result: 'validSame' | 'validOther'; subject: string; signedAt: string | null };

/**
 * /verify/<code>'s check of a PDF someone holds: is its signature valid (the file unchanged
 * since it was signed), and was it signed with the certificate this document was signed with?
 * Nothing is stored; the file is read and forgotten.
 */
export async function checkPdfFor(code: string, file: FormDataEntryValue | null): Promise<PdfCheck | null> {
  const record = /^[A-Za-z0-9_-]{22,64}$/.test(code)
    ? await IssuedDocument.findOne({ code }).select({ signature: 1 }).lean<IssuedRecord>()
    : null;
  if (!record) return null;
  if (!(file instanceof File) || file.size === 0) return { result: 'missing' };
  const pdf = Buffer.from(await file.arrayBuffer());
  if (pdf.subarray(0, 5).toString('latin1') !== '%PDF-') return { result: 'notPdf' };
  const report = await verifyPdfSignature(pdf);
  if (!report.signed) return { result: 'unsigned' };
  if (!report.valid || !report.signer) return { result: 'invalid' };
  return {
    result: report.signer.fingerprint === record.signature?.fingerprint ? 'validSame' : 'validOther',
    subject: report.signer.subject,
    signedAt: report.signedAt ? report.signedAt.toISOString() : null,
  };
}
