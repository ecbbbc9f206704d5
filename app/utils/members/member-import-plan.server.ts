/**
 * What the dry run and the commit share: the report's shapes, the planned writes, and
 * the reads both plans start from (the school, the members the file names).
 * The plans themselves: member-import-members.server.ts and member-import-results.server.ts.
 */
import mongoose, { Types } from 'mongoose';
import type { ImportPreview, PreviewRow } from '~/domain/import-preview.ts';
import type { ColumnDef } from '~/domain/member-import/columns.ts';
import type { ImportKind, ImportProblem } from '~/domain/member-import/types.ts';
import { Member } from '../../../models/member.ts';
import { Unit, type SchoolKind } from '../../../models/unit.ts';

const LOOKUP_BATCH = 1_000;
/** Up to this many codes, look members up by code; above, read the school once. */
const SMALL_IMPORT = 200;

export interface ImportInput {
  kind: ImportKind;
  schoolId: Types.ObjectId | string;
  buffer: Buffer;
  filename: string;
}

export interface ImportSummary {
  /** Data rows in the file. */
  rows: number;
  /** Members (or terms, for results) that would be created / changed / left as they are. */
  toCreate: number;
  toUpdate: number;
  unchanged: number;
}

export interface ImportReport {
  ok: boolean;
  problems: ImportProblem[];
  summary: ImportSummary;
}

/**
 * Writes go through the driver, not mongoose's bulkWrite: the values are already
 * typed by validation, and skipping per-operation casting is a third of the write
 * time on the embedded server. The price is setting by hand what mongoose would
 * add: timestamps and the schema defaults of a new document (NEW_MEMBER_DEFAULTS).
 */
export type WriteOp = mongoose.mongo.AnyBulkWriteOperation<mongoose.mongo.Document>;

/** One member's write and what its `member.import` event records. */
export interface PlannedWrite {
  op: WriteOp;
  memberId: Types.ObjectId;
  /** The member's `__v` after this write: 0 for a new member. */
  version: number;
  /** An update, whose filter holds the version it was planned on. */
  update: boolean;
  /** `row` (members) or `rows` (results), and what changed. */
  details: Record<string, unknown>;
}

export interface Plan extends ImportReport {
  /** The rows as they will be written, and the file's column mapping (from `plan`). */
  preview?: ImportPreview;
  writes: PlannedWrite[];
  /** The first PREVIEW_ROWS rows and what each does. */
  previewRows: PreviewRow[];
}

export const EMPTY_SUMMARY = (rows = 0): ImportSummary => ({ rows, toCreate: 0, toUpdate: 0, unchanged: 0 });

export interface SchoolInfo {
  _id: Types.ObjectId;
  ancestors: Types.ObjectId[];
  schoolKind: SchoolKind;
}

export async function loadSchool(schoolId: Types.ObjectId | string): Promise<SchoolInfo | null> {
  if (!Types.ObjectId.isValid(schoolId)) return null;
  const school = await Unit.findOne({ _id: new Types.ObjectId(String(schoolId)), kind: 'school' })
    .select({ ancestors: 1, schoolKind: 1 })
    .lean();
  if (!school?.schoolKind) return null;
  return { _id: school._id, ancestors: school.ancestors ?? [], schoolKind: school.schoolKind };
}

/**
 * Existing members of the school with the given codes. Small files look codes
 * up a batch at a time; large ones read the school's members once, which is
 * cheaper than thousands of `$in` probes (and the embedded server only indexes
 * the leading field of the compound (schoolId, studentCode) index).
 */
export async function existingMembers<T>(
  schoolId: Types.ObjectId,
  codes: string[],
  projection: Record<string, 1>,
): Promise<Map<string, T>> {
  const found = new Map<string, T>();
  const unique = [...new Set(codes)];
  const select = { studentCode: 1, ...projection };
  if (unique.length > SMALL_IMPORT) {
    const wanted = new Set(unique);
    for await (const doc of Member.find({ schoolId }).select(select).lean().cursor({ batchSize: 1000 })) {
      if (wanted.has(doc.studentCode)) found.set(doc.studentCode, doc as T);
    }
    return found;
  }
  for (let i = 0; i < unique.length; i += LOOKUP_BATCH) {
    const batch = unique.slice(i, i + LOOKUP_BATCH);
    // trusted: sanitizeFilter is on for the connection and would neutralise $in.
    const docs = await Member.find({ schoolId, studentCode: mongoose.trusted({ $in: batch }) })
      .select(select)
      .lean();
    for (const doc of docs) found.set(doc.studentCode, doc as T);
  }
  return found;
}

export const header = (columns: readonly ColumnDef[], key: string) =>
  columns.find((c) => c.key === key)!.header;
