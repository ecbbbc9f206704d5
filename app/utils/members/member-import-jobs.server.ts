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
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import mongoose, { Types } from 'mongoose';
import { ImportJob } from '../../../models/import-job';
import { Member } from '../../../models/member';
import {
  isInterrupted,
  type ImportJobState,
  type ImportJobView,
  type ImportUploadView,
  type ImportSummaryView,
  type JobOwner,
} from '~/domain/import-job';
import type { ImportPreview } from '~/domain/import-preview';
import { MEMBER_COLUMNS, RESULT_COLUMNS, type ColumnDef } from '~/domain/member-import/columns';
import type { ImportKind, ImportProblem } from '~/domain/member-import/types';
import type { AuthUser } from '../auth/auth.server';
import { BROKE_SHOWN, brokeMembers } from './broke-members.server';
import { noteMemberWrite } from '../criteria/eligibility.server';
import { COMMIT_BUDGET_MS, commitImport, type CommitReport } from './member-import-commit.server';

/** How long a job (and a checked file) is kept after its last step. */
export const UPLOAD_TTL_MS = 30 * 60_000;
/**
 * Checked files held at once (≤ 10 MB each): at most MAX_FILES_PER_SCHOOL per school (a
 * school's own oldest goes first) and MAX_FILES in all (then the oldest file of the
 * school holding the most goes). One school re-uploading can therefore never push out
 * another school's pending import: with 20 slots shared oldest-first, it could (issue 17).
 */
export const MAX_FILES_PER_SCHOOL = 3;
export const MAX_FILES = 20;
/** Problems kept per job (the first ones in row order); the page says how many there were. */
export const MAX_STORED_PROBLEMS = 10_000;
/** The server's transaction lifetime (mongod's default transactionLifetimeLimitSeconds, and the embedded server's). */
export const TRANSACTION_LIFETIME_MS = 60_000;
/**
 * A `committing` job older than this cannot commit any more: every attempt of its
 * transaction starts within the commit's budget and is aborted by the server at its
 * lifetime. The margin covers clocks of different app instances.
 */
export const STALE_COMMIT_MS = COMMIT_BUDGET_MS + TRANSACTION_LIFETIME_MS + 15_000;

interface HeldFile {
  buffer: Buffer;
  expiresAt: number;
  schoolId: string;
}

interface ProcessJobs {
  /** This run of the process. */
  boot: string;
  files: Map<string, HeldFile>;
  /**
   * The dry run's preview of each upload (rows hold personal data: like the file, kept in
   * this process's memory only, never in the job document), until the job expires or commits.
   */
  previews?: Map<string, { preview: ImportPreview; expiresAt: number }>;
  /** Commits running in this process: null while re-checking, then the figures. */
  progress: Map<string, { done: number; total: number } | null>;
}

// Kept on globalThis so a dev-server module reload does not lose the files or the boot id.
const g = globalThis as typeof globalThis & { __memberImportJobs?: ProcessJobs };
const local: ProcessJobs = (g.__memberImportJobs ??= {
  boot: randomBytes(9).toString('base64url'),
  files: new Map(),
  progress: new Map(),
});

// `??=`: a process that loaded an earlier version of this module has no previews map yet.
const previews = () => (local.previews ??= new Map());

/** This process, as a job's owner: two processes cannot serve one host and port at once. */
export function currentOwner(): JobOwner {
  return { instance: `${hostname()}:${process.env.PORT ?? '3000'}`, boot: local.boot };
}

const TOKEN_RE = /^[A-Za-z0-9_-]{10,64}$/;

/** Drops expired files, then what is over the per-school and global caps; `keep` (just added) stays. */
function sweepFiles(now = Date.now(), keep?: string) {
  for (const [token, held] of previews()) if (held.expiresAt <= now) previews().delete(token);
  for (const [token, file] of local.files)
    if (!local.progress.has(token) && file.expiresAt <= now) local.files.delete(token);
  // Each school's files, oldest first (a Map keeps insertion order).
  const bySchool = new Map<string, string[]>();
  for (const [token, file] of local.files) {
    const tokens = bySchool.get(file.schoolId) ?? [];
    tokens.push(token);
    bySchool.set(file.schoolId, tokens);
  }
  // Files being committed, and the one just added, are never dropped.
  const droppable = (token: string) => token !== keep && !local.progress.has(token);
  const drop = (tokens: string[]) => {
    const i = tokens.findIndex(droppable);
    if (i < 0) return false;
    local.files.delete(tokens[i]);
    tokens.splice(i, 1);
    return true;
  };
  for (const tokens of bySchool.values()) while (tokens.length > MAX_FILES_PER_SCHOOL && drop(tokens));
  while (local.files.size > MAX_FILES) {
    // The school holding the most files gives up its oldest; ties: the oldest file.
    const order = [...local.files.keys()];
    const candidates = [...bySchool.values()]
      .filter((tokens) => tokens.some(droppable))
      .sort(
        (a, b) =>
          b.length - a.length || order.indexOf(a.find(droppable)!) - order.indexOf(b.find(droppable)!),
      );
    if (!candidates.length || !drop(candidates[0])) break;
  }
}

