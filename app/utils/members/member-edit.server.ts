/**
 * Creating and editing a member's identity: the one save action /members/new and
 * /members/:id/edit share.
 *
 * Optimistic concurrency: the form carries the `__v` it was opened on, and the update
 * filter is `{ _id, ancestors: scope, __v }` with `$inc: { __v: 1 }`. If someone saved
 * in between, nothing matches and the answer is a 409 with the user's values, so
 * nothing typed is lost and nothing stored is overwritten unseen.
 */
import type { Submission } from '@conform-to/react';
import { data, redirect } from '@remix-run/node';
import mongoose, { Types } from 'mongoose';
import { vietnamDay } from '~/domain/calendar';
import { Member } from '../../../models/member';
import { Unit } from '../../../models/unit';
import {
  MemberSchema,
  SENSITIVE_FIELDS,
  type BranchOption,
  type MemberFormValues,
  type SchoolOption,
  type SensitiveHints,
} from '~/utils/forms/member';
import type { Conflict } from '~/domain/pipeline';
import { compareVietnamese } from '~/domain/text';
import type { MessageKey } from '~/i18n';
import type { AuthUser } from '../auth/auth.server';
import { noteMemberWrite } from '../criteria/eligibility.server';
import { can } from '~/domain/permissions';
import { unitScopeFilter } from '../auth/permissions.server';
import { auditMember, memberFilter } from './member-access.server';
import { maskCitizenId, recordViews } from './member-profile.server';
import { parseVersion } from '../versioning.server';
import { brokeParam, refreshConflicts } from '../pipeline/pipeline-conflicts.server';
import { newMemberCourse } from './member-course.server';
import { inTransaction } from '../transaction.server';
import { parseForm, refusal, type FieldErrors } from '../forms/conform';
import { notFound } from '../responses.server';

const CLEAR_FIELD = {
  ethnicity: 'clearEthnicity',
  religion: 'clearReligion',
  citizenId: 'clearCitizenId',
} as const;

/** Schools the user may add members to, and their active branches, for the pickers. */
export async function editorOptions(
  user: AuthUser,
  onlySchool?: Types.ObjectId,
): Promise<{ schools: SchoolOption[]; branches: BranchOption[] }> {
  const schoolFilter: Record<string, unknown> = onlySchool
    ? { _id: onlySchool }
    : { kind: 'school', active: true, ...unitScopeFilter(user) };
  const schools = await Unit.find(schoolFilter)
    .select({ name: 1 })
    .lean<{ _id: Types.ObjectId; name: string }[]>();
  const ids = schools.map((s) => s._id);
  const branches = ids.length
    ? await Unit.find({ kind: 'branch', active: true, ancestors: mongoose.trusted({ $in: ids }) })
        .select({ name: 1, code: 1, ancestors: 1 })
        .lean()
    : [];
  const byName = (a: { label: string }, b: { label: string }) => compareVietnamese(a.label, b.label);
  return {
    schools: schools.map((s) => ({ id: String(s._id), label: s.name })).sort(byName),
    branches: branches
      .map((b) => ({
        id: String(b._id),
        label: `${b.name} (${b.code})`,
        schoolId: String(b.ancestors.find((a) => ids.some((id) => id.equals(a)))),
      }))
      .sort(byName),
  };
}

const EDIT_PROJECTION = {
  fullName: 1,
  studentCode: 1,
  dateOfBirth: 1,
  gender: 1,
  email: 1,
  phone: 1,
  ethnicity: 1,
  religion: 1,
  citizenId: 1,
  schoolId: 1,
  schoolKind: 1,
  branchId: 1,
  union: 1,
  expectedGraduation: 1,
  schoolYear: 1,
  cohort: 1,
  unionRatings: 1,
  academicTerms: 1,
  awards: 1,
  activities: 1,
  __v: 1,
} as const;

