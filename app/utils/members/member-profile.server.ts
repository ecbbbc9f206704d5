/**
 * Reading one member: the scoped lookup every /members/:id route starts with, the
 * profile view, and the audited reveal of sensitive fields (Law 91/2025).
 *
 * Scope is part of the query (`{ _id, ancestors: scopeUnitId }`): a member of another
 * school is simply not found, so it answers 404 exactly like an id that does not exist.
 */
import type { Types } from 'mongoose';
import mongoose from 'mongoose';
import { Member } from '../../../models/member';
import { Unit } from '../../../models/unit';
import type { ActivityView, AwardView, RatingView, TermView } from '~/utils/forms/member-records';
import { SENSITIVE_FIELDS, type SensitiveField } from '~/utils/forms/member';
import { dayNumber, vietnamDay } from '~/domain/calendar';
import { isStage, type Stage } from '~/domain/stages';
import type { AuthUser } from '../auth/auth.server';
import { CONSENT_PAUSE_PROJECTION, pausedSince } from '../student/consent.server';
import { can } from '~/domain/permissions';
import { auditMember, memberFilter } from './member-access.server';
import { forbidden, notFound } from '../responses.server';

/** "••••••••1234": enough to tell two people apart on the phone, not enough to misuse. */
export function maskCitizenId(value: string | null | undefined): string | null {
  if (!value) return null;
  return '••••••••' + value.slice(-4);
}

interface LeanRecords {
  academicTerms?: {
    year: string;
    term: number;
    scale: number;
    gpa?: number | null;
    conductScore?: number | null;
    conductRating?: string | null;
    studyRating?: string | null;
  }[];
  awards?: {
    _id: Types.ObjectId;
    title: string;
    kind: string;
    level: string;
    date?: Date | null;
    decisionNo?: string | null;
    issuer?: string | null;
    verified?: boolean | null;
  }[];
  activities?: {
    _id: Types.ObjectId;
    campaign: string;
    role?: string | null;
    days?: number | null;
    hours?: number | null;
    startDate?: Date | null;
    endDate?: Date | null;
    verifiedBy?: Types.ObjectId | null;
    verifiedAt?: Date | null;
  }[];
  unionRatings?: { year: string; level: string; participation?: number | null }[];
}

export const termKey = (t: { year: string; term: number }) => `${t.year}:${t.term}`;

/** Sub-records as the pages show them: newest first, plain values only. */
export function recordViews(m: LeanRecords) {
  const num = (v?: number | null) => (typeof v === 'number' ? v : null);
  const terms: TermView[] = (m.academicTerms ?? [])
    .map((t) => ({
      key: termKey(t),
      year: t.year,
      term: t.term,
      scale: t.scale,
      gpa: num(t.gpa),
      conductScore: num(t.conductScore),
      conductRating: t.conductRating ?? null,
      studyRating: t.studyRating ?? null,
    }))
    .sort((a, b) => b.year.localeCompare(a.year) || b.term - a.term);
  const awards: AwardView[] = (m.awards ?? [])
    .map((a) => ({
      key: String(a._id),
      title: a.title,
      kind: a.kind,
      level: a.level,
      date: vietnamDay(a.date),
      decisionNo: a.decisionNo ?? '',
      issuer: a.issuer ?? '',
      verified: !!a.verified,
    }))
    .sort((a, b) => b.date.localeCompare(a.date));
  const activities: ActivityView[] = (m.activities ?? [])
    .map((a) => ({
      key: String(a._id),
      campaign: a.campaign,
      role: a.role ?? '',
      days: num(a.days),
      hours: num(a.hours),
      startDate: vietnamDay(a.startDate),
      endDate: vietnamDay(a.endDate),
      verified: !!a.verifiedBy || !!a.verifiedAt,
    }))
    .sort((a, b) => b.startDate.localeCompare(a.startDate));
  const ratings: RatingView[] = (m.unionRatings ?? [])
    .map((r) => ({
      key: r.year,
      year: r.year,
      level: r.level,
      participation: typeof r.participation === 'number' ? String(r.participation) : '',
    }))
    .sort((a, b) => b.year.localeCompare(a.year));
  return { terms, awards, activities, ratings };
}

async function unitLookup(ids: (Types.ObjectId | null | undefined)[]) {
  const present = ids.filter(Boolean) as Types.ObjectId[];
  const units = present.length
    ? await Unit.find({ _id: mongoose.trusted({ $in: present }) })
        .select({ name: 1, schoolKind: 1 })
        .lean()
    : [];
  return (id?: Types.ObjectId | null) => (id ? (units.find((u) => u._id.equals(id)) ?? null) : null);
}