const SENSITIVE_HEADERS = new Set<string>(
  ([...MEMBER_COLUMNS, ...RESULT_COLUMNS] as readonly ColumnDef[])
    .filter((c) => c.sensitive)
    .map((c) => c.header),
);

/**
 * What of the problems goes into the job document: the first MAX_STORED_PROBLEMS, and
 * without the typed value of a sensitive column (ethnicity, religion, citizen ID), which
 * row and column locate well enough.
 */
function storedProblems(problems: ImportProblem[]): ImportProblem[] {
  return problems.slice(0, MAX_STORED_PROBLEMS).map((p) => {
    if (p.value === undefined || !p.column || !SENSITIVE_HEADERS.has(p.column)) return p;
    const { value: _omitted, ...rest } = p;
    return rest;
  });
}

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

export interface StoredJob {
  _id: Types.ObjectId;
  token: string;
  userId: Types.ObjectId;
  schoolId: Types.ObjectId;
  schoolName: string;
  kind: ImportKind;
  filename: string;
  state: ImportJobState;
  ok: boolean;
  summary: ImportSummaryView;
  problems: ImportProblem[];
  problemCount: number;
  written: number;
  memberIds: Types.ObjectId[];
  brokeIds?: Types.ObjectId[];
  brokeCount?: number;
  owner: JobOwner | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  expiresAt: Date;
}

/** What the page needs of a job, beyond the stored document. */
export interface JobRead extends StoredJob {
  /** The checked file's bytes are held by this process. */
  fileHere: boolean;
  /** The dry run's rows and column mapping, while this process holds them (until the commit). */
  preview: ImportPreview | null;
  job: ImportJobView | null;
}

async function findJob(token: string, user: Pick<AuthUser, 'id'>): Promise<StoredJob | null> {
  if (!TOKEN_RE.test(token) || !Types.ObjectId.isValid(user.id)) return null;
  return ImportJob.findOne({ token, userId: new Types.ObjectId(user.id) }).lean<StoredJob>();
}

const later = (now: Date) => new Date(now.getTime() + UPLOAD_TTL_MS);

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

/** Problems on one page of the report. */
export const PROBLEMS_PER_PAGE = 200;

/** What the import page shows of a job: one page of its problems, and what may be done next. */
export function uploadView(job: JobRead, page: number): ImportUploadView {
  const pages = Math.max(1, Math.ceil(job.problems.length / PROBLEMS_PER_PAGE));
  const current = Math.min(page, pages);
  const clean = job.state === 'checked' && job.ok;
  const nothingToDo = clean && job.summary.toCreate + job.summary.toUpdate === 0;
  return {
    token: job.token,
    kind: job.kind,
    filename: job.filename,
    schoolName: job.schoolName,
    ok: job.ok,
    state: job.state,
    summary: job.summary,
    problemCount: job.problemCount,
    problems: job.problems.slice((current - 1) * PROBLEMS_PER_PAGE, current * PROBLEMS_PER_PAGE),
    problemsKept: job.problems.length,
    page: current,
    pages,
    canCommit: clean && !nothingToDo && job.fileHere,
    fileGone: clean && !nothingToDo && !job.fileHere,
    nothingToDo,
    preview: job.preview,
    job: job.job,
  };
}

const SHOWN_MEMBERS = 20;

async function jobView(job: StoredJob): Promise<ImportJobView | null> {
  if (job.state === 'checked') return null;
  const progress = local.progress.get(job.token);
  const phase =
    job.state !== 'committing'
      ? null
      : !local.progress.has(job.token)
        ? 'elsewhere'
        : progress
          ? 'writing'
          : 'rechecking';
  return {
    state: job.state,
    phase,
    done: progress?.done ?? 0,
    total: progress?.total ?? 0,
    written: job.written,
    members: job.state === 'done' ? await importedMembers(job) : [],
    broke: job.state === 'done' ? await importBroke(job) : null,
  };
}

/** The members whose update broke a recorded step, looked up in the job's school. */
async function importBroke(job: StoredJob): Promise<ImportJobView['broke']> {
  if (!job.brokeIds?.length) return null;
  const members = await brokeMembers({ schoolId: job.schoolId }, job.brokeIds, job.userId);
  if (!members.length) return null;
  return { count: members.length + Math.max(0, (job.brokeCount ?? 0) - job.brokeIds.length), members };
}

/** The first imported members, in file order, for links (scoped to the job's school). */
async function importedMembers(job: StoredJob) {
  const ids = job.memberIds.slice(0, SHOWN_MEMBERS);
  if (!ids.length) return [];
  const members = await Member.find({ _id: mongoose.trusted({ $in: ids }), schoolId: job.schoolId })
    .select({ fullName: 1, studentCode: 1 })
    .lean();
  const order = new Map(ids.map((id, i) => [String(id), i]));
  return members
    .map((m) => ({ id: String(m._id), fullName: m.fullName, studentCode: m.studentCode }))
    .sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
}

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
