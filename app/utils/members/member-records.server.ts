/**
 * Adding, editing and removing a member's sub-records (academic terms, awards,
 * activities, yearly Union ratings) from the edit page.
 *
 * Each change is a read-modify-write of one array guarded by the document version:
 * the new array is computed here (so uniqueness rules such as "one rating per year"
 * are checked on what is really stored) and written with
 * `{ _id, ancestors: scope, __v } → $set + $inc __v`, with its audit event (carrying the
 * new version) in the same transaction. A concurrent change makes the write match
 * nothing: 409, the user's values kept, nothing written.
 */
import type { Submission } from '@conform-to/react';
import { data, redirect } from '@remix-run/node';
import { Types } from 'mongoose';
import { z } from 'zod';
import { Member } from '../../../models/member';
import {
  RECORD_SCHEMAS,
  type ActivityInput,
  type AwardInput,
  type RatingInput,
  type RecordFailure,
  type RecordKind,
  type TermInput,
} from '~/utils/forms/member-records';
import type { MessageKey } from '~/i18n';
import { latestGpa10, type TermWithGpa } from '~/domain/latest-gpa';
import type { AuthUser } from '../auth/auth.server';
import { noteMemberWrite } from '../criteria/eligibility.server';
import { auditMember, memberFilter } from './member-access.server';
import { termKey } from './member-profile.server';
import { parseVersion } from '../versioning.server';
import { inTransaction } from '../transaction.server';
import { errorsOf, formErrorOf, parseForm, type FormResult } from '../forms/conform';
import { badRequest, notFound } from '../responses.server';

const ARRAY_OF: Record<RecordKind, 'academicTerms' | 'awards' | 'activities' | 'unionRatings'> = {
  term: 'academicTerms',
  award: 'awards',
  activity: 'activities',
  rating: 'unionRatings',
};

/** The toast after each kind of change (catalogue keys `toast.<name>`). */
const TOAST: Record<RecordKind, string> = {
  term: 'memberTermSaved',
  award: 'memberAwardSaved',
  activity: 'memberActivitySaved',
  rating: 'memberRatingSaved',
};

type Item = Record<string, unknown> & { _id?: Types.ObjectId };

/** What was typed, as posted (the form's own hidden fields left out), to show it again. */
function typedValues(payload: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(payload).filter(
      (entry): entry is [string, string] =>
        typeof entry[1] === 'string' && !['intent', 'key', 'version'].includes(entry[0]),
    ),
  );
}

/**
 * A refused change: conform's reply (the form's `lastResult`; a domain refusal beside its
 * field or for the whole form) and, for readers without conform, the same messages by field.
 */
function fail(
  record: RecordKind,
  key: string,
  submission: Submission<unknown, MessageKey[]>,
  refusal: { fieldErrors?: Record<string, MessageKey[]>; formError?: MessageKey } = {},
  status = 400,
) {
  const result: FormResult = submission.reply({
    ...(refusal.fieldErrors ? { fieldErrors: refusal.fieldErrors } : {}),
    ...(refusal.formError ? { formErrors: [refusal.formError] } : {}),
  });
  return data(
    {
      record,
      key,
      result,
      values: typedValues(submission.payload),
      fieldErrors: errorsOf(result),
      formError: formErrorOf(result),
    } satisfies RecordFailure,
    { status },
  );
}

/** Nothing to check in a removal's post but its key and version. */
const RemoveSchema = z.object({});

const keyOf = (record: RecordKind, item: Item): string =>
  record === 'term'
    ? termKey(item as { year: string; term: number })
    : record === 'rating'
      ? String(item.year)
      : String(item._id);

const utcDay = (v?: string) => (v ? new Date(`${v}T00:00:00Z`) : undefined);

function toItem(record: RecordKind, input: unknown, user: AuthUser, old: Item | undefined): Item {
  switch (record) {
    case 'term': {
      const v = input as TermInput;
      const out: Item = { year: v.year, term: v.term, scale: v.scale };
      if (v.gpa !== undefined) out.gpa = v.gpa;
      if (v.conductScore !== undefined) out.conductScore = v.conductScore;
      if (v.conductRating) out.conductRating = v.conductRating;
      if (v.studyRating) out.studyRating = v.studyRating;
      return out;
    }
    case 'award': {
      const v = input as AwardInput;
      return {
        _id: old?._id ?? new Types.ObjectId(),
        title: v.title,
        kind: v.kind,
        level: v.level,
        date: utcDay(v.date),
        decisionNo: v.decisionNo,
        issuer: v.issuer,
        verified: v.verified,
      };
    }
    case 'activity': {
      const v = input as ActivityInput;
      const wasVerified = !!old?.verifiedBy || !!old?.verifiedAt;
      return {
        _id: old?._id ?? new Types.ObjectId(),
        campaign: v.campaign,
        role: v.role,
        days: v.days,
        hours: v.hours,
        startDate: utcDay(v.startDate),
        endDate: utcDay(v.endDate),
        // Who verified and when are kept while it stays verified; unticking clears them.
        verifiedBy: v.verified
          ? wasVerified
            ? (old?.verifiedBy ?? null)
            : new Types.ObjectId(user.id)
          : null,
        verifiedAt: v.verified ? (wasVerified ? old?.verifiedAt : new Date()) : undefined,
      };
    }
    case 'rating': {
      const v = input as RatingInput;
      return {
        year: v.year,
        level: v.level,
        ...(v.participation !== undefined ? { participation: v.participation } : {}),
      };
    }
  }
}

