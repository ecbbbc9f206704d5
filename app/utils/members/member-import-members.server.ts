/**
 * The plan of a members file: each row matched to a stored member by its code (an update
 * of the fields that differ) or a new member (an insert), its branch found by code or
 * name, and the problems only the database can see.
 */
import { Types } from 'mongoose';
import { schoolYearOf } from '~/domain/calendar';
import {
  changedColumns,
  changedKeys,
  defaultCohort,
  memberPreviewValues,
  PREVIEW_ROWS,
  rawPreviewValues,
  type PreviewRow,
} from '~/domain/import-preview.ts';
import { cellText } from '~/domain/member-import/cells.ts';
import { MEMBER_COLUMNS } from '~/domain/member-import/columns.ts';
import type { MemberRecord } from '~/domain/member-import/schemas.ts';
import type { ImportProblem, ImportRow } from '~/domain/member-import/types.ts';
import { sortProblems, validateMemberRows } from '~/domain/member-import/validate.ts';
import { memberSearchKey, nameSortKey, searchKey } from '~/domain/text.ts';
import { Unit } from '../../../models/unit.ts';
import { branchCohorts } from './member-course.server.ts';
import {
  EMPTY_SUMMARY,
  existingMembers,
  header,
  type Plan,
  type PlannedWrite,
  type SchoolInfo,
} from './member-import-plan.server.ts';

interface ExistingMember {
  _id: Types.ObjectId;
  studentCode: string;
  fullName: string;
  searchKey?: string;
  nameSortKey?: string;
  dateOfBirth?: Date;
  gender?: string;
  email?: string;
  phone?: string;
  branchId?: Types.ObjectId;
  ancestors?: Types.ObjectId[];
  schoolKind?: string;
  union?: { joinedAt?: Date; cardNumber?: string };
  expectedGraduation?: string;
  ethnicity?: string;
  religion?: string;
  citizenId?: string;
  schoolYear?: string;
  cohort?: number;
  __v?: number;
}

interface BranchInfo {
  _id: Types.ObjectId;
  ancestors: Types.ObjectId[];
}

/** Branch lookup by code (exact, case-insensitive) or by name/short name (diacritic-insensitive). */
async function branchResolver(school: SchoolInfo) {
  const branches = await Unit.find({ kind: 'branch', schoolId: school._id, active: true })
    .select({ name: 1, shortName: 1, code: 1, ancestors: 1 })
    .lean();
  const byCode = new Map<string, BranchInfo>();
  const byName = new Map<string, BranchInfo[]>();
  for (const b of branches) {
    const info = { _id: b._id, ancestors: b.ancestors ?? [] };
    byCode.set(b.code.toUpperCase(), info);
    const names = new Set([
      searchKey(b.name),
      searchKey(b.shortName ?? ''),
      searchKey(b.name.replace(/^chi\s+đoàn\s+/i, '')),
    ]);
    for (const name of names) if (name) byName.set(name, [...(byName.get(name) ?? []), info]);
  }
  return (text: string): BranchInfo | 'not_found' | 'ambiguous' => {
    const code = byCode.get(text.trim().toUpperCase());
    if (code) return code;
    const matches =
      byName.get(searchKey(text)) ?? byName.get(searchKey(text.replace(/^chi\s+đoàn\s+/i, ''))) ?? [];
    const unique = [...new Map(matches.map((m) => [String(m._id), m])).values()];
    if (unique.length === 1) return unique[0];
    return unique.length ? 'ambiguous' : 'not_found';
  };
}

/** `{ 'union.joinedAt': d }` → `{ union: { joinedAt: d } }`, for documents inserted whole. */
function unflatten(set: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(set)) {
    const [head, tail] = path.split('.', 2);
    if (tail === undefined) out[head] = value;
    else out[head] = { ...(out[head] as Record<string, unknown> | undefined), [tail]: value };
  }
  return out;
}

/** What mongoose's defaults put in a new member (models/member.ts); kept in step by the integration test. */
const NEW_MEMBER_DEFAULTS = () => ({
  partyCellId: null,
  unionRatings: [],
  academicTerms: [],
  latestGpa10: null,
  awards: [],
  activities: [],
  __v: 0,
});

