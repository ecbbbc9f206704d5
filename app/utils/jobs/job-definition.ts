/**
 * A durable scheduled job as the modules that own one declare it (the scheduler is
 * app/utils/jobs/scheduler.server.ts; decision 032). Times are Vietnam time (UTC+7, no DST).
 */
export type JobSchedule =
  /** Every so many milliseconds after the previous run finished. */
  | { everyMs: number }
  /** Every day at `HH:MM` Vietnam time. */
  | { dailyAt: string }
  /** Every week on `weekday` (1 = Monday … 7 = Sunday) at `HH:MM` Vietnam time. */
  | { weeklyAt: { weekday: 1 | 2 | 3 | 4 | 5 | 6 | 7; time: string } };

export interface JobContext {
  /** The time the run is for (tests pass a fixed one). */
  now: Date;
  /** Aborted when the app shuts down: stop at the next safe point. */
  signal: AbortSignal;
}

export interface JobDefinition {
  /** Unique, stable: the job's document is keyed by it. */
  name: string;
  schedule: JobSchedule;
  /**
   * Also run once whenever an instance starts (still through the claim): for derived data
   * that a deployment or downtime may have left stale, like the nightly refresh.
   */
  runAtStart?: boolean;
  /** Returns a short summary the admin sees (`/admin/jobs`), e.g. `{ scanned, sent }`. */
  run(ctx: JobContext): Promise<Record<string, number | string> | void>;
}
