/**
 * The import job's commit (decision 020): started once in the background, run through
 * `commitImport`, whose transaction marks the job `done` or `failed` with the members.
 */
import { ImportJob } from '../../../models/import-job';
import type { AuthUser } from '../auth/auth.server';
import { BROKE_SHOWN } from './broke-members.server';
import { noteMemberWrite } from '../criteria/eligibility.server';
import { commitImport, type CommitReport } from './member-import-commit.server';
import { currentOwner, local, previews } from './member-import-job-memory.server';
import { findJob, later, storedProblems, type StoredJob } from './member-import-job-record.server';

export type StartOutcome = 'started' | 'not_found' | 'not_ready' | 'file_gone';

/**
 * Starts the commit of a clean, checked upload in the background (once: the job moves
 * from `checked` to `committing` in one conditional write, so a second post is a no-op).
 * `commitImport` re-checks everything against the database inside its transaction.
 */
export async function startCommit(token: string, user: AuthUser): Promise<StartOutcome> {
  const job = await findJob(token, user);
  if (!job || job.expiresAt <= new Date()) return 'not_found';
  if (job.state !== 'checked' || !job.ok || local.progress.has(token)) return 'not_ready';
  // A file that matches what is stored has nothing to write: no job, no "imported" list.
  if (job.summary.toCreate + job.summary.toUpdate === 0) return 'not_ready';
  const file = local.files.get(token);
  if (!file) return 'file_gone';
  // Marked running here before the job says `committing`, so no reader of this process
  // takes the job for one whose process is gone.
  local.progress.set(token, null);
  const now = new Date();
  const claimed = await ImportJob.findOneAndUpdate(
    { _id: job._id, state: 'checked', ok: true },
    { $set: { state: 'committing', owner: currentOwner(), startedAt: now, expiresAt: later(now) } },
    { returnDocument: 'after' },
  )
    .lean<StoredJob>()
    .catch((error: unknown) => {
      local.progress.delete(token);
      throw error;
    });
  if (!claimed) {
    local.progress.delete(token);
    return 'not_ready';
  }
  void runCommit(claimed, file.buffer, user);
  return 'started';
}

/** The job's last step: where the commit ended, readable for the rest of its time to live. */
function finalFields(report: CommitReport, now = new Date()) {
  return {
    state: report.ok ? 'done' : 'failed',
    summary: report.summary,
    problems: storedProblems(report.problems),
    problemCount: report.problems.length,
    written: report.written,
    memberIds: report.memberIds,
    brokeIds: report.brokeIds.slice(0, BROKE_SHOWN),
    brokeCount: report.brokeIds.length,
    finishedAt: now,
    expiresAt: later(now),
  };
}

/** The job is no longer this process's to finish (it was judged interrupted meanwhile). */
class JobLostError extends Error {
  constructor() {
    super('the import job is no longer committing under this process');
    this.name = 'JobLostError';
  }
}

async function runCommit(job: StoredJob, buffer: Buffer, user: AuthUser): Promise<void> {
  const mine = { _id: job._id, state: 'committing' as const, 'owner.boot': local.boot };
  try {
    const report = await commitImport({
      kind: job.kind,
      schoolId: job.schoolId,
      buffer,
      filename: job.filename,
      actorId: user.id,
      importId: job._id,
      onProgress: (done, total) => local.progress.set(job.token, { done, total }),
      // Inside the import's transaction: `done` lands with the members, or neither does.
      beforeCommit: async (report) => {
        const marked = await ImportJob.updateOne(mine, { $set: finalFields(report) });
        if (marked.matchedCount !== 1) throw new JobLostError();
      },
    });
    if (report.written > 0) {
      noteMemberWrite();
      // For operators: how long a commit takes against the transaction lifetime (decision 020).
      const ms = Date.now() - (job.startedAt?.getTime() ?? Date.now());
      console.error(
        `[import] job ${String(job._id)}: ${report.written} ${job.kind} rows committed in ${ms} ms`,
      );
    }
    // The transaction was aborted (so the job was not marked in it): record the failure.
    if (!report.ok) await ImportJob.updateOne(mine, { $set: finalFields(report) });
  } catch (error) {
    console.error('[import] job failed:', error);
    await ImportJob.updateOne(mine, {
      $set: {
        state: 'failed',
        problems: [{ code: 'write_failed' }],
        problemCount: 1,
        finishedAt: new Date(),
      },
    }).catch(() => undefined);
  } finally {
    previews().delete(job.token);
    local.files.delete(job.token);
    local.progress.delete(job.token);
  }
}

/** For tests: waits until the job on `token` has left `committing` here, and returns it. */
export async function waitForJob(token: string, timeoutMs = 30_000): Promise<StoredJob | null> {
  const start = Date.now();
  for (;;) {
    const job = await ImportJob.findOne({ token }).lean<StoredJob>();
    if (!job || (job.state !== 'committing' && !local.progress.has(token))) return job;
    if (Date.now() - start > timeoutMs) return job;
    await new Promise((r) => setTimeout(r, 20));
  }
}