interface EditableMember {
  _id: Types.ObjectId;
  fullName: string;
  studentCode: string;
  dateOfBirth?: Date | null;
  gender?: string | null;
  email?: string | null;
  phone?: string | null;
  ethnicity?: string | null;
  religion?: string | null;
  citizenId?: string | null;
  schoolId: Types.ObjectId;
  schoolKind: string;
  branchId?: Types.ObjectId | null;
  union?: { joinedAt?: Date | null; cardNumber?: string | null } | null;
  expectedGraduation?: string | null;
  schoolYear?: string | null;
  cohort?: number | null;
  __v?: number;
}

function formValuesOf(m: EditableMember): MemberFormValues {
  return {
    fullName: m.fullName,
    studentCode: m.studentCode,
    dateOfBirth: vietnamDay(m.dateOfBirth),
    gender: m.gender ?? '',
    email: m.email ?? '',
    phone: m.phone ?? '',
    schoolId: String(m.schoolId),
    branchId: m.branchId ? String(m.branchId) : '',
    unionJoinedAt: vietnamDay(m.union?.joinedAt),
    unionCardNumber: m.union?.cardNumber ?? '',
    expectedGraduation: m.expectedGraduation ?? '',
    schoolYear: m.schoolYear ?? '',
    cohort: m.cohort ? String(m.cohort) : '',
  };
}

export async function getMemberForEdit(user: AuthUser, id: Types.ObjectId) {
  const m = await Member.findOne(memberFilter(user, id)).select(EDIT_PROJECTION).lean();
  if (!m) throw notFound();
  const member = m as unknown as EditableMember;
  // Masked hints only: editing is not a way around the audited reveal.
  const sensitiveHints: SensitiveHints = can(user.role, 'sensitive:read')
    ? {
        ethnicity: member.ethnicity ? '••••' : undefined,
        religion: member.religion ? '••••' : undefined,
        citizenId: maskCitizenId(member.citizenId) ?? undefined,
      }
    : {};
  return {
    id: String(m._id),
    version: m.__v ?? 0,
    schoolId: m.schoolId,
    highSchool: m.schoolKind === 'high_school',
    values: formValuesOf(member),
    sensitiveHints,
    ...recordViews(m),
  };
}

/** A refused identity: conform's reply and its messages by field (forms/conform.ts), the values posted. */
function invalid(
  submission: Submission<unknown, MessageKey[]>,
  fieldErrors: FieldErrors | null,
  status = 400,
  formError: MessageKey | null = null,
) {
  return data(
    {
      ...refusal(submission, fieldErrors ? { fieldErrors } : {}),
      values: submission.payload as MemberFormValues,
      formError,
    },
    { status },
  );
}

/** A duplicate key on the `{ schoolId, studentCode }` index (not any other write of the action). */
const isCodeTaken = (error: unknown) =>
  typeof error === 'object' &&
  error !== null &&
  (error as { code?: unknown }).code === 11000 &&
  'studentCode' in ((error as { keyPattern?: Record<string, unknown> }).keyPattern ?? {});

const utcDay = (v: string) => new Date(`${v}T00:00:00Z`);

/**
 * Creates (no `existingId`) or updates a member's identity. Returns a 400/409 `data()`
 * with the submission and messages, or throws a redirect with a toast.
 */
