/**
 * Everything the Quy trình tab shows (`getMemberPipeline`): stage and progress, timeline,
 * legal deadlines, the paper dossier, the province's notes, and one form per step the user
 * may take now, its fields read off the step's schema (app/domain/pipeline/step-fields.ts).
 */
import mongoose, { Types } from 'mongoose';
import { User } from '../../../models/user';
import { dayNumber, isoDay, vietnamDay } from '~/domain/calendar';
import type { Text } from '~/domain/criteria/types';
import { computeDeadlines } from '~/domain/deadlines';
import {
  VOTE_STEPS,
  allowedTransitions,
  canActOnPipeline,
  canAddReviewNote,
  canEditDossier,
  canResolveFlag,
  nextActor,
  scannableForms,
  stepBlocks,
  stepFields,
  type FieldView,
  type PipelineMember,
  type PipelineRecord,
  type SelectionVerdict,
  type TransitionId,
} from '~/domain/pipeline';
import { PIPELINE_STAGES, isExitStage, isStage, type Stage } from '~/domain/stages';
import { DOSSIER_FORMS } from '~/utils/forms/pipeline-tab';
import type { AuthUser } from '../auth/auth.server';
import { voteCellOptions, type VoteCellOption } from './party-register.server';
import {
  dossierRows,
  loadMember,
  type LeanPipelineMember,
  type Pipeline,
  type StoredNote,
} from './pipeline-member.server';
import { scanViews, type StoredScan } from './pipeline-scans.server';
import { loadCalendar } from './working-calendar.server';

export interface TransitionView {
  id: TransitionId;
  /** The stage the step leaves: with `id`, finds the step's schema (the browser checks it too). */
  from: Stage;
  /** Selection: the member's criteria verdict (selection.server.ts), shown above the fields. */
  verdict?: SelectionVerdict;
  to: Stage;
  label: Text;
  fields: FieldView[];
  /** Introducer rows (record_introduction). */
  rows?: { name: string; count: number; fields: FieldView[] };
  /**
   * Why this user may not take the step whatever is typed (withdrawn consent, separation of
   * duties): the form is shown disabled with these reasons.
   */
  blocked: Text[];
  /**
   * Vote steps: the chi bộ it may be recorded in (the school's active cells and the member's
   * own) with their registers, and the one chosen by default (the member's). The form shows
   * the count in force on the meeting day (countOn, in the browser), never a typed count.
   */
  cells?: VoteCellOption[];
  cellDefault?: string;
}

function transitionViews(
  member: PipelineMember,
  user: AuthUser,
  now: Date,
  cells: { options: VoteCellOption[]; own: string } = { options: [], own: '' },
): TransitionView[] {
  return allowedTransitions(member, user.role, now).map((t) => {
    const blocked = stepBlocks(member, t.id, { id: user.id, role: user.role }).map((r) => r.message);
    const vote = VOTE_STEPS.includes(t.id);
    const { fields, rows } = stepFields(t.schema, vote);
    return {
      id: t.id,
      from: t.from,
      to: t.to,
      label: t.label,
      fields,
      blocked,
      ...(vote ? { cells: cells.options, cellDefault: cells.own } : {}),
      ...(rows ? { rows } : {}),
    };
  });
}

/** The chi bộ a vote form offers, only when a vote step is on the page. */
async function cellsFor(user: AuthUser, m: LeanPipelineMember, now: Date) {
  const member = m as unknown as PipelineMember;
  const voting =
    canActOnPipeline(user) &&
    allowedTransitions(member, user.role, now).some((t) => VOTE_STEPS.includes(t.id));
  const own = m.partyCellId ? String(m.partyCellId) : '';
  return { options: voting ? await voteCellOptions(user, m.schoolId, m.partyCellId) : [], own };
}

/** Everything the Quy trình tab shows; 404 outside the scope. */
export async function getMemberPipeline(user: AuthUser, id: Types.ObjectId, now = new Date()) {
  const m = await loadMember(user, id);
  const p: Pipeline = m.pipeline ?? { stage: 'member' };
  const stage: Stage = isStage(String(p.stage)) ? (p.stage as Stage) : 'member';
  const member = m as unknown as PipelineMember;
  const calendar = await loadCalendar();
  const history = p.history ?? [];

  // Newest first; who wrote and who resolved each note are looked up with the step recorders.
  const notes = [...((p.reviewNotes as StoredNote[] | undefined) ?? [])].reverse();
  const scans = (p.scans as StoredScan[] | undefined) ?? [];
  const people = [
    ...history.map((h) => h.by),
    ...notes.flatMap((n) => [n.by, n.resolvedBy]),
    ...scans.map((s) => s.by),
  ];
  const byIds = [...new Set(people.map((x) => (x ? String(x) : '')).filter(Boolean))];
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
        at: vietnamDay(h.at),
        by: h.by ? (nameOf.get(String(h.by)) ?? null) : null,
        note: h.note ?? null,
        refNo: h.refNo ?? null,
        refDate: h.refDate ? vietnamDay(h.refDate) : null,
      }))
      .reverse(),
    deadlines: computeDeadlines(member, calendar, now).map((d) => ({
      ...d,
      daysOverdue: d.status === 'overdue' ? today - dayNumber(d.dueDate) : null,
    })),
    today: isoDay(today),
    dossier: dossierRows(p).map((row, i) => ({
      ...row,
      name: DOSSIER_FORMS[i].name,
      // What counts: the date entered by hand, else the one a recorded step implies.
      receivedAt: row.stored.receivedAt || row.derived.receivedAt,
      verifiedAt: row.stored.verifiedAt || row.derived.verifiedAt,
      // Signed scans of this form: counted as received where nothing else dates it (dossier.ts).
      scanned: scans.filter((x) => x.form === row.form).length,
    })),
    notes: notes.map((n) => ({
      id: String(n._id),
      kind: n.kind === 'flag' ? ('flag' as const) : ('comment' as const),
      text: n.text,
      by: n.by ? (nameOf.get(String(n.by)) ?? null) : null,
      at: n.at.toISOString(),
      resolvedAt: n.resolvedAt ? n.resolvedAt.toISOString() : null,
      resolvedBy: n.resolvedBy ? (nameOf.get(String(n.resolvedBy)) ?? null) : null,
    })),
    // Signed scans of paper forms (pipeline-scans.server.ts) and the forms one may be attached to.
    scans: scanViews(m._id, scans, nameOf),
    scannable: scannableForms(p as unknown as PipelineRecord),
    openFlags: notes.filter((n) => n.kind === 'flag' && !n.resolvedAt).length,
    can: {
      editDossier: canEditDossier(user),
      addNote: canAddReviewNote(user),
      resolveFlag: canResolveFlag(user),
    },
    transitions: canActOnPipeline(user)
      ? transitionViews(member, user, now, await cellsFor(user, m, now))
      : [],
  };
}
