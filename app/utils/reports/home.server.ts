import mongoose, { Types } from 'mongoose';
import { Member } from '../../../models/member';
import { Unit } from '../../../models/unit';
import { vietnamYear } from '~/domain/calendar';
import { isStage, type Stage } from '~/domain/stages';
import type { AuthUser } from '../auth/auth.server';
import { scopeFilter, unitScopeFilter } from '../auth/permissions.server';
import { sortByStage } from '../pipeline/stage-order';
import { targetProgress, type TargetProgressRow } from './targets.server';

export interface ScopeSummary {
  scopeName: string | null;
  unitsByKind: Record<string, number>;
  membersByStage: { stage: Stage; count: number }[];
  memberTotal: number;
}

/** Figures for a staff home page, each computed by one aggregation inside the user's scope. */
export async function scopeSummary(user: AuthUser): Promise<ScopeSummary> {
  const [scopeUnit, unitGroups, stageGroups] = await Promise.all([
    user.role === 'admin'
      ? null
      : Unit.findOne({ _id: new Types.ObjectId(user.unitId) })
          .select({ name: 1 })
          .lean(),
    Unit.aggregate<{ _id: string; count: number }>([
      { $match: { ...unitScopeFilter(user), active: true } },
      { $group: { _id: '$kind', count: { $sum: 1 } } },
    ]),
    Member.aggregate<{ _id: string; count: number }>([
      { $match: scopeFilter(user) },
      { $group: { _id: '$pipeline.stage', count: { $sum: 1 } } },
    ]),
  ]);
  const membersByStage = sortByStage(
    stageGroups.filter((g) => isStage(g._id)).map((g) => ({ stage: g._id as Stage, count: g.count })),
  );
  return {
    scopeName: scopeUnit?.name ?? null,
    unitsByKind: Object.fromEntries(unitGroups.map((g) => [g._id, g.count])),
    membersByStage,
    memberTotal: stageGroups.reduce((sum, g) => sum + g.count, 0),
  };
}

export async function studentRecord(user: AuthUser) {
  if (!user.memberId) return null;
  const member = await Member.findOne(scopeFilter(user))
    .select({ fullName: 1, studentCode: 1, schoolId: 1, branchId: 1, 'pipeline.stage': 1 })
    .lean();
  if (!member) return null;
  const unitIds = [member.schoolId, member.branchId].filter(Boolean) as Types.ObjectId[];
  const units = await Unit.find({ _id: mongoose.trusted({ $in: unitIds }) })
    .select({ name: 1 })
    .lean();
  const nameOf = (id?: Types.ObjectId | null) =>
    id ? (units.find((u) => u._id.equals(id))?.name ?? null) : null;
  const stage = member.pipeline?.stage;
  return {
    fullName: member.fullName,
    studentCode: member.studentCode,
    school: nameOf(member.schoolId),
    branch: nameOf(member.branchId ?? null),
    stage: stage && isStage(stage) ? stage : null,
  };
}

/** This year's admissions against the target of the user's school (school roles); null above school level. */
export async function schoolTargetProgress(
  user: AuthUser,
  now = new Date(),
): Promise<(TargetProgressRow & { year: number }) | null> {
  const unit = await Unit.findOne({ _id: new Types.ObjectId(user.unitId) })
    .select({ schoolId: 1 })
    .lean();
  if (!unit?.schoolId) return null;
  const year = vietnamYear(now);
  const progress = await targetProgress([unit.schoolId], year, now);
  return { year, ...progress[String(unit.schoolId)] };
}