export async function saveMember(user: AuthUser, formData: FormData, existingId?: Types.ObjectId) {
  const canSensitive = can(user.role, 'sensitive:read');
  // Roles that may not see sensitive data may not write it either: forged fields are dropped.
  const dropped = new Set<string>(canSensitive ? [] : SENSITIVE_FIELDS.flatMap((f) => [f, CLEAR_FIELD[f]]));
  const form = new FormData();
  for (const [key, value] of formData)
    if (typeof value === 'string' && key !== 'intent' && !dropped.has(key)) form.append(key, value);

  let existing: EditableMember | null = null;
  let version: number | null = null;
  if (existingId) {
    existing = (await Member.findOne(memberFilter(user, existingId))
      .select(EDIT_PROJECTION)
      .lean()) as unknown as EditableMember | null;
    if (!existing) throw notFound();
    // The school is fixed once a member exists (the code is unique per school).
    form.set('schoolId', String(existing.schoolId));
    version = parseVersion(formData.get('version'));
  }

  const submission = parseForm(form, MemberSchema);
  if (existingId && version === null) return invalid(submission, null, 400, 'member.versionMissing');
  if (submission.status !== 'success') return invalid(submission, null);
  const input = submission.value;
  const refuse = (fieldErrors: FieldErrors, status = 400) => invalid(submission, fieldErrors, status);

  // The school: in scope, and a school. Admins and province users pick one; a school
  // Union has exactly one.
  let schoolId: Types.ObjectId;
  if (existing) schoolId = existing.schoolId;
  else {
    const { schools } = await editorOptions(user);
    const chosen = input.schoolId ?? (schools.length === 1 ? schools[0].id : undefined);
    if (!chosen || !schools.some((s) => s.id === chosen)) return refuse({ schoolId: ['member.v.school'] });
    schoolId = new Types.ObjectId(chosen);
  }
  const school = await Unit.findOne({ _id: schoolId, kind: 'school' })
    .select({ ancestors: 1, schoolKind: 1 })
    .lean();
  if (!school?.schoolKind) return refuse({ schoolId: ['member.v.school'] });

  // The branch: one of this school's. Its ancestors become the member's.
  let ancestors: Types.ObjectId[] = [...school.ancestors, school._id];
  let branchId: Types.ObjectId | null = null;
  if (input.branchId) {
    const branch = await Unit.findOne({
      _id: new Types.ObjectId(input.branchId),
      kind: 'branch',
      ancestors: schoolId,
    })
      .select({ ancestors: 1, active: 1 })
      .lean();
    const keepsOld = existing?.branchId?.equals(input.branchId);
    if (!branch || (!branch.active && !keepsOld)) return refuse({ branchId: ['member.v.branch'] });
    branchId = branch._id;
    ancestors = [...branch.ancestors, branch._id];
  }

  const id = existingId ?? new Types.ObjectId();
  if (await Member.exists({ schoolId, studentCode: input.studentCode, _id: mongoose.trusted({ $ne: id }) })) {
    return refuse({ studentCode: ['member.v.codeTaken'] }, 409);
  }

  const fields: Record<string, unknown> = {
    fullName: input.fullName,
    studentCode: input.studentCode,
    dateOfBirth: utcDay(input.dateOfBirth!),
    gender: input.gender,
    email: input.email,
    phone: input.phone,
    branchId,
    ancestors,
    'union.joinedAt': input.unionJoinedAt ? utcDay(input.unionJoinedAt) : undefined,
    'union.cardNumber': input.unionCardNumber,
    expectedGraduation: input.expectedGraduation,
    // A new member without them gets the current school year and its branch's course; on an
    // edit, blank keeps what is stored (a member always has a school year once it has one).
    ...(existing
      ? {
          ...(input.schoolYear ? { schoolYear: input.schoolYear } : {}),
          ...(input.cohort ? { cohort: input.cohort } : {}),
        }
      : await newMemberCourse(branchId, input)),
  };
  const cleared: string[] = [];
  if (canSensitive) {
    for (const f of SENSITIVE_FIELDS) {
      if (input[f]) fields[f] = input[f];
      else if (input[CLEAR_FIELD[f]]) cleared.push(f);
      // Blank and not cleared: keep what is stored.
    }
  }

  // An edit with nothing to change writes nothing, and no event.
  let edit: { set: Record<string, unknown>; unset: string[]; changed: string[] } | null = null;
  if (existing) {
    const changed = changedFields(existing, fields, cleared);
    if (changed.length === 0) throw redirect(`/members/${id}?ok=memberUnchanged`);
    edit = {
      set: Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
      unset: [
        ...Object.entries(fields)
          .filter(([, v]) => v === undefined)
          .map(([k]) => k),
        ...cleared,
      ],
      changed,
    };
  }

  // The record and its event commit together or not at all (decision 018). An edit stands
  // on what was read through the version in its filter (a stale form matches nothing); a
  // creation's event is the member's version 0.
  let outcome: 'saved' | 'conflict';
  // Recorded steps a new date of birth (or anything they relied on) no longer satisfies.
  let broke: Conflict[] = [];
  try {
    outcome = await inTransaction(async () => {
      if (existing && edit) {
        const result = await Member.updateOne(
          { ...memberFilter(user, id), __v: version },
          {
            $set: edit.set,
            ...(edit.unset.length ? { $unset: Object.fromEntries(edit.unset.map((k) => [k, 1])) } : {}),
            $inc: { __v: 1 },
          },
        );
        if (result.matchedCount === 0) return 'conflict';
        await auditMember(
          user,
          'member.update',
          { _id: id, schoolId },
          { fields: edit.changed, ...beforeAfter(existing, fields, edit.changed), version: version! + 1 },
        );
        broke = await refreshConflicts(id, user.id);
        return 'saved';
      }
      const { 'union.joinedAt': joinedAt, 'union.cardNumber': cardNumber, ...rest } = fields;
      const now = new Date();
      const doc: Record<string, unknown> = {
        _id: id,
        ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
        schoolId,
        schoolKind: school.schoolKind,
        union: { joinedAt, cardNumber },
        pipeline: {
          stage: 'member',
          stageSince: now,
          history: [{ stage: 'member', at: now, by: new Types.ObjectId(user.id) }],
        },
      };
      await Member.create(doc);
      await auditMember(
        user,
        'member.create',
        { _id: id, schoolId },
        { fields: Object.keys(rest).filter((k) => rest[k] !== undefined), version: 0 },
      );
      return 'saved';
    });
  } catch (error) {
    // Two users saving the same code at once: the unique index answers for the second.
    if (isCodeTaken(error)) return refuse({ studentCode: ['member.v.codeTaken'] }, 409);
    throw error;
  }
  if (outcome === 'conflict') return conflict(submission);
  noteMemberWrite();
  if (broke.length) throw redirect(`/members/${id}?ok=memberSavedConflict${brokeParam(broke)}`);
  throw redirect(`/members/${id}?ok=${existing ? 'memberSaved' : 'memberCreated'}`);
}

