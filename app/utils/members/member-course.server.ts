/**
 * The school year (Năm học) and course (Khóa, kept as its entry year in `cohort`) a
 * new member gets when the form or the file leaves them out: the current school year
 * (Vietnam time, from September), and the course of the member's branch
 * (app/domain/import-preview.ts `defaultCohort`). Without them a new member drops out
 * of the member list's school-year filter.
 */
import mongoose, { type Types } from 'mongoose';
import { Member } from '../../../models/member';
import { defaultCohort } from '~/domain/import-preview';
import { schoolYearOf } from '~/domain/calendar';

/** The courses of the members of each branch, by branch id. */
export async function branchCohorts(branchIds: readonly Types.ObjectId[]): Promise<Map<string, number[]>> {
  const byBranch = new Map<string, number[]>();
  if (!branchIds.length) return byBranch;
  const members = await Member.find({ branchId: mongoose.trusted({ $in: [...branchIds] }) })
    .select({ branchId: 1, cohort: 1 })
    .lean();
  for (const m of members) {
    if (typeof m.cohort !== 'number' || !m.branchId) continue;
    const key = String(m.branchId);
    const cohorts = byBranch.get(key);
    if (cohorts) cohorts.push(m.cohort);
    else byBranch.set(key, [m.cohort]);
  }
  return byBranch;
}

/** School year and course for one new member of `branchId` (none: the current year's course). */
export async function newMemberCourse(
  branchId: Types.ObjectId | null,
  given: { schoolYear?: string; cohort?: number },
  now = new Date(),
): Promise<{ schoolYear: string; cohort: number }> {
  const schoolYear = given.schoolYear ?? schoolYearOf(now);
  if (given.cohort !== undefined) return { schoolYear, cohort: given.cohort };
  const cohorts = branchId ? ((await branchCohorts([branchId])).get(String(branchId)) ?? []) : [];
  return { schoolYear, cohort: defaultCohort(cohorts, schoolYearOf(now)) };
}
