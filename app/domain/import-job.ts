/**
 * The states of a member import job as the page shows them, and when a job left
 * `committing` by a process is known to be interrupted (docs/decisions/020-import-in-one-transaction.md).
 * Pure and isomorphic: the server decides, the page renders the same types.
 */
import type { ImportPreview } from './import-preview';
import type { ImportKind, ImportProblem } from './member-import/types';

export type ImportJobState = 'checked' | 'committing' | 'done' | 'failed' | 'interrupted';

/** The process that runs a commit: the app instance (host and port) and this run of it. */
export interface JobOwner {
  instance: string;
  boot: string;
}

export interface InterruptedInput {
  owner: JobOwner | null | undefined;
  startedAt: Date | null | undefined;
}

export interface InterruptedContext {
  now: Date;
  /** This process. */
  self: JobOwner;
  /** This process runs the job's commit right now. */
  runningHere: boolean;
  /**
   * After this long no transaction of the commit can still commit: the commit gives up
   * by itself at its budget, and the server aborts any transaction older than its lifetime.
   */
  staleAfterMs: number;
}

/**
 * A job found `committing` whose transaction can no longer commit, so nothing of it
 * was written and nothing will be:
 * - it is this process's own job, but this process no longer runs it;
 * - it was started by an earlier run of this same instance (two processes cannot serve
 *   one host and port at once, so that run is dead);
 * - whoever started it, it started longer ago than the longest a commit can take.
 * Another live instance's recent job is still running: its owner alone says nothing.
 */
export function isInterrupted(job: InterruptedInput, ctx: InterruptedContext): boolean {
  const owner = job.owner;
  if (owner?.boot === ctx.self.boot && owner.instance === ctx.self.instance) return !ctx.runningHere;
  if (owner?.instance === ctx.self.instance) return true;
  if (!job.startedAt) return true;
  return ctx.now.getTime() - job.startedAt.getTime() > ctx.staleAfterMs;
}

export interface ImportSummaryView {
  rows: number;
  toCreate: number;
  toUpdate: number;
  unchanged: number;
}

/** A job's commit, once asked for (absent while the file only has been checked). */
export interface ImportJobView {
  state: Exclude<ImportJobState, 'checked'>;
  /**
   * While committing: `rechecking` against the database, `writing` (done / total known),
   * or `elsewhere` (another app instance runs it: no progress figures here).
   */
  phase: 'rechecking' | 'writing' | 'elsewhere' | null;
  done: number;
  total: number;
  written: number;
  /** A few of the imported members, to open straight from the page. */
  members: { id: string; fullName: string; studentCode: string }[];
  /**
   * Existing members whose update broke a recorded step: how many, and the first ones with
   * each conflict's message (null when the import broke nothing).
   */
  broke: {
    count: number;
    members: { id: string; fullName: string; studentCode: string; conflicts: { vi: string; en: string }[] }[];
  } | null;
}

export interface ImportUploadView {
  token: string;
  kind: ImportKind;
  filename: string;
  schoolName: string;
  /** The dry run found no problem. */
  ok: boolean;
  state: ImportJobState;
  summary: ImportSummaryView;
  /** The dry run's problems, or a failed commit's; paged. */
  problemCount: number;
  problems: ImportProblem[];
  /** Fewer problems are kept than were found (the first ones, in row order). */
  problemsKept: number;
  page: number;
  pages: number;
  canCommit: boolean;
  /** Checked and clean, and every row matches what is stored: nothing to write, no commit offered. */
  nothingToDo: boolean;
  /** The rows as they will be written and the column mapping, while this process holds them. */
  preview: ImportPreview | null;
  /** Checked and clean, but the file is no longer held (a restart): upload it again. */
  fileGone: boolean;
  job: ImportJobView | null;
}

/** The commit runs: the page keeps polling. */
export const isRunning = (job: ImportJobView | null | undefined): boolean => job?.state === 'committing';