/** 409: someone saved first. The user's values go back into the form. */
export function conflict(submission: Submission<unknown, MessageKey[]>) {
  return invalid(submission, null, 409, 'member.conflict');
}

/** Old and new values of the changed fields for the audit log; sensitive ones stay names only. */
function beforeAfter(existing: EditableMember, fields: Record<string, unknown>, changed: string[]) {
  const current: Record<string, unknown> = {
    ...existing,
    'union.joinedAt': existing.union?.joinedAt,
    'union.cardNumber': existing.union?.cardNumber,
  };
  const shown = changed.filter((k) => !(SENSITIVE_FIELDS as readonly string[]).includes(k));
  const value = (v: unknown) => (v instanceof Date ? vietnamDay(v) : (v ?? null));
  return {
    before: Object.fromEntries(shown.map((k) => [k, value(current[k])])),
    after: Object.fromEntries(shown.map((k) => [k, value(fields[k])])),
  };
}

/** Names of the fields a save would change (sensitive ones by name only, never values). */
function changedFields(
  existing: EditableMember,
  fields: Record<string, unknown>,
  cleared: string[],
): string[] {
  const current: Record<string, unknown> = {
    ...existing,
    'union.joinedAt': existing.union?.joinedAt,
    'union.cardNumber': existing.union?.cardNumber,
  };
  const same = (a: unknown, b: unknown) => {
    const norm = (v: unknown) =>
      v === undefined || v === null || v === ''
        ? null
        : v instanceof Date
          ? v.getTime()
          : Array.isArray(v)
            ? v.map(String).join(',')
            : String(v);
    return norm(a) === norm(b);
  };
  // `ancestors` follows the branch, so the branch alone says whether it changed.
  const changed = Object.keys(fields).filter((k) => k !== 'ancestors' && !same(current[k], fields[k]));
  for (const f of cleared) if (current[f]) changed.push(f);
  return changed;
}