export async function planMembers(
  rows: ImportRow[],
  school: SchoolInfo,
  actorId: Types.ObjectId | null,
): Promise<Plan> {
  const { records, problems } = validateMemberRows(rows);
  const recordByRow = new Map(records.map((r) => [r.row, r]));
  const resolveBranch = await branchResolver(school);
  const existing = await existingMembers<ExistingMember>(
    school._id,
    rows.map((r) => cellText(r.values.studentCode)).filter(Boolean),
    {
      fullName: 1,
      searchKey: 1,
      nameSortKey: 1,
      dateOfBirth: 1,
      gender: 1,
      email: 1,
      phone: 1,
      branchId: 1,
      ancestors: 1,
      schoolKind: 1,
      union: 1,
      expectedGraduation: 1,
      ethnicity: 1,
      religion: 1,
      citizenId: 1,
      schoolYear: 1,
      cohort: 1,
      __v: 1,
    },
  );
  const summary = EMPTY_SUMMARY(rows.length);
  const writes: PlannedWrite[] = [];
  const previewRows: PreviewRow[] = [];
  const preview = (row: PreviewRow) => {
    if (previewRows.length < PREVIEW_ROWS) previewRows.push(row);
  };
  const now = new Date();
  // A new member the file gives no school year or course gets this year's, and its branch's course.
  const currentYear = schoolYearOf(now);
  const newBranches = new Map<string, Types.ObjectId>();
  for (const { values } of rows) {
    const code = cellText(values.studentCode);
    const found = code && !existing.has(code) ? resolveBranch(cellText(values.branch)) : null;
    if (found && typeof found === 'object') newBranches.set(String(found._id), found._id);
  }
  const cohorts = await branchCohorts([...newBranches.values()]);

  // Database checks run on every row, not only rows that passed the schema, so a row
  // with a bad date and an unknown branch shows both problems at once.
  for (const { row, values } of rows) {
    const code = cellText(values.studentCode);
    const old = code ? existing.get(code) : undefined;
    const rowProblems: ImportProblem[] = [];
    const branchText = cellText(values.branch);
    let branch: BranchInfo | undefined;
    if (branchText) {
      const found = resolveBranch(branchText);
      if (found === 'not_found' || found === 'ambiguous') {
        rowProblems.push({
          row,
          column: header(MEMBER_COLUMNS, 'branch'),
          code: `branch_${found}`,
          value: branchText,
        });
      } else {
        branch = found;
      }
    }
    if (code && !old) {
      for (const key of ['dateOfBirth', 'gender', 'branch'] as const) {
        if (!cellText(values[key]))
          rowProblems.push({ row, column: header(MEMBER_COLUMNS, key), code: 'required_for_new' });
      }
    }
    problems.push(...rowProblems);
    const record = recordByRow.get(row);
    if (!record || rowProblems.length) {
      preview({ row, action: 'error', values: rawPreviewValues('members', values) });
      continue;
    }
    const set = memberSet(record, school, branch);
    if (!old) {
      set.schoolYear ??= currentYear;
      set.cohort ??= defaultCohort(branch ? (cohorts.get(String(branch._id)) ?? []) : [], currentYear);
    }
    const fields = old ? changedFields(old, set) : [];
    const shown = memberPreviewValues(record, branchText || undefined, {
      schoolYear: (set.schoolYear as string | undefined) ?? old?.schoolYear,
      cohort: (set.cohort as number | undefined) ?? old?.cohort,
    });
    if (old && fields.length === 0) {
      summary.unchanged++;
      preview({ row, action: 'unchanged', values: shown });
      continue;
    }
    preview(
      old
        ? { row, action: 'changed', changed: changedColumns('members', fields), values: shown }
        : { row, action: 'new', values: shown },
    );
    if (old) {
      summary.toUpdate++;
      const version = old.__v ?? 0;
      writes.push({
        op: {
          updateOne: {
            // By _id (a primary-key lookup); school and code stay in the filter as a guard, and
            // the version read by the re-check: a record changed since is not overwritten.
            filter: { _id: old._id, schoolId: school._id, studentCode: record.studentCode, __v: version },
            update: { $set: { ...set, updatedAt: now }, $inc: { __v: 1 } },
          },
        },
        memberId: old._id,
        version: version + 1,
        update: true,
        details: { row, fields: fields.filter((f) => !DERIVED_FIELDS.has(f)) },
      });
    } else {
      summary.toCreate++;
      // An insert, not an upsert: the re-check just showed the code is new, and on the
      // embedded server an upsert costs ten times an insert. If another writer adds the
      // same code meanwhile, the transaction conflicts and is run again (the row is then
      // an update), or the unique (schoolId, studentCode) index refuses it: nothing lands.
      const _id = new Types.ObjectId();
      writes.push({
        op: {
          insertOne: {
            document: {
              ...NEW_MEMBER_DEFAULTS(),
              ...unflatten(set),
              _id,
              schoolId: school._id,
              studentCode: record.studentCode,
              pipeline: {
                stage: 'member',
                stageSince: now,
                history: [{ stage: 'member', at: now, by: actorId, note: 'Nhập hồ sơ đoàn viên' }],
              },
              createdAt: now,
              updatedAt: now,
            },
          },
        },
        memberId: _id,
        version: 0,
        update: false,
        details: { row },
      });
    }
  }
  sortProblems(problems, 'members');
  return { ok: problems.length === 0, problems, summary, writes, previewRows };
}

/** Fields a member row sets; empty cells are left out so they never erase stored data. */
function memberSet(
  record: MemberRecord,
  school: SchoolInfo,
  branch: BranchInfo | undefined,
): Record<string, unknown> {
  const set: Record<string, unknown> = {
    fullName: record.fullName,
    // Bulk writes skip the model's validate hook, so the derived keys are set here.
    searchKey: memberSearchKey(record.fullName, record.studentCode),
    nameSortKey: nameSortKey(record.fullName),
    schoolKind: school.schoolKind,
  };
  const optional = {
    dateOfBirth: record.dateOfBirth,
    gender: record.gender,
    email: record.email,
    phone: record.phone,
    'union.joinedAt': record.unionJoinedAt,
    'union.cardNumber': record.unionCardNumber,
    expectedGraduation: record.expectedGraduation,
    ethnicity: record.ethnicity,
    religion: record.religion,
    citizenId: record.citizenId,
    schoolYear: record.schoolYear,
    cohort: record.cohort,
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) set[key] = value;
  if (branch) {
    set.branchId = branch._id;
    set.ancestors = [...branch.ancestors, branch._id];
  }
  return set;
}

/** Keys the server derives from others: an event names what the file changed, not these. */
const DERIVED_FIELDS = new Set(['searchKey', 'nameSortKey', 'schoolKind', 'ancestors']);

/** The keys of `set` whose value differs from the stored member's (none: the row changes nothing). */
function changedFields(old: ExistingMember, set: Record<string, unknown>): string[] {
  const stored = {
    ...(old as unknown as Record<string, unknown>),
    'union.joinedAt': old.union?.joinedAt,
    'union.cardNumber': old.union?.cardNumber,
  };
  return changedKeys(stored, set);
}
