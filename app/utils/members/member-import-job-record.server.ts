/**
 * The import job's document (`ImportJob`, decision 020): its shape, how long it lives, what
 * of the problems it keeps, and the lookup of a job by token for the user who made it.
 */
import { Types } from 'mongoose';
import { ImportJob } from '../../../models/import-job';
import type { ImportJobState, ImportSummaryView, JobOwner } from '~/domain/import-job';
import { MEMBER_COLUMNS, RESULT_COLUMNS, type ColumnDef } from '~/domain/member-import/columns';
import type { ImportKind, ImportProblem } from '~/domain/member-import/types';
import type { AuthUser } from '../auth/auth.server';

/** How long a job (and a checked file) is kept after its last step. */
export const UPLOAD_TTL_MS = 30 * 60_000;
/** Problems kept per job (the first ones in row order); the page says how many there were. */
export const MAX_STORED_PROBLEMS = 10_000;

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
export function storedProblems(problems: ImportProblem[]): ImportProblem[] {
  return problems.slice(0, MAX_STORED_PROBLEMS).map((p) => {
    if (p.value === undefined || !p.column || !SENSITIVE_HEADERS.has(p.column)) return p;
    const { value: _omitted, ...rest } = p;
    return rest;
  });
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

const TOKEN_RE = /^[A-Za-z0-9_-]{10,64}$/;

export async function findJob(token: string, user: Pick<AuthUser, 'id'>): Promise<StoredJob | null> {
  if (!TOKEN_RE.test(token) || !Types.ObjectId.isValid(user.id)) return null;
  return ImportJob.findOne({ token, userId: new Types.ObjectId(user.id) }).lean<StoredJob>();
}

export const later = (now: Date) => new Date(now.getTime() + UPLOAD_TTL_MS);
