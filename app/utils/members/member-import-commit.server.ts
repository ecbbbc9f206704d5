/**
 * The commit of a member import: re-checked and written in one transaction, with its
 * audit events, or not at all (docs/decisions/020-import-in-one-transaction.md).
 */
import { Types } from 'mongoose';
import type { ImportProblem } from '~/domain/member-import/types.ts';
import { Member } from '../../../models/member.ts';
import { appendAuditMany, type AuditInput } from '../audit/audit.server.ts';
import { refreshConflicts } from '../pipeline/pipeline-conflicts.server.ts';
import { currentSession, inTransaction } from '../transaction.server.ts';
import { planRows } from './member-import-dry-run.server.ts';
import { parseImportFile } from './member-import-file.server.ts';
import { EMPTY_SUMMARY, type ImportInput, type ImportReport } from './member-import-plan.server.ts';

const WRITE_BATCH = 1_000;
/**
 * How long a commit may run, all its attempts together, before it gives up by itself:
 * under the server's transaction lifetime (60 s), so a commit that cannot finish ends
 * with a clear message instead of the server's abort and the driver's retries.
 */
export const COMMIT_BUDGET_MS = 45_000;
/** Members' ids a commit reports (the page links a few of them). */
const MEMBER_IDS_KEPT = 20;

export interface CommitInput extends ImportInput {
  /** Called with (0, total) before writing and after each batch (again from 0 if the transaction is retried). */
  onProgress?: (done: number, total: number) => void;
  /** User recorded in the history of members the import creates, and as the events' actor. */
  actorId?: Types.ObjectId | string | null;
  batchSize?: number;
  /** Names the import in its audit events (`details.importId`); a new id when absent. */
  importId?: Types.ObjectId | string;
  /**
   * Runs inside the import's transaction once the outcome is known (after the writes, or
   * when the re-check found problems): what it writes commits with the import or not at
   * all. The job store records the job's final state here.
   */
  beforeCommit?: (report: CommitReport) => Promise<void>;
  /** Milliseconds the commit may take before it gives up (COMMIT_BUDGET_MS; tests shorten it). */
  budgetMs?: number;
}

export interface CommitReport extends ImportReport {
  /** Rows written (members created + updated, or terms added + changed); 0 unless it all committed. */
  written: number;
  importId: Types.ObjectId;
  /** The first members written, in file order. */
  memberIds: Types.ObjectId[];
  /** Existing members whose update broke a recorded step (the re-check added a conflict), in file order. */
  brokeIds: Types.ObjectId[];
}

/** An update matched nothing: the member changed, or went, after the re-check read it. */
export class ImportConflictError extends Error {
  constructor() {
    super('a member of the import changed while it was being written');
    this.name = 'ImportConflictError';
  }
}

/** The commit ran past its budget and gave up (before the server's transaction lifetime). */
export class ImportTooSlowError extends Error {
  constructor(readonly budgetMs: number) {
    super(`the import did not finish within ${budgetMs} ms`);
    this.name = 'ImportTooSlowError';
  }
}

/** The problem a failed commit reports: nothing of it was written, whatever the cause. */
function commitProblem(error: unknown, budgetMs: number): ImportProblem {
  if (error instanceof ImportTooSlowError)
    return { code: 'write_too_slow', params: { seconds: Math.round(budgetMs / 1000) } };
  const code = (error as { code?: unknown } | null)?.code;
  if (error instanceof ImportConflictError || code === 11000 || code === 112)
    return { code: 'write_conflict' };
  return { code: 'write_failed' };
}

/**
 * Re-validates against the database and, only when the file has no problem at all,
 * writes it in ONE transaction (decision 020): the members in batches (inserts for new
 * ones, versioned updates by _id for known ones), each batch followed by its members'
 * `member.import` events (version 0 for a created member, its new `__v` for an updated
 * one), then one `MemberImport` event for the whole file, then `beforeCommit`. Either
 * all of it commits or none of it: a failure, a crash or a budget overrun leaves the
 * database as it was, and the report says so (`written: 0`). The file is parsed once,
 * outside the transaction; everything read from the database is read inside it, so a
 * transaction the driver runs again after a conflict decides on the new state.
 */
