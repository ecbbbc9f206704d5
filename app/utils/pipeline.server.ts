/**
 * The server side of the admission pipeline: the holiday calendar, the member's
 * pipeline view, and `applyTransition`, which runs the pure state machine
 * (app/domain/pipeline) and writes its update.
 *
 * One write per step: `updateOne({ _id, ...scope, 'pipeline.stage': expected, __v })`
 * with `$set`, `$push` and `$inc: { __v: 1 }`. Scope in the filter makes another
 * school's member a 404; stage + version in the filter make a concurrent change a
 * 409 instead of a lost update. The audit event follows the write (an event without
 * its write would be worse than a write whose event failed, which the log shows).
 */
import { data, redirect } from '@remix-run/node';
import mongoose, { Types } from 'mongoose';
import { z } from 'zod';
import { Holiday } from '../../models/holiday';
import { Member } from '../../models/member';
import { User } from '../../models/user';
import { isoDay as isoDayNumber, dayNumber } from '~/domain/criteria/calendar';
import type { Text } from '~/domain/criteria/types';
import { computeDeadlines } from '~/domain/deadlines';
import {
  FIELD_LABELS,
  TRANSITION_IDS,
  allowedTransitions,
  checkTransition,
  nextActor,
  type PipelineMember,
  type Reason,
  type TransitionId,
} from '~/domain/pipeline';
import { PIPELINE_STAGES, isExitStage, isStage, type Stage } from '~/domain/stages';
import { createWorkingCalendar, type WorkingCalendar } from '~/domain/working-days';
import type { AuthUser } from './auth.server';
import { noteMemberWrite } from './eligibility.server';
import { auditMember, isoDay, memberFilter } from './member-profile.server';
import { can } from './permissions';

const CALENDAR_TTL_MS = 60_000;
let cached: { at: number; calendar: Promise<WorkingCalendar> } | null = null;

/** Working-day calendar from the Holiday table; cached a minute (admins edit it rarely). */
export function loadCalendar(now = Date.now()): Promise<WorkingCalendar> {
  if (cached && now - cached.at < CALENDAR_TTL_MS) return cached.calendar;
  const calendar = Holiday.find()
    .select({ date: 1 })
    .lean()
    .then((rows) => createWorkingCalendar({ holidays: rows.map((r) => r.date) }));
  // A failed load must not be cached for a minute.
  calendar.catch(() => {
    cached = null;
  });
  cached = { at: now, calendar };
  return calendar;
}

/** For tests that edit holidays. */
export function clearCalendarCache() {
  cached = null;
}

/** May this role take any pipeline step at all (the machine decides which)? */
export function canActOnPipeline(user: Pick<AuthUser, 'role'>): boolean {
  return (
    can(user.role, 'pipeline:union') || can(user.role, 'pipeline:party') || can(user.role, 'pipeline:review')
  );
}

export function isTransitionId(value: unknown): value is TransitionId {
  return typeof value === 'string' && (TRANSITION_IDS as readonly string[]).includes(value);
}

const PIPELINE_PROJECTION = { pipeline: 1, dateOfBirth: 1, schoolId: 1, __v: 1 } as const;

interface LeanPipelineMember {
  _id: Types.ObjectId;
  schoolId?: Types.ObjectId | null;
  dateOfBirth?: Date | null;
  pipeline?: Record<string, unknown> & { stage?: string; history?: HistoryRow[] };
  __v?: number;
}

interface HistoryRow {
  stage: string;
  at: Date;
  by?: Types.ObjectId | null;
  note?: string | null;
  refNo?: string | null;
  refDate?: Date | null;
}

async function loadMember(user: AuthUser, id: Types.ObjectId): Promise<LeanPipelineMember> {
  const m = await Member.findOne(memberFilter(user, id))
    .select(PIPELINE_PROJECTION)
    .lean<LeanPipelineMember>();
  if (!m) throw new Response('Not found', { status: 404 });
  return m;
}

/** Plain reason for the browser: its message in both languages, picked by the page's locale. */
export interface ReasonView {
  code: string;
  field: string | null;
  message: Text;
}

