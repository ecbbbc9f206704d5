/**
 * Every scheduled job of the app, in one list the scheduler runs
 * (app/utils/jobs/scheduler.server.ts). A module that owns a job exports its
 * `JobDefinition` and is listed here.
 */
import type { JobDefinition } from './job-definition';
import { MAIL_DIGEST_JOB, MAIL_JOB } from '../mail/mail-jobs.server';

export const JOBS: JobDefinition[] = [MAIL_JOB, MAIL_DIGEST_JOB];
