/**
 * The import jobs' process memory (member-import-jobs.server.ts explains why these stay out
 * of the database): the checked files' bytes, the dry runs' previews and the progress of the
 * commits running here, with the caps on how many files are held at once.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { JobOwner } from '~/domain/import-job';
import type { ImportPreview } from '~/domain/import-preview';

/**
 * Checked files held at once (≤ 10 MB each): at most MAX_FILES_PER_SCHOOL per school (a
 * school's own oldest goes first) and MAX_FILES in all (then the oldest file of the
 * school holding the most goes). One school re-uploading can therefore never push out
 * another school's pending import: with 20 slots shared oldest-first, it could (issue 17).
 */
export const MAX_FILES_PER_SCHOOL = 3;
export const MAX_FILES = 20;

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
export const local: ProcessJobs = (g.__memberImportJobs ??= {
  boot: randomBytes(9).toString('base64url'),
  files: new Map(),
  progress: new Map(),
});

// `??=`: a process that loaded an earlier version of this module has no previews map yet.
export const previews = () => (local.previews ??= new Map());

/** This process, as a job's owner: two processes cannot serve one host and port at once. */
export function currentOwner(): JobOwner {
  return { instance: `${hostname()}:${process.env.PORT ?? '3000'}`, boot: local.boot };
}

/** Drops expired files, then what is over the per-school and global caps; `keep` (just added) stays. */
export function sweepFiles(now = Date.now(), keep?: string) {
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
