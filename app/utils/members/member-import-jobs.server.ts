/**
 * The import page's jobs (docs/decisions/004-member-import-store.md, superseded in part by
 * 020-import-in-one-transaction.md). An upload is checked (dry run), kept under a random
 * token, and committed on request as a background job whose progress the page polls.
 *
 * Where things live, and why:
 * - The job (who, which school, file name, state, summary, problems, counts, times) is an
 *   `ImportJob` document: its state survives a restart and is readable from every app
 *   instance, and a TTL index removes it 30 minutes after its last step.
 * - The file's bytes stay in the memory of the process that received them, never in the
 *   database: they hold personal data (sensitive columns too) that must not outlive the
 *   import, and a database copy would live on in its journal and its backups. After a
 *   restart the user uploads the file again, which the page says.
 * - Progress figures are this process's too (a write to the job document during the
 *   commit would conflict with the commit's own final write of it).
 *
 * The commit's transaction marks the job `done` (or `failed`, when the re-check finds
 * problems) together with the members, so "done" is never shown for an import that did
 * not land. A transaction that aborts is marked `failed` just after; a process that dies
 * leaves `committing`, which `getJob` shows as `interrupted` (app/domain/import-job.ts).
 *
 * This module takes uploads and reads jobs; the other parts: the process's memory
 * (member-import-job-memory), the job document (member-import-job-record), what the page
 * shows (member-import-job-view) and the background commit (member-import-job-commit).
 */
import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { ImportJob } from '../../../models/import-job';
import { isInterrupted, type ImportSummaryView } from '~/domain/import-job';
import type { ImportPreview } from '~/domain/import-preview';
import type { ImportKind, ImportProblem } from '~/domain/member-import/types';
import type { AuthUser } from '../auth/auth.server';
import { COMMIT_BUDGET_MS } from './member-import-commit.server';
import { currentOwner, local, previews, sweepFiles } from './member-import-job-memory.server';
import { UPLOAD_TTL_MS, findJob, later, storedProblems } from './member-import-job-record.server';
import { jobView, type JobRead } from './member-import-job-view.server';

/** The server's transaction lifetime (mongod's default transactionLifetimeLimitSeconds, and the embedded server's). */
export const TRANSACTION_LIFETIME_MS = 60_000;
/**
 * A `committing` job older than this cannot commit any more: every attempt of its
 * transaction starts within the commit's budget and is aborted by the server at its
 * lifetime. The margin covers clocks of different app instances.
 */
export const STALE_COMMIT_MS = COMMIT_BUDGET_MS + TRANSACTION_LIFETIME_MS + 15_000;

export interface NewUpload {
  userId: string;
  schoolId: string;
  schoolName: string;
  kind: ImportKind;
  filename: string;
  buffer: Buffer;
  ok: boolean;
  summary: ImportSummaryView;
  problems: ImportProblem[];
  preview?: ImportPreview;
}

/** Records a checked upload and returns its token; a clean file's bytes are held for the commit. */
export async function putUpload(upload: NewUpload): Promise<string> {
  const token = randomBytes(18).toString('base64url');
  const now = new Date();
  await ImportJob.create({
    token,
    userId: new Types.ObjectId(upload.userId),
    schoolId: new Types.ObjectId(upload.schoolId),
    schoolName: upload.schoolName,
    kind: upload.kind,
    filename: upload.filename,
    state: 'checked',
    ok: upload.ok,
    summary: upload.summary,
    problems: storedProblems(upload.problems),
    problemCount: upload.problems.length,
    createdAt: now,
    expiresAt: new Date(now.getTime() + UPLOAD_TTL_MS),
  });
  if (upload.preview)
    previews().set(token, { preview: upload.preview, expiresAt: now.getTime() + UPLOAD_TTL_MS });
  // A report with problems cannot be committed: keep the report, not the file.
  if (upload.ok)
    local.files.set(token, {
      buffer: upload.buffer,
      expiresAt: now.getTime() + UPLOAD_TTL_MS,
      schoolId: upload.schoolId,
    });
  sweepFiles(now.getTime(), token);
  return token;
}

/**
 * The job behind `token`, only for the user who made it; null when unknown or expired.
 * A `committing` job whose process died is recorded and returned as `interrupted`.
 */
export async function getJob(
  token: string | null | undefined,
  user: Pick<AuthUser, 'id'>,
  now = new Date(),
): Promise<JobRead | null> {
  sweepFiles(now.getTime());
  let job = token ? await findJob(token, user) : null;
  // The TTL monitor passes once a minute: an expired job is gone for the page already.
  if (!job || job.expiresAt <= now) return null;
  const interrupted =
    job.state === 'committing' &&
    isInterrupted(job, {
      now,
      self: currentOwner(),
      runningHere: local.progress.has(job.token),
      staleAfterMs: STALE_COMMIT_MS,
    });
  if (interrupted) {
    // Conditional on the start it judged: a job that just ended keeps its real state.
    await ImportJob.updateOne(
      { _id: job._id, state: 'committing', startedAt: job.startedAt },
      { $set: { state: 'interrupted', finishedAt: now, expiresAt: later(now) } },
    );
    job = (await findJob(job.token, user)) ?? job;
  }
  return {
    ...job,
    fileHere: local.files.has(job.token),
    preview: job.state === 'checked' ? (previews().get(job.token)?.preview ?? null) : null,
    job: await jobView(job),
  };
}
