/**
 * Every scheduled job of the app, in one list the scheduler runs
 * (app/utils/jobs/scheduler.server.ts). A module that owns a job exports its
 * `JobDefinition` and is listed here.
 */
import type { JobDefinition } from './job-definition';
import { pipelineDueRefreshJob } from './pipeline-due-refresh.server';
import { MAIL_DIGEST_JOB, MAIL_JOB } from '../mail/mail-jobs.server';
import { DUE_SCAN_JOB } from '../notifications/due-scan.server';
import { WEEKLY_DIGEST_JOB } from '../notifications/weekly-digest.server';

export const JOBS: JobDefinition[] = [
  pipelineDueRefreshJob,
  // Notifications (issue 21, decision 031): the daily due-date scan and the weekly digests.
  DUE_SCAN_JOB,
  WEEKLY_DIGEST_JOB,
  // Mail (decision 033): compose and send every 30 s; the daily digest at 06:30.
  MAIL_JOB,
  MAIL_DIGEST_JOB,
];