const reasonView = (r: Reason): ReasonView => ({ code: r.code, field: r.field ?? null, message: r.message });

export interface TransitionFailure {
  intent: string;
  reasons: ReasonView[];
  values: Record<string, string>;
  conflict?: boolean;
}

/**
 * Form fields → the transition's input. Dotted names build nested values
 * (`introducers.0.name`); an introducer row left blank is dropped.
 */
export function formToInput(form: FormData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const rows: Record<string, Record<string, string>[]> = {};
  for (const [key, raw] of form.entries()) {
    if (key === 'intent' || key === 'version' || typeof raw !== 'string') continue;
    const parts = key.split('.');
    if (parts.length === 3 && /^\d+$/.test(parts[1])) {
      const list = (rows[parts[0]] ??= []);
      const i = Number(parts[1]);
      if (i > 9) continue;
      (list[i] ??= {})[parts[2]] = raw;
    } else if (parts.length === 1) {
      out[key] = raw;
    }
  }
  for (const [key, list] of Object.entries(rows)) {
    out[key] = list.filter((row) => row && Object.values(row).some((v) => v.trim() !== ''));
  }
  return out;
}

function formValues(form: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, raw] of form.entries()) {
    if (typeof raw === 'string' && key !== 'version') values[key] = raw;
  }
  return values;
}

const VersionSchema = z.coerce.number().int().min(0);

/**
 * Records one pipeline step. Throws a redirect on success (toast `toast.pipelineRecorded`,
 * or `toast.pipelineRecordedLate` when a legal deadline was missed); returns 400 with every
 * reason, or 409 when the record changed meanwhile; throws 404 outside the scope.
 */
export async function applyTransition(
  user: AuthUser,
  memberId: Types.ObjectId,
  transitionId: TransitionId,
  input: Record<string, unknown>,
  version: number,
  options: { now?: Date; values?: Record<string, string> } = {},
) {
  const now = options.now ?? new Date();
  const values = options.values ?? {};
  const m = await loadMember(user, memberId);
  const fail = (reasons: ReasonView[], status: number, conflict = false) =>
    data<TransitionFailure>(
      { intent: transitionId, reasons, values, ...(conflict ? { conflict } : {}) },
      { status },
    );
  const conflict = () =>
    fail(
      [
        {
          code: 'conflict',
          field: null,
          message: {
            vi: 'Hồ sơ vừa được người khác thay đổi. Hãy xem lại rồi ghi nhận lại.',
            en: 'The record was changed meanwhile. Check it and record the step again.',
          },
        },
      ],
      409,
      true,
    );
  if ((m.__v ?? 0) !== version) return conflict();

  const calendar = await loadCalendar();
  const result = checkTransition(
    m as unknown as PipelineMember,
    transitionId,
    input,
    { id: user.id, role: user.role },
    now,
    { calendar },
  );
  if (!result.ok) return fail(result.reasons.map(reasonView), 400);

  const { update } = result;
  const written = await Member.updateOne(
    {
      ...memberFilter(user, memberId),
      'pipeline.stage': update.expectedStage,
      __v: version,
    },
    {
      $set: update.set,
      $push: update.push,
      $inc: { __v: 1 },
    },
    { runValidators: true },
  );
  if (written.matchedCount === 0) return conflict();
  noteMemberWrite();

  await auditMember(user, `pipeline.${transitionId}`, m, {
    from: update.expectedStage,
    to: update.stage,
    ...(update.history.refNo ? { refNo: update.history.refNo } : {}),
    ...(update.history.refDate ? { refDate: isoDay(update.history.refDate) } : {}),
    ...(update.warnings.length ? { warnings: update.warnings.map((w) => w.code) } : {}),
    ...(update.escalate ? { escalate: true } : {}),
    version: version + 1,
  });
  const toast = update.warnings.length ? 'pipelineRecordedLate' : 'pipelineRecorded';
  throw redirect(`/members/${memberId}/pipeline?ok=${toast}`);
}

