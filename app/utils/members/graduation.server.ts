/**
 * The expected-graduation warning of one member (app/domain/graduation.ts), for the Quy trình
 * tab: read in the user's scope, judged with the working-day calendar the deadlines use.
 */
import { Member } from '../../../models/member';
import { graduationWarning, type GraduationWarning } from '~/domain/graduation';
import type { PipelineRecord } from '~/domain/pipeline';
import { loadCalendar } from '../pipeline/working-calendar.server';

export async function graduationWarningOf(
  scope: Record<string, unknown>,
  now = new Date(),
): Promise<GraduationWarning | null> {
  const m = await Member.findOne(scope)
    .select({ expectedGraduation: 1, pipeline: 1 })
    .lean<{ expectedGraduation?: string | null; pipeline?: PipelineRecord | null }>();
  if (!m) return null;
  return graduationWarning(m, await loadCalendar(), now);
}