/** Header facts every /members/:id page shows; throws 404 outside the scope. */
export async function getMemberHeader(user: AuthUser, id: Types.ObjectId) {
  const m = await Member.findOne(memberFilter(user, id))
    .select({ fullName: 1, studentCode: 1, schoolId: 1, 'pipeline.stage': 1, ...CONSENT_PAUSE_PROJECTION })
    .lean();
  if (!m) throw notFound();
  const unit = await unitLookup([m.schoolId]);
  return {
    id: String(m._id),
    fullName: m.fullName,
    studentCode: m.studentCode,
    school: unit(m.schoolId)?.name ?? '',
    stage: (isStage(m.pipeline?.stage ?? '') ? m.pipeline!.stage : null) as Stage | null,
    // Consent withdrawn: every tab (profile, Quy trình, …) shows the pause banner.
    pausedSince: pausedSince(m.consent),
  };
}

export async function getMemberProfile(user: AuthUser, id: Types.ObjectId) {
  const m = await Member.findOne(memberFilter(user, id))
    .select({
      fullName: 1,
      studentCode: 1,
      dateOfBirth: 1,
      gender: 1,
      email: 1,
      phone: 1,
      ethnicity: 1,
      religion: 1,
      // select:false in the model: read here only to mask it, never sent whole.
      citizenId: 1,
      schoolId: 1,
      branchId: 1,
      partyCellId: 1,
      schoolKind: 1,
      schoolYear: 1,
      cohort: 1,
      expectedGraduation: 1,
      union: 1,
      unionRatings: 1,
      academicTerms: 1,
      awards: 1,
      activities: 1,
      'pipeline.stage': 1,
      'pipeline.stageSince': 1,
      'pipeline.history': 1,
      __v: 1,
    })
    .lean();
  if (!m) throw notFound();
  const unit = await unitLookup([m.schoolId, m.branchId, m.partyCellId]);
  const stage = m.pipeline?.stage && isStage(m.pipeline.stage) ? m.pipeline.stage : null;
  const history = m.pipeline?.history ?? [];
  const since = m.pipeline?.stageSince ?? [...history].reverse().find((h) => h.stage === stage)?.at ?? null;
  return {
    id: String(m._id),
    version: m.__v ?? 0,
    fullName: m.fullName,
    studentCode: m.studentCode,
    dateOfBirth: vietnamDay(m.dateOfBirth),
    gender: m.gender,
    email: m.email ?? '',
    phone: m.phone ?? '',
    school: unit(m.schoolId)?.name ?? '',
    schoolKind: m.schoolKind,
    branch: unit(m.branchId)?.name ?? null,
    partyCell: unit(m.partyCellId)?.name ?? null,
    schoolYear: m.schoolYear ?? null,
    cohort: m.cohort ?? null,
    expectedGraduation: m.expectedGraduation ?? null,
    unionJoinedAt: vietnamDay(m.union?.joinedAt),
    unionCardNumber: m.union?.cardNumber ?? '',
    // Masked for everyone; the values themselves only through the audited reveal.
    sensitive: {
      ethnicity: !!m.ethnicity,
      religion: !!m.religion,
      citizenId: maskCitizenId((m as { citizenId?: string | null }).citizenId),
    },
    ...recordViews(m),
    stage,
    stageSince: since ? since.toISOString() : null,
    // Calendar days in Vietnam, as the timeline shows them.
    daysInStage: since ? Math.max(0, dayNumber(new Date()) - dayNumber(since)) : null,
    canReveal: can(user.role, 'sensitive:read'),
    canEdit: can(user.role, 'member:write'),
  };
}

export type RevealedValues = Record<SensitiveField, string | null>;

/**
 * Returns the sensitive values of one member and logs who saw which fields when.
 * The caller has already checked `sensitive:read`; scope is in the query.
 */
export async function revealSensitive(user: AuthUser, id: Types.ObjectId): Promise<RevealedValues> {
  if (!can(user.role, 'sensitive:read')) throw forbidden();
  const m = await Member.findOne(memberFilter(user, id))
    .select({ ethnicity: 1, religion: 1, citizenId: 1, schoolId: 1 })
    .lean<{
      _id: Types.ObjectId;
      schoolId: Types.ObjectId;
      ethnicity?: string;
      religion?: string;
      citizenId?: string;
    }>();
  if (!m) throw notFound();
  const values: RevealedValues = {
    ethnicity: m.ethnicity ?? null,
    religion: m.religion ?? null,
    citizenId: m.citizenId ?? null,
  };
  // Logged before the values leave the server: a failed log write means no reveal.
  await auditMember(user, 'member.sensitive.reveal', m, { fields: [...SENSITIVE_FIELDS] });
  return values;
}
