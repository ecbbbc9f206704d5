/**
 * The nightly refresh of derived data that goes stale as days pass: stored eligibility
 * verdicts (ages, certificate expiry, 24-month windows; decision 006), each record's next
 * legal deadline (`pipeline.due`, probation ending by itself), then the province
 * dashboards' figures, so the first request of the day does not pay for the scan.
 * Just after each midnight in Vietnam, and at every start (a deployment or downtime may
 * have left them stale). Formerly a timer in server.ts; now a durable job (decision 032),
 * so several instances do it once and the admin sees when it last ran.
 */
import type { JobDefinition } from './job-definition';
import { refreshEligibility } from '../criteria/eligibility.server';
import { refreshAllPipelineDue } from '../pipeline/pipeline-due.server';
import { warmDashboards } from '../reports/reports.server';

export const PIPELINE_DUE_REFRESH = 'pipeline-due-refresh';

export const pipelineDueRefreshJob: JobDefinition = {
  name: PIPELINE_DUE_REFRESH,
  schedule: { dailyAt: '00:05' },
  runAtStart: true,
  async run({ now, signal }) {
    const summary: Record<string, number> = {};
    // The same log lines as before it was a job: the operations checklist and the load
    // benchmark (bench/http-app.ts waits for `[deadlines]`) read them.
    const eligibility = await refreshEligibility({}, now);
    console.error(
      `[eligibility] ${eligibility.written} of ${eligibility.stale} stale verdicts refreshed in ${eligibility.ms} ms`,
    );
    summary.verdicts = eligibility.written;
    // Each step is whole on its own: stop between them when the app shuts down.
    if (signal.aborted) return summary;
    const deadlines = await refreshAllPipelineDue({ now });
    console.error(
      `[deadlines] ${deadlines.written} of ${deadlines.scanned} next deadlines updated in ${deadlines.ms} ms`,
    );
    summary.deadlines = deadlines.written;
    summary.scanned = deadlines.scanned;
    if (signal.aborted) return summary;
    // The dashboards' figures are kept in this process: the instance that ran the job
    // has them warm; the others count on their first visit, as before any warm-up.
    summary.dashboards = await warmDashboards(now);
    return summary;
  },
};
