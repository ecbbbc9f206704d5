/**
 * The mail's scheduled jobs (decision 033), listed in app/utils/jobs/jobs.server.ts:
 * compose and send every half minute, the daily digest at 06:30 Vietnam time (after the
 * quiet hours, so it goes out at once).
 */
import type { JobDefinition } from '../jobs/job-definition';
import { composeDailyDigests, composePendingMail } from './compose.server';
import { mailSettings } from './mail-settings.server';
import { sendDueMail } from './send.server';

export const MAIL_JOB: JobDefinition = {
  name: 'mail',
  schedule: { everyMs: 30_000 },
  async run({ now, signal }) {
    const settings = mailSettings();
    const composed = await composePendingMail(settings, { now, signal });
    const sent = await sendDueMail(settings, { now, signal });
    return {
      queued: composed.queued,
      skipped: composed.skipped,
      deferred: composed.deferred,
      sent: sent.sent,
      retried: sent.retried,
      failed: sent.failed,
      held: sent.held,
    };
  },
};

export const MAIL_DIGEST_JOB: JobDefinition = {
  name: 'mail-daily-digest',
  schedule: { dailyAt: '06:30' },
  async run({ now, signal }) {
    const settings = mailSettings();
    const { digests, queued, skipped } = await composeDailyDigests(settings, { now, signal });
    // Sent by the next run of the mail job, within half a minute.
    return { digests, notices: queued, skipped };
  },
};