export function parseVersion(value: FormDataEntryValue | null): number | null {
  const parsed = VersionSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** The action's entry: intent and version from the form, then `applyTransition`. */
export async function pipelineAction(user: AuthUser, memberId: Types.ObjectId, form: FormData) {
  const intent = form.get('intent');
  if (!isTransitionId(intent)) throw new Response('Bad request', { status: 400 });
  const version = parseVersion(form.get('version'));
  if (version === null) throw new Response('Bad request', { status: 400 });
  return applyTransition(user, memberId, intent, formToInput(form), version, { values: formValues(form) });
}

// ---------------------------------------------------------------- the page's view

export type FieldKind = 'date' | 'number' | 'text' | 'textarea' | 'checkbox' | 'select';

export interface FieldView {
  name: string;
  label: Text;
  kind: FieldKind;
  required: boolean;
  options?: string[];
}

export interface TransitionView {
  id: TransitionId;
  to: Stage;
  label: Text;
  fields: FieldView[];
  /** Introducer rows (record_introduction). */
  rows?: { name: string; count: number; fields: FieldView[] };
}

const NUMBER_FIELDS = new Set(['yes', 'no', 'officialMemberCount', 'monthsTogether']);
const LONG_FIELDS = new Set(['note', 'reason', 'extensionReason']);
const SELECT_OPTIONS: Record<string, string[]> = {
  verification: ['pending', 'verified', 'issues'],
  kind: ['party_member', 'union'],
};

function kindOf(name: string): FieldKind {
  if (NUMBER_FIELDS.has(name)) return 'number';
  if (LONG_FIELDS.has(name)) return 'textarea';
  if (SELECT_OPTIONS[name]) return 'select';
  if (name === 'official') return 'checkbox';
  if (/(At|Date)$/.test(name)) return 'date';
  return 'text';
}

function fieldsOf(shape: Record<string, z.ZodTypeAny>): FieldView[] {
  const out: FieldView[] = [];
  for (const [name, type] of Object.entries(shape)) {
    if (name === 'introducers' || name === 'vote') continue; // arrays / nested: rows below, or left out
    const kind = kindOf(name);
    out.push({
      name,
      label: FIELD_LABELS[name] ?? { vi: name, en: name },
      kind,
      required: !type.isOptional(),
      ...(SELECT_OPTIONS[name] ? { options: SELECT_OPTIONS[name] } : {}),
    });
  }
  // Notes last, after the step's own data.
  return out.sort((a, b) => Number(a.name === 'note') - Number(b.name === 'note'));
}

function transitionViews(member: PipelineMember, user: AuthUser): TransitionView[] {
  return allowedTransitions(member, user.role).map((t) => {
    const shape = t.schema instanceof z.ZodObject ? (t.schema.shape as Record<string, z.ZodTypeAny>) : {};
    const view: TransitionView = { id: t.id, to: t.to, label: t.label, fields: fieldsOf(shape) };
    const introducers = shape.introducers;
    if (introducers instanceof z.ZodArray && introducers.element instanceof z.ZodObject) {
      view.rows = {
        name: 'introducers',
        count: 2,
        fields: fieldsOf(introducers.element.shape as Record<string, z.ZodTypeAny>),
      };
    }
    return view;
  });
}

/** Forms 1-KNĐ … 15-KNĐ and where the pipeline already records each one. */
export const DOSSIER_FORMS = Array.from({ length: 15 }, (_, i) => `${i + 1}-KNĐ`);

type Pipeline = Record<string, unknown> & { history?: HistoryRow[] };

const dateOf = (v: unknown): string => (v instanceof Date ? isoDay(v) : '');
const lastRefDate = (p: Pipeline, stage: string) => {
  const h = (p.history ?? []).filter((e) => e.stage === stage).pop();
  return h ? isoDay(h.refDate ?? h.at) : '';
};

function dossierView(p: Pipeline) {
  const get = (path: string): unknown =>
    path
      .split('.')
      .reduce<unknown>(
        (o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined),
        p,
      );
  const introducers = (get('introducers') as { kind?: string }[] | undefined) ?? [];
  const derived: Record<string, { receivedAt: string; verifiedAt: string }> = {
    '1-KNĐ': { receivedAt: dateOf(get('application.receivedAt')), verifiedAt: '' },
    '2-KNĐ': {
      receivedAt: dateOf(get('personalHistory.receivedAt')),
      verifiedAt: dateOf(get('personalHistory.verifiedAt')),
    },
    '3-KNĐ': {
      receivedAt: introducers.some((x) => x.kind !== 'union') ? lastRefDate(p, 'introduced') : '',
      verifiedAt: '',
    },
    '4-KNĐ': {
      receivedAt: introducers.some((x) => x.kind === 'union') ? lastRefDate(p, 'introduced') : '',
      verifiedAt: '',
    },
    '6-KNĐ': { receivedAt: dateOf(get('branchVote.meetingDate')), verifiedAt: '' },
    '8-KNĐ': { receivedAt: dateOf(get('committeeResolution.date')), verifiedAt: '' },
    '9-KNĐ': { receivedAt: dateOf(get('decision.date')), verifiedAt: '' },
    '15-KNĐ': { receivedAt: dateOf(get('officialDecision.date')), verifiedAt: '' },
  };
  const stored = new Map(
    ((p.dossier as { form: string; receivedAt?: Date; verifiedAt?: Date }[] | undefined) ?? []).map((d) => [
      d.form,
      d,
    ]),
  );
  return DOSSIER_FORMS.map((form) => {
    const s = stored.get(form);
    const d = derived[form];
    return {
      form,
      receivedAt: dateOf(s?.receivedAt) || d?.receivedAt || '',
      verifiedAt: dateOf(s?.verifiedAt) || d?.verifiedAt || '',
    };
  });
}

/** Everything the Quy trình tab shows; 404 outside the scope. */
export async function getMemberPipeline(user: AuthUser, id: Types.ObjectId, now = new Date()) {
  const m = await loadMember(user, id);
  const p: Pipeline = m.pipeline ?? { stage: 'member' };
  const stage: Stage = isStage(String(p.stage)) ? (p.stage as Stage) : 'member';
  const member = m as unknown as PipelineMember;
  const calendar = await loadCalendar();
  const history = p.history ?? [];

  const byIds = [...new Set(history.map((h) => (h.by ? String(h.by) : '')).filter(Boolean))];
  const users = byIds.length
    ? await User.find({ _id: mongoose.trusted({ $in: byIds.map((x) => new Types.ObjectId(x)) }) })
        .select({ name: 1 })
        .lean()
    : [];
  const nameOf = new Map(users.map((u) => [String(u._id), u.name]));

  // The last forward stage reached, for the progress bar of an exited record.
  const reached = [...history].reverse().find((h) => !isExitStage(h.stage))?.stage;
  const today = dayNumber(now);

  return {
    version: m.__v ?? 0,
    stage,
    exited: isExitStage(stage),
    progressStage: (isExitStage(stage) ? (reached ?? 'member') : stage) as Stage,
    stages: [...PIPELINE_STAGES],
    returnReason: typeof p.returnReason === 'string' ? p.returnReason : null,
    nextActor: nextActor(stage),
    history: history
      .map((h, i) => ({
        key: `${i}`,
        stage: h.stage,
        at: isoDay(h.at),
        by: h.by ? (nameOf.get(String(h.by)) ?? null) : null,
        note: h.note ?? null,
        refNo: h.refNo ?? null,
        refDate: h.refDate ? isoDay(h.refDate) : null,
      }))
      .reverse(),
    deadlines: computeDeadlines(member, calendar, now).map((d) => ({
      ...d,
      daysOverdue: d.status === 'overdue' ? today - dayNumber(d.dueDate) : null,
    })),
    today: isoDayNumber(today),
    dossier: dossierView(p),
    transitions: canActOnPipeline(user) ? transitionViews(member, user) : [],
  };
}