/** The field a duplicate lands on, and its message. */
const DUPLICATE: Partial<Record<RecordKind, [string, MessageKey]>> = {
  term: ['term', 'member.v.termTaken'],
  rating: ['year', 'member.v.ratingTaken'],
};

/**
 * Handles `<kind>.save` (key empty: add; key set: edit that item) and `<kind>.remove`.
 * Returns a 400/404/409 `data()` for the form, or throws a redirect with a toast.
 */
export async function changeRecord(
  user: AuthUser,
  memberId: Types.ObjectId,
  record: RecordKind,
  op: 'save' | 'remove',
  formData: FormData,
) {
  const rawKey = formData.get('key');
  const key = typeof rawKey === 'string' ? rawKey : '';
  const submission = parseForm(formData, op === 'save' ? RECORD_SCHEMAS[record] : RemoveSchema);
  const version = parseVersion(formData.get('version'));
  if (version === null) return fail(record, key, submission, { formError: 'member.versionMissing' });
  if (submission.status !== 'success') return fail(record, key, submission);
  const input: unknown = submission.value;

  const field = ARRAY_OF[record];
  const m = await Member.findOne(memberFilter(user, memberId))
    .select({ [field]: 1, schoolId: 1, __v: 1 })
    .lean<
      { _id: Types.ObjectId; schoolId: Types.ObjectId; __v?: number } & Record<string, Item[] | undefined>
    >();
  if (!m) throw notFound();
  if ((m.__v ?? 0) !== version) return fail(record, key, submission, { formError: 'member.conflict' }, 409);

  const items = [...(m[field] ?? [])];
  const index = key ? items.findIndex((item) => keyOf(record, item) === key) : -1;
  // The item was removed (or re-keyed) by someone else since the page was loaded.
  if (key && index < 0) return fail(record, key, submission, { formError: 'member.conflict' }, 409);

  let next: Item[];
  let newKey = key;
  if (op === 'remove') {
    if (!key) throw badRequest();
    next = items.filter((_, i) => i !== index);
  } else {
    const item = toItem(record, input, user, index >= 0 ? items[index] : undefined);
    newKey = keyOf(record, item);
    const dup = DUPLICATE[record];
    if (dup && items.some((other, i) => i !== index && keyOf(record, other) === newKey)) {
      return fail(record, key, submission, { fieldErrors: { [dup[0]]: [dup[1]] } }, 409);
    }
    next = index >= 0 ? items.map((old, i) => (i === index ? item : old)) : [...items, item];
  }

  // Validators run on the new array (enums, ranges) exactly as on a document save. The
  // version in the filter makes the write stand on what was read; its event (with the new
  // version) commits with it or neither does (decision 018).
  const written = await inTransaction(async () => {
    const result = await Member.updateOne(
      { ...memberFilter(user, memberId), __v: version },
      {
        // The member table sorts by the latest term's GPA, stored beside the terms.
        $set: {
          [field]: next,
          ...(field === 'academicTerms' ? { latestGpa10: latestGpa10(next as TermWithGpa[]) } : {}),
        },
        $inc: { __v: 1 },
      },
      { runValidators: true },
    );
    if (result.matchedCount === 0) return false;
    await auditMember(user, `member.${record}.${op === 'remove' ? 'remove' : key ? 'update' : 'add'}`, m, {
      key: op === 'remove' ? key : newKey,
      ...(key && newKey !== key ? { previousKey: key } : {}),
      ...(index >= 0 ? { before: items[index] } : {}),
      ...(op === 'remove' ? {} : { after: next[index >= 0 ? index : next.length - 1] }),
      version: version + 1,
    });
    return true;
  });
  if (!written) return fail(record, key, submission, { formError: 'member.conflict' }, 409);
  noteMemberWrite();
  throw redirect(
    `/members/${memberId}/edit?ok=${op === 'remove' ? 'memberRecordRemoved' : TOAST[record]}#${SECTION_ID[record]}`,
  );
}

const SECTION_ID: Record<RecordKind, string> = {
  term: 'terms',
  award: 'awards',
  activity: 'activities',
  rating: 'ratings',
};
