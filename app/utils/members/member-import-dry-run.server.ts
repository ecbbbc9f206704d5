/**
 * Member import (issue "Member records", items 5-6): the dry run against the database,
 * which the commit runs again inside its transaction. The other parts: templates
 * (member-import-template), reading .xlsx/.csv uploads (member-import-file), the plans
 * (member-import-plan, -members, -results), the commit (member-import-commit).
 *
 * Rules the route relies on:
 * - Nothing a user uploads makes these functions throw: every failure is a
 *   problem in the report (codes rendered by `app/domain/import-messages.ts`).
 * - All or nothing: `commitImport` writes only when the whole file is clean,
 *   re-checked against the database at commit time (the dry run may be stale), and
 *   writes it in one transaction with one audit event per member: every row and
 *   its event, or nothing (docs/decisions/020-import-in-one-transaction.md).
 * - Idempotent: rows are matched by (schoolId, studentCode) and terms by
 *   (year, term), so importing the same file twice changes nothing the second time.
 * - Empty cells never erase stored data: a file with fewer columns only updates
 *   what it has.
 */
import type { Types } from 'mongoose';
import { previewColumns, type ImportPreview } from '~/domain/import-preview.ts';
import type { ImportRow } from '~/domain/member-import/types.ts';
import { parseImportFile } from './member-import-file.server.ts';
import { planMembers } from './member-import-members.server.ts';
import {
  EMPTY_SUMMARY,
  loadSchool,
  type ImportInput,
  type ImportReport,
  type Plan,
} from './member-import-plan.server.ts';
import { planResults } from './member-import-results.server.ts';

async function plan(input: ImportInput, actorId?: Types.ObjectId | null): Promise<Plan> {
  const parsed = await parseImportFile(input.buffer, input.filename, input.kind);
  if (!parsed.ok)
    return { ok: false, problems: parsed.problems, summary: EMPTY_SUMMARY(), writes: [], previewRows: [] };
  const planned = await planRows(input, parsed.rows, actorId ?? null);
  const preview: ImportPreview = {
    mapping: parsed.mapping,
    columns: previewColumns(input.kind, parsed.mapping),
    rows: planned.previewRows,
    total: parsed.rows.length,
  };
  return { ...planned, preview };
}

/** The database half of the plan: everything it decides on is read here. */
export async function planRows(
  input: ImportInput,
  rows: ImportRow[],
  actorId: Types.ObjectId | null,
): Promise<Plan> {
  const school = await loadSchool(input.schoolId);
  if (!school)
    return {
      ok: false,
      problems: [{ code: 'school_not_found' }],
      summary: EMPTY_SUMMARY(rows.length),
      writes: [],
      previewRows: [],
    };
  return input.kind === 'members' ? planMembers(rows, school, actorId) : planResults(rows, school);
}

/**
 * Validates the file against the database and reports what an import would do.
 * Writes nothing.
 */
export async function dryRun(input: ImportInput): Promise<ImportReport> {
  const { ok, problems, summary } = await plan(input);
  return { ok, problems, summary };
}

/** The dry run with what the page previews: the rows as they will be written, and the column mapping. */
export async function dryRunPreview(input: ImportInput): Promise<ImportReport & { preview?: ImportPreview }> {
  const { ok, problems, summary, preview } = await plan(input);
  return { ok, problems, summary, preview };
}
