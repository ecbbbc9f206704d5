/**
 * The plan of an academic results file: each row a term of a stored member, added or
 * changed, and one versioned write per member however many of its terms the file holds.
 */
import type { Types } from 'mongoose';
import {
  changedColumns,
  PREVIEW_ROWS,
  rawPreviewValues,
  type PreviewRow,
  type RowAction,
} from '~/domain/import-preview.ts';
import { latestGpa10 } from '~/domain/latest-gpa.ts';
import { cellText } from '~/domain/member-import/cells.ts';
import { RESULT_COLUMNS } from '~/domain/member-import/columns.ts';
import type { ImportProblem, ImportRow } from '~/domain/member-import/types.ts';
import { sortProblems, validateResultRows } from '~/domain/member-import/validate.ts';
import {
  EMPTY_SUMMARY,
  existingMembers,
  header,
  type Plan,
  type PlannedWrite,
  type SchoolInfo,
} from './member-import-plan.server.ts';

interface ExistingTerm {
  year: string;
  term: number;
  scale: number;
  gpa?: number;
  conductScore?: number;
  conductRating?: string;
  studyRating?: string;
}

interface MemberWithTerms {
  _id: Types.ObjectId;
  studentCode: string;
  academicTerms?: ExistingTerm[];
  __v?: number;
}

const RESULT_FIELDS = ['scale', 'gpa', 'conductScore', 'conductRating', 'studyRating'] as const;

/** A member some rows of the file change: its terms as they will be stored. */
interface TouchedMember {
  member: MemberWithTerms;
  rows: number[];
  terms: string[];
}

export async function planResults(rows: ImportRow[], school: SchoolInfo): Promise<Plan> {
  const { records, problems } = validateResultRows(rows);
  const recordByRow = new Map(records.map((r) => [r.row, r]));
  const members = await existingMembers<MemberWithTerms>(
    school._id,
    rows.map((r) => cellText(r.values.studentCode)).filter(Boolean),
    { academicTerms: 1, __v: 1 },
  );
  const summary = EMPTY_SUMMARY(rows.length);
  // One write per member, however many of its terms the file holds: one version, one event.
  const touched = new Map<string, TouchedMember>();
  const thpt = school.schoolKind === 'high_school';
  // Universities report a conduct score, THPT schools the Thông tư 22 ratings: the other kind's column is a mix-up.
  const foreign = thpt ? (['conductScore'] as const) : (['conductRating', 'studyRating'] as const);
  const now = new Date();
  const previewRows: PreviewRow[] = [];
  const preview = (row: number, action: RowAction, changed?: string[]) => {
    if (previewRows.length >= PREVIEW_ROWS) return;
    const values = rawPreviewValues('results', rows.find((r) => r.row === row)?.values ?? {});
    previewRows.push({ row, action, ...(changed ? { changed } : {}), values });
  };

  for (const { row, values } of rows) {
    const rowProblems: ImportProblem[] = [];
    const code = cellText(values.studentCode);
    const member = code ? members.get(code) : undefined;
    if (code && !member) {
      rowProblems.push({
        row,
        column: header(RESULT_COLUMNS, 'studentCode'),
        code: 'member_not_found',
        value: code,
      });
    }
    for (const key of foreign) {
      const text = cellText(values[key]);
      if (text) {
        rowProblems.push({
          row,
          column: header(RESULT_COLUMNS, key),
          code: 'not_for_school_kind',
          value: text,
          params: { schoolKind: school.schoolKind },
        });
      }
    }
    problems.push(...rowProblems);
    const record = recordByRow.get(row);
    if (!record || !member || rowProblems.length) {
      preview(row, 'error');
      continue;
    }
    const terms = (member.academicTerms ??= []);
    const index = terms.findIndex((t) => t.year === record.schoolYear && t.term === record.term);
    const old = index >= 0 ? terms[index] : undefined;
    const termValues: Partial<ExistingTerm> = {};
    for (const key of RESULT_FIELDS)
      if (record[key] !== undefined) (termValues as Record<string, unknown>)[key] = record[key];
    if (old) {
      const differ = RESULT_FIELDS.filter(
        (key) => termValues[key] !== undefined && termValues[key] !== old[key],
      );
      if (!differ.length) {
        summary.unchanged++;
        preview(row, 'unchanged');
        continue;
      }
      summary.toUpdate++;
      preview(row, 'changed', changedColumns('results', differ));
      // Later rows of the same member see this term as it will be stored.
      terms[index] = { ...old, ...termValues };
    } else {
      summary.toCreate++;
      preview(row, 'new');
      // Without a GPA the scale carries no information; use the school kind's usual one.
      terms.push({ year: record.schoolYear, term: record.term, scale: thpt ? 10 : 4, ...termValues });
    }
    const key = String(member._id);
    let entry = touched.get(key);
    if (!entry) touched.set(key, (entry = { member, rows: [], terms: [] }));
    entry.rows.push(row);
    entry.terms.push(`${record.schoolYear}/${record.term}`);
  }
  const writes: PlannedWrite[] = [];
  for (const { member, rows: memberRows, terms } of touched.values()) {
    const version = member.__v ?? 0;
    writes.push({
      op: {
        updateOne: {
          // The version read by the re-check: the whole list of terms is written back, so a
          // record changed since (a term added in a form) must not be overwritten.
          filter: { _id: member._id, schoolId: school._id, __v: version },
          update: {
            $set: {
              academicTerms: member.academicTerms,
              latestGpa10: latestGpa10(member.academicTerms),
              updatedAt: now,
            },
            $inc: { __v: 1 },
          },
        },
      },
      memberId: member._id,
      version: version + 1,
      update: true,
      details: { rows: memberRows, terms },
    });
  }
  sortProblems(problems, 'results');
  return { ok: problems.length === 0, problems, summary, writes, previewRows };
}
