/**
 * Short-lived, in-memory store for the import page: an uploaded file and its dry-run
 * report are kept under a random token, so the user reviews the report and then
 * commits the very file that was checked, without uploading it again. The commit runs
 * as a background job on that token; the page polls its progress.
 *
 * Why memory and not the database or disk: files are ≤ 10 MB, live minutes, and must
 * never outlive their purpose (they hold personal data). The cost: one process only.
 * Behind several app instances, use sticky sessions or move this store to a shared
 * place (a GridFS bucket with a TTL index). See docs/decisions/004-member-import-store.md.
 */
import { randomBytes } from 'node:crypto';
import mongoose, { Types } from 'mongoose';
import { Member } from '../../models/member';
import type { ImportKind } from '~/domain/member-import';
import { cellText } from '~/domain/member-import';
import { appendAudit } from './audit.server';
import type { AuthUser } from './auth.server';
import { noteMemberWrite } from './eligibility.server';
import { commitImport, parseImportFile, type CommitReport, type ImportProblem } from './member-import.server';

/** How long an upload waits for its commit. */
export const UPLOAD_TTL_MS = 30 * 60_000;
/** Uploads held at once across all users (≤ 10 MB each); the oldest goes first. */
const MAX_UPLOADS = 20;

export interface ImportSummaryView {
  rows: number;
  toCreate: number;
  toUpdate: number;
  unchanged: number;
}

export interface ImportJob {
  state: 'checking' | 'writing' | 'done' | 'failed';
  done: number;
  total: number;
  written: number;
  problems: ImportProblem[];
  /** A few of the imported members, to open straight from the page. */
  members: { id: string; fullName: string; studentCode: string }[];
}

export interface StoredUpload {
  token: string;
  userId: string;
  schoolId: string;
  schoolName: string;
  kind: ImportKind;
  filename: string;
  /** Dropped once committed. */
  buffer: Buffer | null;
  createdAt: number;
  ok: boolean;
  summary: ImportSummaryView;
  problems: ImportProblem[];
  job: ImportJob | null;
}

// One store per process; kept on globalThis so a dev-server module reload does not lose it.
const g = globalThis as typeof globalThis & { __memberImportStore?: Map<string, StoredUpload> };
const store: Map<string, StoredUpload> = (g.__memberImportStore ??= new Map());

function sweep(now = Date.now()) {
  for (const [token, upload] of store) {
    const running = upload.job && (upload.job.state === 'checking' || upload.job.state === 'writing');
    if (!running && now - upload.createdAt > UPLOAD_TTL_MS) store.delete(token);
  }
  // Oldest first (Map keeps insertion order); running jobs are never dropped.
  for (const [token, upload] of store) {
    if (store.size <= MAX_UPLOADS) break;
    if (!upload.job || upload.job.state === 'done' || upload.job.state === 'failed') store.delete(token);
  }
}

export function putUpload(upload: Omit<StoredUpload, 'token' | 'createdAt' | 'job'>): string {
  sweep();
  const token = randomBytes(18).toString('base64url');
  // A report with problems cannot be committed: keep the report, not the file.
  store.set(token, {
    ...upload,
    buffer: upload.ok ? upload.buffer : null,
    token,
    createdAt: Date.now(),
    job: null,
  });
  return token;
}

/** The upload behind `token`, only for the user who made it. */
export function getUpload(token: string | null | undefined, user: Pick<AuthUser, 'id'>): StoredUpload | null {
  sweep();
  if (!token || !/^[A-Za-z0-9_-]{10,64}$/.test(token)) return null;
  const upload = store.get(token);
  return upload && upload.userId === user.id ? upload : null;
}

/**
 * Starts the commit of a clean upload in the background (once; a second call is a
 * no-op). `commitImport` re-checks everything against the database before writing.
 */
export function startCommit(upload: StoredUpload, user: AuthUser): void {
  if (upload.job || !upload.ok || !upload.buffer) return;
  const job: ImportJob = { state: 'checking', done: 0, total: 0, written: 0, problems: [], members: [] };
  upload.job = job;
  const buffer = upload.buffer;
  void (async () => {
    try {
      const report: CommitReport = await commitImport({
        kind: upload.kind,
        schoolId: upload.schoolId,
        buffer,
        filename: upload.filename,
        actorId: user.id,
        onProgress: (done, total) => {
          job.state = 'writing';
          job.done = done;
          job.total = total;
        },
      });
      job.written = report.written;
      if (report.written > 0) noteMemberWrite();
      job.problems = report.problems;
      upload.summary = report.summary;
      if (report.written > 0) {
        // One event per import, not per member: what, by whom, into which school.
        await appendAudit({
          actorId: user.id,
          action: 'member.import',
          entity: 'MemberImport',
          entityId: null,
          unitId: new Types.ObjectId(upload.schoolId),
          details: {
            kind: upload.kind,
            filename: upload.filename,
            ...report.summary,
            written: report.written,
            ok: report.ok,
          },
        }).catch(() => {});
      }
      if (report.ok)
        job.members = await importedMembers(upload.schoolId, buffer, upload.filename, upload.kind);
      job.state = report.ok ? 'done' : 'failed';
    } catch {
      job.problems = [{ code: 'write_failed', params: { done: job.done } }];
      job.state = 'failed';
    } finally {
      upload.buffer = null;
      // The finished report stays readable for the rest of its time to live.
      upload.createdAt = Date.now();
    }
  })();
}

const SHOWN_MEMBERS = 20;

async function importedMembers(schoolId: string, buffer: Buffer, filename: string, kind: ImportKind) {
  const parsed = await parseImportFile(buffer, filename, kind);
  if (!parsed.ok) return [];
  const codes = [
    ...new Set(parsed.rows.map((r) => cellText(r.values.studentCode ?? null)).filter(Boolean)),
  ].slice(0, SHOWN_MEMBERS);
  if (!codes.length) return [];
  const members = await Member.find({
    schoolId: new Types.ObjectId(schoolId),
    studentCode: mongoose.trusted({ $in: codes }),
  })
    .select({ fullName: 1, studentCode: 1 })
    .lean();
  const order = new Map(codes.map((c, i) => [c, i]));
  return members
    .map((m) => ({ id: String(m._id), fullName: m.fullName, studentCode: m.studentCode }))
    .sort((a, b) => (order.get(a.studentCode) ?? 0) - (order.get(b.studentCode) ?? 0));
}

/** For tests: waits until the job on `token` has finished. */
export async function waitForJob(token: string, timeoutMs = 30_000): Promise<ImportJob | null> {
  const start = Date.now();
  for (;;) {
    const job = store.get(token)?.job ?? null;
    if (!job || job.state === 'done' || job.state === 'failed') return job;
    if (Date.now() - start > timeoutMs) return job;
    await new Promise((r) => setTimeout(r, 20));
  }
}
