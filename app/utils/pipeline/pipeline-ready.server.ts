/**
 * The "ready for the next step" queue (`/pipeline/ready`): the candidates at a bulk step's
 * starting stage, split into those every rule of the step lets through today and those
 * blocked, with the reasons. The bulk action (pipeline-bulk.server.ts) reads the same
 * candidates with the same projection.
 */
import { Types } from 'mongoose';
import { Member } from '../../../models/member';
import { dayNumber } from '~/domain/calendar';
import type { Text } from '~/domain/criteria/types';
import { dutyBlocks, isReadyForNextStep, type PipelineMember } from '~/domain/pipeline';
import { stepFrom, type BulkStep } from '~/domain/pipeline/bulk-steps';
import type { AuthUser } from '../auth/auth.server';
import { scopeFilter } from '../auth/permissions.server';
import { ensureEligibility } from '../criteria/eligibility.server';
import { isProvinceWide, unitNamesById } from '../members/members-list.server';
import { loadCalendar } from './working-calendar.server';

/** Candidates listed in the ready queue at once. */
export const READY_LIMIT = 300;

export const PROJECTION = {
  fullName: 1,
  studentCode: 1,
  schoolId: 1,
  dateOfBirth: 1,
  pipeline: 1,
  eligibility: 1,
  nameSortKey: 1,
  // The machine pauses a record whose consent is withdrawn: it must see the consent.
  consent: 1,
  __v: 1,
} as const;

export interface Candidate {
  _id: Types.ObjectId;
  fullName: string;
  studentCode: string;
  schoolId: Types.ObjectId;
  dateOfBirth?: Date;
  pipeline?: Record<string, unknown> & { stage?: string; stageSince?: Date };
  eligibility?: { eligible?: boolean | null };
  consent?: PipelineMember['consent'];
  __v?: number;
}

const oid = (id: string) => new Types.ObjectId(id);

function candidateFilter(user: AuthUser, step: BulkStep, school: string | undefined) {
  const filter: Record<string, unknown> = { ...scopeFilter(user), 'pipeline.stage': stepFrom(step) };
  // The route checked the school against the user's scope: the narrower unit replaces it.
  if (school) filter.ancestors = oid(school);
  // Selecting outstanding members starts from the criteria verdict (stored, refreshed daily).
  if (step === 'select_outstanding') filter['eligibility.eligible'] = true;
  return filter;
}

export interface QueueRow {
  id: string;
  fullName: string;
  studentCode: string;
  school: string;
  daysInStage: number | null;
  reasons: Text[];
}

/**
 * The candidates at the step's starting stage, split into ready (every rule of the
 * step met today) and blocked (with the reasons: the rules, withdrawn consent, and
 * separation of duties for this user, so nobody selects a record the action would
 * refuse). Province-wide roles pick a school: a bulk step is one school's document.
 */
export async function loadReadyQueue(
  user: AuthUser,
  step: BulkStep,
  school: string | undefined,
  now = new Date(),
) {
  if (isProvinceWide(user) && !school) return { ready: [], blocked: [], truncated: false, needsSchool: true };
  if (step === 'select_outstanding') await ensureEligibility(scopeFilter(user), now);
  const [rows, calendar] = await Promise.all([
    Member.find(candidateFilter(user, step, school))
      .sort({ nameSortKey: 1, _id: 1 })
      .limit(READY_LIMIT + 1)
      .select(PROJECTION)
      .lean<Candidate[]>(),
    loadCalendar(),
  ]);
  const truncated = rows.length > READY_LIMIT;
  const shown = rows.slice(0, READY_LIMIT);
  const schools = await unitNamesById(shown.map((r) => String(r.schoolId)));
  const ready: QueueRow[] = [];
  const blocked: QueueRow[] = [];
  for (const r of shown) {
    const member = r as unknown as PipelineMember;
    const readiness = isReadyForNextStep(member, calendar, now);
    const duties = dutyBlocks(member, step, { id: user.id, role: user.role });
    const reasons = [...readiness.reasons, ...duties];
    const since = r.pipeline?.stageSince;
    const row: QueueRow = {
      id: String(r._id),
      fullName: r.fullName,
      studentCode: r.studentCode,
      school: schools.get(String(r.schoolId)) ?? '',
      daysInStage: since ? Math.max(0, dayNumber(now) - dayNumber(since)) : null,
      reasons: reasons.map((x) => x.message),
    };
    (readiness.ready && duties.length === 0 ? ready : blocked).push(row);
  }
  return { ready, blocked, truncated, needsSchool: false };
}