export async function commitImport(input: CommitInput): Promise<CommitReport> {
  const actorId =
    input.actorId && Types.ObjectId.isValid(input.actorId) ? new Types.ObjectId(String(input.actorId)) : null;
  const importId =
    input.importId && Types.ObjectId.isValid(input.importId)
      ? new Types.ObjectId(String(input.importId))
      : new Types.ObjectId();
  const empty = { written: 0, importId, memberIds: [], brokeIds: [] };
  const parsed = await parseImportFile(input.buffer, input.filename, input.kind);
  if (!parsed.ok) return { ok: false, problems: parsed.problems, summary: EMPTY_SUMMARY(), ...empty };
  const batchSize = Math.max(1, input.batchSize ?? WRITE_BATCH);
  const budgetMs = input.budgetMs ?? COMMIT_BUDGET_MS;
  // Counted over every attempt: the driver may run the work again after a conflict.
  const started = Date.now();
  const inBudget = () => {
    if (Date.now() - started > budgetMs) throw new ImportTooSlowError(budgetMs);
  };
  let summary = EMPTY_SUMMARY(parsed.rows.length);
  try {
    return await inTransaction(async () => {
      const planned = await planRows(input, parsed.rows, actorId);
      summary = planned.summary;
      if (!planned.ok) {
        const refused: CommitReport = { ok: false, problems: planned.problems, summary, ...empty };
        await input.beforeCommit?.(refused);
        return refused;
      }
      const { writes } = planned;
      // planRows found the school, so the id is valid.
      const unitId = new Types.ObjectId(String(input.schoolId));
      const base = { kind: input.kind, filename: input.filename, importId };
      input.onProgress?.(0, writes.length);
      // Per attempt: the driver may run this work again after a conflict.
      const brokeIds: Types.ObjectId[] = [];
      for (let i = 0; i < writes.length; i += batchSize) {
        inBudget();
        const batch = writes.slice(i, i + batchSize);
        const result = await Member.collection.bulkWrite(
          batch.map((w) => w.op),
          { session: currentSession(), ordered: true },
        );
        // Each update names the version it was planned on: all of them must have matched.
        if (result.matchedCount !== batch.filter((w) => w.update).length) throw new ImportConflictError();
        await appendAuditMany(
          batch.map((w): AuditInput => ({
            actorId,
            action: 'member.import',
            entity: 'Member',
            entityId: w.memberId,
            unitId,
            details: { version: w.version, ...base, ...w.details },
          })),
        );
        // A new date of birth may break a recorded step (the chi bộ vote's age): re-checked
        // here, and the report names the members it broke.
        for (const w of batch) {
          const fields = (w.details as { fields?: unknown }).fields;
          if (w.update && Array.isArray(fields) && fields.includes('dateOfBirth')) {
            if ((await refreshConflicts(w.memberId, actorId)).length) brokeIds.push(w.memberId);
          }
        }
        input.onProgress?.(i + batch.length, writes.length);
      }
      const written = summary.toCreate + summary.toUpdate;
      if (writes.length) {
        // The file as a whole, for the school's log: who imported what, and how much.
        await appendAuditMany([
          {
            actorId,
            action: 'member.import',
            entity: 'MemberImport',
            entityId: importId,
            unitId,
            details: {
              kind: input.kind,
              filename: input.filename,
              ...summary,
              written,
              members: writes.length,
            },
          },
        ]);
      }
      inBudget();
      const report: CommitReport = {
        ok: true,
        problems: [],
        summary,
        written,
        importId,
        memberIds: writes.slice(0, MEMBER_IDS_KEPT).map((w) => w.memberId),
        brokeIds,
      };
      await input.beforeCommit?.(report);
      return report;
    });
  } catch (error) {
    // The transaction was aborted: nothing of the import is in the database.
    const problem = commitProblem(error, budgetMs);
    if (problem.code === 'write_failed') console.error('[import] commit failed, nothing written:', error);
    return { ok: false, problems: [problem], summary, ...empty };
  }
}
