/**
 * What the import page shows of a job: one page of its problems, what may be done next, and
 * once committed, the progress, the first imported members and the members whose recorded
 * step the import broke.
 */
import mongoose from 'mongoose';
import { Member } from '../../../models/member';
import type { ImportJobView, ImportUploadView } from '~/domain/import-job';
import type { ImportPreview } from '~/domain/import-preview';
import { brokeMembers } from './broke-members.server';
import { local } from './member-import-job-memory.server';
import type { StoredJob } from './member-import-job-record.server';

/** What the page needs of a job, beyond the stored document. */
export interface JobRead extends StoredJob {
  /** The checked file's bytes are held by this process. */
  fileHere: boolean;
  /** The dry run's rows and column mapping, while this process holds them (until the commit). */
  preview: ImportPreview | null;
  job: ImportJobView | null;
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

export async function jobView(job: StoredJob): Promise<ImportJobView | null> {
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
