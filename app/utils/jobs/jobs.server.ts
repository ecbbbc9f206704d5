/**
 * Every scheduled job of the app, in one list the scheduler runs
 * (app/utils/jobs/scheduler.server.ts). A module that owns a job exports its
 * `JobDefinition` and is listed here.
 */
import type { JobDefinition } from './job-definition';
import { pipelineDueRefreshJob } from './pipeline-due-refresh.server';

export const JOBS: JobDefinition[] = [pipelineDueRefreshJob];
