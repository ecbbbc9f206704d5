/**
 * Issue 16, the model-based property test of the admission rules (fast-check's command
 * testing): random sequences of steps (selection to official membership), returns, resumes,
 * extensions, exits, bulk steps and returns, paper-dossier saves, profile edits, chi bộ
 * register changes, rule-conflict overrides and consent changes, over four candidates of one
 * school, each by a random user of the right or a wrong role (the school's Union, three Party
 * committee members, the admin, the province, each candidate's own student, another school's
 * Party committee), with valid-looking and invalid dates and inputs. Every command goes
 * through the server function its route calls, after the route's own permission guard:
 * `applyTransition` (the candidate page), `bulkAdvance` and `bulkReturn` (the ready queue and
 * the board), `saveDossier`, `pipelineAction` (the conflict override), `saveMember` (the
 * profile editor), `recordRegister` (/school/party-cells), `consentAction` (/me/consent).
 * A candidate starts before selection, at the introduction, the vote, the committee review
 * (also after a return and a resume by someone else: issue path 1) or in probation.
 *
 * After every command, on the real database:
 * - no user recorded two consecutive levels for one candidate, read from the whole history
 *   (returns and resumes included) with the domain's notion of who recorded a step
 *   (history.ts `stepEntries`): the chi bộ vote's or the committee review's recorder never
 *   recorded the admission decision; a passing official-vote recorder never the official
 *   decision; and the recorders on file are exactly those the model expected;
 * - the history is append-only (what was there is unchanged);
 * - each newly recorded step's dates are in the order of the chronology table (decision
 *   005, written out here on its own), judged against the record as it stood before the step
 *   (a later edit may move an anchor: that is what the rule conflicts are for);
 * - a vote is within the chi bộ's register in force on the meeting day: yes ≥ ⌈2n/3⌉ and
 *   yes + no ≤ n (each failed official vote: yes + no ≤ n);
 * - nothing was recorded while consent was withdrawn: no history entry and no step event
 *   falls inside a withdrawal (read from the consent events of the audit log; editing a paused
 *   record is allowed, decision 009);
 * - the stored rule conflicts are exactly what re-checking the data now gives, and an override
 *   never covers a conflict produced by the one who overrode it;
 * - a refused command (any 4xx) wrote nothing: every candidate's document (`__v` and a hash
 *   of the whole document), both chi bộ and the number of audit events are unchanged;
 * - `verifyAudit()` is ok with no gaps.
 * And the model's predictions hold: refused are a wrong role or scope, a stale version, a
 * withdrawn consent, the decision by whoever recorded the vote or the review, a forward step
 * while a rule conflict is open, a selection outside the criteria without a written reason
 * (and in bulk always), an override by the conflict's producer or with a short reason; an
 * accepted selection outside the criteria keeps its reason and who; consent given or
 * withdrawn as expected.
 *
 * A fresh database for every run (the seed, reset, plus this file's fixture). Runs, size
 * and seed: MODEL_RUNS (default 25), MODEL_COMMANDS (default 20), MODEL_SEED (default fixed;
 * fast-check prints the seed and the shrunk counterexample's path on failure, replay with
 * MODEL_SEED=… and MODEL_PATH=…). MODEL_DEBUG=1 prints every run's commands and refusals.
 * Seen failing: with the duty rule removed (first run), with the old "latest entry" duty
 * rule (ninth run, shrunk to the reviewer deciding after a return and a resume), with the
 * consent pause removed, with the review's chronology row emptied.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import mongoose, { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { Member } from '../../models/member.ts';
import { Unit } from '../../models/unit.ts';
import { User } from '../../models/user.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { dayNumber, isoDay } from '~/domain/calendar';
import { PIPELINE_STAGES } from '~/domain/stages';
import { CONSENT_VERSION, consentWithdrawn, isMinorOn } from '~/domain/consent';
import { decisionReceivedDay, firstPassingOfficialVote, probationEndDay } from '~/domain/deadlines';
import { countOn, registerOf } from '~/domain/party-register';
import {
  applicationDay,
  introductionDay,
  opinionsDay,
  personalHistoryVerifiedDay,
  TRANSITION_IDS,
  nextTransition,
  stepEntries,
  type PipelineMember,
  type PipelineRecord,
  type PipelineVote,
  type TransitionId,
} from '~/domain/pipeline';
import {
  BLOCKED_BY_CONFLICT,
  OVERRIDE_REASON_MIN,
  conflictKey,
  keptConflicts,
  openConflicts,
  recheckSteps,
} from '~/domain/pipeline/conflicts';
import { officialVoteRecorders } from '~/domain/pipeline/transitions';
import { verifyAudit } from '~/utils/audit/audit-verify.server';
import type { AuthUser } from '~/utils/auth/auth.server';
import { consentAction } from '~/utils/student/me.server';
import { getMemberForEdit, saveMember } from '~/utils/members/member-edit.server';
import { can, type Permission } from '~/domain/permissions';
import { bulkAdvance, bulkReturn } from '~/utils/pipeline/pipeline-bulk.server';
import { canActOnPipeline } from '~/domain/pipeline/tab-permissions';
import { pipelineAction } from '~/utils/pipeline/pipeline-action.server';
import { applyTransition } from '~/utils/pipeline/pipeline-step.server';
import { saveDossier } from '~/utils/pipeline/pipeline-tab-writes.server';
import { clearCalendarCache, loadCalendar } from '~/utils/pipeline/working-calendar.server';
import { loadSelectionVerdict } from '~/utils/pipeline/selection.server';
import { recordRegister } from '~/utils/pipeline/party-register.server';

const RUNS = Number(process.env.MODEL_RUNS ?? 25);
const CANDIDATES = 4;
const MAX_COMMANDS = Number(process.env.MODEL_COMMANDS ?? 20);
const SEED = Number(process.env.MODEL_SEED ?? 160_016);
const PATH = process.env.MODEL_PATH;

/**
 * Votes judged against the chi bộ's register on the meeting day (issue 16 "votes against
 * the register"). Until the vote reads the register, a vote is judged against the count
 * stored with it; then against `countOn(register, meetingDate)`.
 */
const VOTES_READ_REGISTER = true;

// ---------------------------------------------------------------- days

const TODAY = dayNumber(new Date());
const dayAgo = (n: number) => new Date((TODAY - n) * 86_400_000);
const ceil23 = (n: number) => Math.ceil((2 * n) / 3);

// ---------------------------------------------------------------- users

type UserKey = 'union' | 'party1' | 'party2' | 'party3' | 'admin' | 'province' | 'student' | 'otherParty';
/** Who may record a forward Party step at all: the others are a wrong role or scope. */
const PARTY_SIDE: readonly UserKey[] = ['party1', 'party2', 'party3', 'admin'];

interface Real {
  users: Record<Exclude<UserKey, 'student'>, AuthUser>;
  /** Each candidate's own student account. */
  students: AuthUser[];
  candidates: Types.ObjectId[];
  cellId: Types.ObjectId;
  otherCellId: Types.ObjectId;
  log: string[];
}

interface CandidateModel {
  withdrawn: boolean;
  /** Who recorded each step (by stage entered), as the model expects it, user ids. */
  recorders: Record<string, string[]>;
  /** Passing official votes' recorders. */
  officialVoters: string[];
}
interface Model {
  candidates: CandidateModel[];
}

const userOf = (r: Real, key: UserKey, c: number): AuthUser =>
  key === 'student' ? r.students[c] : r.users[key];

/** The route's own guard (`requireUser(request, { permission })`): 403 otherwise. */
function guard(user: AuthUser, permission: Permission) {
  if (!can(user.role, permission)) throw new Response('Forbidden', { status: 403 });
}

// ---------------------------------------------------------------- fixture

interface Start {
  /** 'resumed': at the committee review after a return and a resume by someone else (issue path 1). */
  stage: 'member' | 'introduced' | 'branch_vote' | 'committee_review' | 'resumed' | 'probation';
  /** Recorders of the vote and the review in the fixture's history (party side keys). */
  voter: number;
  reviewer: number;
}

const STAFF_FOR_FIXTURE: readonly UserKey[] = ['party1', 'party2', 'party3', 'admin'];

async function freshDatabase(starts: Start[]): Promise<Real> {
  await seedDatabase({ members: 40, seed: 1, reset: true });
  clearCalendarCache();
  const pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
  const other = (await Unit.findOne({ code: 'TCKT' }).lean())!;
  const cell = (await Unit.findOne({ kind: 'party_cell', schoolId: pvd._id }).sort({ code: 1 }).lean())!;
  const otherCell = (await Unit.findOne({ kind: 'party_cell', schoolId: other._id }).lean())!;
  const auth = async (email: string): Promise<AuthUser> => {
    const u = (await User.findOne({ email }).lean())!;
    return {
      id: String(u._id),
      email: u.email,
      name: u.name,
      role: u.role as AuthUser['role'],
      unitId: String(u.unitId),
      memberId: u.memberId ? String(u.memberId) : null,
      locale: 'vi',
    };
  };
  // A third member of the Party committee, so separation of duties can always be met.
  await User.collection.insertOne({
    email: 'uyvien.pvd@test.vn',
    name: 'Ủy viên Đảng ủy',
    role: 'school_party',
    unitId: pvd._id,
    memberId: null,
    active: true,
    locale: 'vi',
    createdAt: new Date(),
    updatedAt: new Date(),
    __v: 0,
  });
  const users = {
    union: await auth('doantruong.pvd@demo.vn'),
    party1: await auth('danguy.pvd@demo.vn'),
    party2: await auth('bithu.pvd@demo.vn'),
    party3: await auth('uyvien.pvd@test.vn'),
    admin: await auth('admin@demo.vn'),
    province: await auth('tinhdoan@demo.vn'),
    otherParty: await auth('danguy.tckt@demo.vn'),
  };
  const demo = (await User.findOne({ email: 'sinhvien@demo.vn' }).lean())!.memberId;
  const picked = await Member.find({ schoolId: pvd._id, _id: mongoose.trusted({ $ne: demo }) })
    .sort({ _id: 1 })
    .limit(starts.length)
    .lean();
  const candidates: Types.ObjectId[] = [];
  const students: AuthUser[] = [];
  for (const [i, m] of picked.entries()) {
    const s = starts[i];
    const voter = users[STAFF_FOR_FIXTURE[s.voter] as Exclude<UserKey, 'student'>].id;
    const reviewer = users[STAFF_FOR_FIXTURE[s.reviewer] as Exclude<UserKey, 'student'>].id;
    const by = new Types.ObjectId(users.admin.id);
    const h = (stage: string, ago: number, who = by) => ({
      stage,
      at: dayAgo(ago),
      by: who,
      refDate: dayAgo(ago),
    });
    const history: Record<string, unknown>[] = [
      h('outstanding', 1000),
      h('awareness_class', 980),
      h('dossier', 900),
      h('introduced', 880),
    ];
    const pipeline: Record<string, unknown> = {
      stage: s.stage,
      stageSince: dayAgo(880),
      unionResolution: { number: '12-NQ/ĐTN', date: dayAgo(1000) },
      certificate: {
        number: 'GCN-16',
        issuer: 'Trường Chính trị tỉnh Quảng Ngãi',
        issuedAt: dayAgo(980),
        expiresAt: dayAgo(980 - 1826),
      },
      application: { receivedAt: dayAgo(900) },
      personalHistory: { receivedAt: dayAgo(898), verification: 'verified', verifiedAt: dayAgo(890) },
      introducers: [
        { name: 'Ban Chấp hành Đoàn trường', kind: 'union', official: true, refNo: '46-NQ/ĐTN' },
        { name: 'Trần Văn Minh', kind: 'party_member', official: true, monthsTogether: 18 },
      ],
      opinions: [{ source: 'Chi ủy nơi cư trú', date: dayAgo(875), summary: 'Nhất trí.' }],
    };
    const n = cell.officialMemberCount ?? 16;
    if (s.stage !== 'introduced') {
      history.push(h('branch_vote', 860, new Types.ObjectId(voter)));
      Object.assign(pipeline, {
        stageSince: dayAgo(860),
        branchVote: { meetingDate: dayAgo(860), yes: ceil23(n), no: 0, officialMemberCount: n },
      });
    }
    if (s.stage === 'committee_review' || s.stage === 'resumed' || s.stage === 'probation') {
      history.push(h('committee_review', 850, new Types.ObjectId(reviewer)));
      Object.assign(pipeline, {
        stage: s.stage === 'resumed' ? 'committee_review' : s.stage,
        stageSince: dayAgo(850),
        committeeResolution: { number: '61-NQ/ĐU', date: dayAgo(850) },
      });
    }
    if (s.stage === 'resumed') {
      // Returned by the province, resumed by a Party committee member who is not the reviewer.
      const resumer = PARTY_SIDE.map((k) => users[k as 'admin'].id).find((id) => id !== reviewer)!;
      history.push(
        { ...h('returned', 848, new Types.ObjectId(users.province.id)), note: 'Bổ sung bản tự kiểm điểm' },
        {
          stage: 'committee_review',
          at: dayAgo(845),
          by: new Types.ObjectId(resumer),
        },
      );
      Object.assign(pipeline, { stageSince: dayAgo(845) });
    }
    if (s.stage === 'probation') {
      // The decision by someone who recorded neither the vote nor the review.
      const decider = PARTY_SIDE.map((k) => users[k as Exclude<UserKey, 'student'>].id).find(
        (id) => id !== voter && id !== reviewer,
      )!;
      history.push(h('decision', 840, new Types.ObjectId(decider)), h('probation', 830));
      Object.assign(pipeline, {
        stageSince: dayAgo(830),
        decision: { number: '95-QĐ/ĐU', date: dayAgo(840), issuer: 'Đảng ủy Trường Đại học Phạm Văn Đồng' },
        ceremonyDate: dayAgo(830),
        probation: { start: dayAgo(830), end: dayAgo(830 - 365) },
      });
    }
    pipeline.history = history;
    // Or a member not yet selected, for the selection and the steps before the vote.
    const stored =
      s.stage === 'member'
        ? { stage: 'member', stageSince: dayAgo(1100), history: [{ stage: 'member', at: dayAgo(1100), by }] }
        : pipeline;
    await Member.collection.updateOne(
      { _id: m._id },
      {
        $set: {
          dateOfBirth: new Date('2004-04-04T00:00:00Z'),
          consent: { version: CONSENT_VERSION, givenAt: dayAgo(1000) },
          partyCellId: cell._id,
          pipeline: stored,
        },
      },
    );
    const studentId = new Types.ObjectId();
    await User.collection.insertOne({
      _id: studentId,
      email: `sv${i}.model@test.vn`,
      name: m.fullName,
      role: 'student',
      unitId: m.branchId ?? pvd._id,
      memberId: m._id,
      active: true,
      locale: 'vi',
      createdAt: new Date(),
      updatedAt: new Date(),
      __v: 0,
    });
    candidates.push(m._id);
    students.push({
      id: String(studentId),
      email: `sv${i}.model@test.vn`,
      name: m.fullName,
      role: 'student',
      unitId: String(m.branchId ?? pvd._id),
      memberId: String(m._id),
      locale: 'vi',
    });
  }
  return { users, students, candidates, cellId: cell._id, otherCellId: otherCell._id, log: [] };
}

function initialModel(real: Real, starts: Start[]): Model {
  return {
    candidates: starts.map((s) => {
      const voter = real.users[STAFF_FOR_FIXTURE[s.voter] as Exclude<UserKey, 'student'>].id;
      const reviewer = real.users[STAFF_FOR_FIXTURE[s.reviewer] as Exclude<UserKey, 'student'>].id;
      const admin = real.users.admin.id;
      if (s.stage === 'member') return { withdrawn: false, recorders: {}, officialVoters: [] };
      const recorders: Record<string, string[]> = {
        outstanding: [admin],
        awareness_class: [admin],
        dossier: [admin],
        introduced: [admin],
      };
      if (s.stage !== 'introduced') recorders.branch_vote = [voter];
      if (s.stage === 'committee_review' || s.stage === 'resumed' || s.stage === 'probation')
        recorders.committee_review = [reviewer];
      if (s.stage === 'probation') {
        recorders.decision = [
          PARTY_SIDE.map((k) => real.users[k as 'admin'].id).find((id) => id !== voter && id !== reviewer)!,
        ];
        recorders.probation = [admin];
      }
      return { withdrawn: false, recorders, officialVoters: [] };
    }),
  };
}

// ---------------------------------------------------------------- reading the real state

interface LeanMember {
  _id: Types.ObjectId;
  __v?: number;
  dateOfBirth?: Date | null;
  partyCellId?: Types.ObjectId | null;
  consent?: { version?: string; givenAt?: Date | null; withdrawnAt?: Date | null } | null;
  pipeline: PipelineRecord & {
    stage: string;
    history: { stage: string; at: Date; by?: Types.ObjectId | null; refDate?: Date | null }[];
    officialVotes?: {
      meetingDate?: Date;
      yes?: number;
      no?: number;
      officialMemberCount?: number;
      by?: unknown;
    }[];
  };
}

interface Snap {
  members: LeanMember[];
  hashes: string[];
  cells: string[];
  cell: CellDoc;
  /** Both chi bộ by id (the candidates' and another school's). */
  cellsById: Map<string, CellDoc>;
  audits: number;
}
type CellDoc = { officialMembers?: { count: number; from: Date }[]; officialMemberCount?: number | null };

const hash = (doc: unknown) => createHash('sha256').update(JSON.stringify(doc)).digest('hex');

async function snapshot(real: Real): Promise<Snap> {
  const members = await Promise.all(real.candidates.map((id) => Member.findById(id).lean<LeanMember>()));
  const cells = await Unit.find({ _id: mongoose.trusted({ $in: [real.cellId, real.otherCellId] }) })
    .sort({ _id: 1 })
    .lean();
  return {
    members: members.map((m) => m!),
    hashes: members.map(hash),
    cells: cells.map(hash),
    cell: cells.find((c) => c._id.equals(real.cellId))! as CellDoc,
    cellsById: new Map(cells.map((c) => [String(c._id), c as CellDoc])),
    audits: await AuditEvent.countDocuments(),
  };
}

/** Reason codes of the last refusal (for the figures), read from its body. */
let lastReasons: string[] = [];

/** Status of what a server function returned or threw: a redirect is a success (302). */
async function statusOf(fn: () => Promise<unknown>): Promise<number> {
  lastReasons = [];
  try {
    const out = await fn();
    if (out instanceof Response) return out.status;
    if (out && typeof out === 'object' && (out as { type?: unknown }).type === 'DataWithResponseInit') {
      const body = (out as { data?: { reasons?: { code: string }[]; refused?: unknown[] } }).data;
      lastReasons = (body?.reasons ?? []).map((r) => r.code);
      return (out as { init?: { status?: number } | null }).init?.status ?? 200;
    }
    return 200;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown.status;
    throw thrown;
  }
}

const form = (entries: [string, string][]) => {
  const f = new FormData();
  for (const [k, v] of entries) f.append(k, v);
  return f;
};

// ---------------------------------------------------------------- dates of a command

/** A date as typed: relative to the record's last step date, a fixed day, or not a date. */
type DateTok = { k: 'rel'; d: number } | { k: 'ago'; n: number } | { k: 'bad'; s: string };

const dateTok: fc.Arbitrary<DateTok> = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -12, max: 40 }).map((d) => ({ k: 'rel' as const, d })) },
  { weight: 1, arbitrary: fc.integer({ min: -3, max: 950 }).map((n) => ({ k: 'ago' as const, n })) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('', '2025-02-30', '31/12/2025', 'hôm qua')
      .map((s) => ({ k: 'bad' as const, s })),
  },
);

/** The latest date a step of this record carries (its document's date), and the end of probation. */
function baseDay(p: PipelineRecord, transition?: string): number {
  let last = NaN;
  for (const e of p.history ?? []) {
    const d = dayNumber(e.refDate);
    if (!Number.isNaN(d) && (Number.isNaN(last) || d > last)) last = d;
  }
  if (transition === 'record_official_vote' || transition === 'recognise_official') {
    const end = probationEndDay(p);
    const vote = dayNumber(firstPassingOfficialVote(p)?.meetingDate);
    for (const d of [end, vote]) if (!Number.isNaN(d) && d > last) last = d;
  }
  if (Number.isNaN(last)) last = dayNumber(p.history?.[0]?.at);
  return Number.isNaN(last) ? TODAY - 30 : last;
}

function resolveDate(tok: DateTok, base: number): string {
  if (tok.k === 'bad') return tok.s;
  return isoDay(tok.k === 'rel' ? base + tok.d : TODAY - tok.n);
}

// ---------------------------------------------------------------- invariants

interface Outcome {
  /** What ran, for the log. */
  label: string;
  status: number;
  /** The transition a step command applied, if any (single or bulk). */
  transition?: TransitionId;
}

function voteCount(snapCell: Snap['cell'], vote: PipelineVote): number {
  if (!VOTES_READ_REGISTER) return vote.officialMemberCount ?? NaN;
  return countOn(registerOf(snapCell), dayNumber(vote.meetingDate)) ?? NaN;
}

/** Every date of the step the new entry recorded against what it must not precede (chronology table). */
function chronologyProblems(transition: TransitionId, pre: LeanMember, post: LeanMember): string[] {
  const p0 = pre.pipeline;
  const p1 = post.pipeline;
  const out: string[] = [];
  const notBefore = (what: string, day: number, anchor: string, other: number) => {
    if (!Number.isNaN(day) && !Number.isNaN(other) && day < other)
      out.push(`${what} ${isoDay(day)} before ${anchor} ${isoDay(other)}`);
  };
  const voteAnchors = (what: string, day: number) => {
    notBefore(what, day, 'application', applicationDay(p0));
    notBefore(what, day, 'verification', personalHistoryVerifiedDay(p0));
    notBefore(what, day, 'introduction', introductionDay(p0));
    notBefore(what, day, 'opinions', opinionsDay(p0));
  };
  switch (transition) {
    case 'open_dossier': {
      const verified = dayNumber(p1.personalHistory?.verifiedAt);
      notBefore('verification', verified, 'application', dayNumber(p1.application?.receivedAt));
      notBefore('verification', verified, 'personal history', dayNumber(p1.personalHistory?.receivedAt));
      break;
    }
    case 'record_introduction': {
      const introduced = dayNumber(p1.history.at(-1)?.refDate);
      notBefore('introduction', introduced, 'application', applicationDay(p0));
      notBefore('introduction', introduced, 'verification', personalHistoryVerifiedDay(p0));
      break;
    }
    case 'record_branch_vote':
      voteAnchors('vote', dayNumber(p1.branchVote?.meetingDate));
      break;
    case 'record_committee_review':
      notBefore(
        'review',
        dayNumber(p1.committeeResolution?.date),
        'vote',
        dayNumber(p0.branchVote?.meetingDate),
      );
      break;
    case 'record_decision':
      notBefore('decision', dayNumber(p1.decision?.date), 'review', dayNumber(p0.committeeResolution?.date));
      notBefore('receipt', dayNumber(p1.decision?.receivedAt), 'decision', dayNumber(p1.decision?.date));
      break;
    case 'record_ceremony':
      notBefore('ceremony', dayNumber(p1.ceremonyDate), 'decision received', decisionReceivedDay(p0));
      break;
    case 'record_official_vote': {
      const v = (p1.officialVotes ?? []).at(-1);
      notBefore('official vote', dayNumber(v?.meetingDate), 'end of probation', probationEndDay(p0));
      break;
    }
    case 'recognise_official': {
      const d = dayNumber(p1.officialDecision?.date);
      notBefore('official decision', d, 'end of probation', probationEndDay(p0));
      notBefore(
        'official decision',
        d,
        'official vote',
        dayNumber(firstPassingOfficialVote(p0)?.meetingDate),
      );
      break;
    }
    case 'not_admitted':
      if (p1.branchVote && p1.branchVote !== p0.branchVote)
        voteAnchors('failed vote', dayNumber(p1.branchVote.meetingDate));
    // falls through: an exit's date not before its stage began
    case 'return_for_improvement':
    case 'withdraw':
    case 'strike_off':
    case 'transfer':
    case 'age_out': {
      const entry = p1.history.at(-1);
      if (p0.stage !== 'member')
        notBefore('exit', dayNumber(entry?.refDate), 'stage start', dayNumber(p0.stageSince));
      break;
    }
    default:
  }
  return out;
}

const ids = (xs: readonly unknown[]) => xs.filter((x) => x != null).map(String);

/** Consent withdrawals of a member, from its consent events: [withdrawn at, given again at). */
async function withdrawals(id: Types.ObjectId): Promise<[number, number][]> {
  const events = await AuditEvent.find({
    entityId: id,
    action: mongoose.trusted({ $in: ['member.consent.withdraw', 'member.consent.give'] }),
  })
    .sort({ seq: 1 })
    .lean();
  const out: [number, number][] = [];
  let open: number | null = null;
  for (const e of events) {
    if (e.action === 'member.consent.withdraw' && open === null) open = e.at.getTime();
    if (e.action === 'member.consent.give' && open !== null) {
      out.push([open, e.at.getTime()]);
      open = null;
    }
  }
  if (open !== null) out.push([open, Infinity]);
  return out;
}

async function checkInvariants(real: Real, model: Model, pre: Snap, outcome: Outcome, touched: number[]) {
  const post = await snapshot(real);
  const where = `after ${outcome.label} → ${outcome.status}`;

  // A refused command wrote nothing.
  if (outcome.status >= 400) {
    expect(post.hashes, `${where}: a refused command changed a member`).toEqual(pre.hashes);
    expect(post.cells, `${where}: a refused command changed a chi bộ`).toEqual(pre.cells);
    expect(post.audits, `${where}: a refused command wrote an audit event`).toBe(pre.audits);
  }

  for (const [c, m] of post.members.entries()) {
    const before = pre.members[c];
    const p = m.pipeline;
    const at = `${where}, candidate ${c}`;
    // History is append-only.
    expect(
      JSON.stringify(p.history.slice(0, before.pipeline.history.length)),
      `${at}: history rewritten`,
    ).toBe(JSON.stringify(before.pipeline.history));

    // Separation of duties over the whole history, with the domain's notion of a recorder.
    const voters = ids(stepEntries(p, 'branch_vote').map((e) => e.by));
    const reviewers = ids(stepEntries(p, 'committee_review').map((e) => e.by));
    for (const e of stepEntries(p, 'decision')) {
      expect(voters, `${at}: the vote's recorder recorded the decision`).not.toContain(String(e.by));
      expect(reviewers, `${at}: the review's recorder recorded the decision`).not.toContain(String(e.by));
    }
    const officialVoters = ids(officialVoteRecorders(p));
    for (const e of stepEntries(p, 'official')) {
      expect(
        officialVoters,
        `${at}: the official vote's recorder recorded the official decision`,
      ).not.toContain(String(e.by));
    }
    // The recorders on file are those the model expected (levels, not resumes, in every cycle).
    const expected = model.candidates[c];
    for (const stage of PIPELINE_STAGES.slice(1)) {
      expect(ids(stepEntries(p, stage).map((e) => e.by)), `${at}: recorders of ${stage}`).toEqual(
        expected.recorders[stage] ?? [],
      );
    }
    expect(officialVoters, `${at}: official vote recorders`).toEqual(expected.officialVoters);
    expect(consentWithdrawn(m.consent), `${at}: consent state`).toBe(expected.withdrawn);

    // Nothing recorded while consent was withdrawn: no history entry, no pipeline event.
    const paused = await withdrawals(m._id);
    for (const e of p.history) {
      const t = new Date(e.at).getTime();
      expect(
        paused.some(([from, to]) => t >= from && t < to),
        `${at}: ${e.stage} recorded at ${new Date(e.at).toISOString()} while consent was withdrawn`,
      ).toBe(false);
    }
    if (paused.length) {
      // Steps only: editing a paused record (the profile, the paper checklist) is allowed (decision 009).
      const events = await AuditEvent.find({
        entityId: m._id,
        action: mongoose.trusted({ $in: TRANSITION_IDS.map((t) => `pipeline.${t}`) }),
      })
        .select({ at: 1 })
        .lean();
      for (const e of events) {
        const t = e.at.getTime();
        expect(
          paused.some(([from, to]) => t >= from && t < to),
          `${at}: step event while withdrawn`,
        ).toBe(false);
      }
    }

    // The steps this command recorded: dates in order, votes within the register.
    if (outcome.transition && touched.includes(c) && p.history.length > before.pipeline.history.length) {
      expect(chronologyProblems(outcome.transition, before, m), `${at}: chronology`).toEqual([]);
      if (outcome.transition === 'record_branch_vote') {
        const v = p.branchVote!;
        const n = voteCount(pre.cell, v);
        expect(v.yes!, `${at}: vote ${v.yes}/${n} below 2/3`).toBeGreaterThanOrEqual(ceil23(n));
        expect(v.yes! + (v.no ?? 0), `${at}: vote counts above ${n}`).toBeLessThanOrEqual(n);
      }
      if (outcome.transition === 'record_official_vote') {
        const v = p.officialVotes!.at(-1)!;
        const n = voteCount(pre.cell, v);
        expect(v.yes! + (v.no ?? 0), `${at}: official vote counts above ${n}`).toBeLessThanOrEqual(n);
      }
      if (outcome.transition === 'recognise_official') {
        const v = firstPassingOfficialVote(p);
        if (v)
          expect(v.yes!, `${at}: official vote below 2/3`).toBeGreaterThanOrEqual(
            ceil23(voteCount(pre.cell, v)),
          );
      }
    }
  }

  // Rule conflicts: what is stored is what the rules say of the data now (every write that can
  // change it recomputed it), and an override is never by whoever produced a conflict it covers.
  const calendar = await loadCalendar();
  for (const [c, m] of post.members.entries()) {
    const at = `${where}, candidate ${c}`;
    const cellId =
      (m.pipeline.branchVote as { partyCellId?: unknown } | null | undefined)?.partyCellId ?? m.partyCellId;
    const cell = cellId ? post.cellsById.get(String(cellId)) : undefined;
    const fresh = recheckSteps(m as unknown as PipelineMember, {
      calendar,
      register: cell ? registerOf(cell) : [],
    });
    expect(keptConflicts(m.pipeline).map(conflictKey).sort(), `${at}: stored conflicts are stale`).toEqual(
      fresh.map(conflictKey).sort(),
    );
    const override = (m.pipeline as { conflictOverride?: { by?: unknown; keys?: string[] } | null })
      .conflictOverride;
    if (override?.keys?.length) {
      const covered = keptConflicts(m.pipeline).filter((k) => override.keys!.includes(conflictKey(k)));
      for (const k of covered)
        expect(String(k.by), `${at}: conflict overridden by the one who produced it`).not.toBe(
          String(override.by),
        );
    }
  }

  const report = await verifyAudit();
  expect({ ok: report.ok, problem: report.problem, gaps: report.gaps }, `${where}: audit`).toEqual({
    ok: true,
    problem: null,
    gaps: [],
  });
}

/** After an accepted step, the model learns who recorded which level (never a resume). */
function learnStep(model: Model, c: number, transition: TransitionId, actorId: string, post: LeanMember) {
  const m = model.candidates[c];
  const STAGE_OF: Partial<Record<TransitionId, string>> = {
    select_outstanding: 'outstanding',
    record_awareness_class: 'awareness_class',
    open_dossier: 'dossier',
    record_introduction: 'introduced',
    record_branch_vote: 'branch_vote',
    record_committee_review: 'committee_review',
    record_decision: 'decision',
    record_ceremony: 'probation',
    recognise_official: 'official',
  };
  const stage = STAGE_OF[transition];
  if (stage) (m.recorders[stage] ??= []).push(actorId);
  if (transition === 'record_official_vote') {
    // Only a vote that passes counts (a failed one is kept for the escalation rule).
    const v = post.pipeline.officialVotes!.at(-1)!;
    if ((v.yes ?? 0) >= ceil23(v.officialMemberCount ?? Infinity)) m.officialVoters.push(actorId);
  }
}

// ---------------------------------------------------------------- commands

type Cmd = fc.AsyncCommand<Model, Real>;

/** Runs `fn` as one command: snapshot, run, model predictions, invariants. */
async function execute(
  real: Real,
  model: Model,
  label: string,
  touched: number[],
  fn: (pre: Snap) => Promise<number>,
  after: (pre: Snap, post: Snap, status: number) => void,
  transition?: TransitionId,
) {
  const pre = await snapshot(real);
  const status = await fn(pre);
  real.log.push(`${label} → ${status}`);
  if (process.env.MODEL_DEBUG && lastReasons.length) real.log.push(`  ${lastReasons.join(',')}`);
  const post = await snapshot(real);
  after(pre, post, status);
  await checkInvariants(real, model, pre, { label, status, transition }, touched);
}

/** Every step of the machine (transitions.ts), exits and returns included. */
const STEPS = TRANSITION_IDS;
type Step = (typeof STEPS)[number];

/** 'recorder': whoever recorded this candidate's latest level (vote, review, official vote). */
/** 'fit:N': the Nth user whose role may take the step (so runs get somewhere). */
type Who = UserKey | 'recorder' | `fit:${number}`;

function resolveWho(model: Model, real: Real, who: Who, c: number, step?: Step): UserKey {
  if (who.startsWith('fit:')) {
    const fit = (step ? ROLE_OK[step] : PARTY_SIDE).filter((k) => k !== 'province');
    return fit[Number(who.slice(4)) % fit.length];
  }
  if (who !== 'recorder') return who as UserKey;
  const m = model.candidates[c];
  const ids = [
    ...(m.recorders.branch_vote ?? []),
    ...(m.recorders.committee_review ?? []),
    ...m.officialVoters,
  ];
  const last = ids.at(-1);
  return PARTY_SIDE.find((k) => real.users[k as 'admin'].id === last) ?? 'party1';
}

interface StepArgs {
  c: number;
  who: Who;
  /** 'next': the record's next forward step when the command runs (so runs get somewhere). */
  step: Step | 'next';
  date: DateTok;
  /** Vote: the count typed ('register' = the cell's count on file) and yes relative to 2/3. */
  count: 'register' | number;
  yes: number;
  no: number;
  text: boolean;
  extension: boolean;
  receivedAfter: number | null;
  stale: boolean;
  /** Vote: the member's chi bộ (default) or another school's, posted as partyCellId. */
  cell: 'own' | 'other';
}

/** The step a command takes on this record: its own, or the record's next forward step. */
function stepOf(a: StepArgs, m: LeanMember): Step {
  if (a.step !== 'next') return a.step;
  if (m.pipeline.stage === 'returned') return 'resume';
  const next = nextTransition(m as unknown as PipelineMember);
  return next && (STEPS as readonly string[]).includes(next) ? (next as Step) : 'record_branch_vote';
}

function stepInput(
  a: StepArgs & { step: Step },
  pre: Snap,
  m: LeanMember,
  otherCell: Types.ObjectId,
): Record<string, unknown> {
  const day = resolveDate(a.date, baseDay(m.pipeline, a.step));
  const n = a.count === 'register' ? (countOn(registerOf(pre.cell), dayNumber(day)) ?? 16) : a.count;
  const vote = {
    meetingDate: day,
    yes: String(Math.max(0, ceil23(n) + a.yes)),
    no: String(a.no),
    officialMemberCount: String(n),
    resolutionNo: '6-NQ/CB',
  };
  const text = a.text ? 'Bổ sung bản tự kiểm điểm' : '';
  const later = (k: number) => (/^\d{4}-\d{2}-\d{2}$/.test(day) ? isoDay(dayNumber(day) + k) : day);
  switch (a.step) {
    case 'select_outstanding':
      return {
        resolutionNo: a.text ? '12-NQ/ĐTN' : '',
        resolutionDate: day,
        ...(a.extension
          ? { overrideReason: a.text ? 'Tích cực trong phong trào tình nguyện của trường' : 'Tích cực' }
          : {}),
      };
    case 'record_awareness_class':
      return {
        certificateNo: a.text ? 'GCN-16' : '',
        issuer: 'Trường Chính trị tỉnh Quảng Ngãi',
        issuedAt: day,
      };
    case 'open_dossier':
      return {
        applicationReceivedAt: day,
        personalHistoryReceivedAt: later(2),
        verification: 'verified',
        verifiedAt: later(a.receivedAfter ?? 10),
      };
    case 'record_introduction':
      return {
        introducedAt: day,
        introducers: [
          { name: 'Ban Chấp hành Đoàn trường', kind: 'union', official: 'on', refNo: '46-NQ/ĐTN' },
          { name: 'Trần Văn Minh', kind: 'party_member', official: a.text ? 'on' : '', monthsTogether: '18' },
        ],
      };
    case 'record_branch_vote':
    case 'record_official_vote':
      return a.cell === 'other' ? { ...vote, partyCellId: String(otherCell) } : vote;
    case 'record_committee_review':
      return { resolutionNo: a.text ? '61-NQ/ĐU' : '', resolutionDate: day };
    case 'record_decision':
    case 'recognise_official':
      return {
        decisionNo: a.text ? '95-QĐ/ĐU' : '',
        decisionDate: day,
        issuer: 'Đảng ủy Trường Đại học Phạm Văn Đồng',
        ...(a.receivedAfter !== null && a.step === 'record_decision'
          ? { receivedAt: later(a.receivedAfter) }
          : {}),
        ...(a.extension ? { extensionReason: 'Chờ ý kiến thẩm định của Đảng ủy cấp trên' } : {}),
      };
    case 'record_ceremony':
      return { ceremonyDate: day };
    case 'request_extension':
      return { reason: text };
    case 'resume':
      return { note: a.text ? 'Đã bổ sung' : '' };
    case 'not_admitted':
      return { reason: text || 'Không đủ phiếu', refDate: day, ...(a.extension ? { vote } : {}) };
    default:
      return { reason: text, refDate: day };
  }
}

const ROLE_OK: Record<Step, readonly UserKey[]> = {
  select_outstanding: ['union', 'admin'],
  record_awareness_class: PARTY_SIDE,
  open_dossier: PARTY_SIDE,
  record_introduction: [...PARTY_SIDE, 'union'],
  record_branch_vote: PARTY_SIDE,
  record_committee_review: PARTY_SIDE,
  record_decision: PARTY_SIDE,
  record_ceremony: PARTY_SIDE,
  record_official_vote: PARTY_SIDE,
  recognise_official: PARTY_SIDE,
  request_extension: PARTY_SIDE,
  return_for_improvement: [...PARTY_SIDE, 'union', 'province'],
  resume: [...PARTY_SIDE, 'union'],
  not_admitted: PARTY_SIDE,
  withdraw: [...PARTY_SIDE, 'union'],
  transfer: [...PARTY_SIDE, 'union'],
  age_out: ['union', 'admin'],
  strike_off: PARTY_SIDE,
};

class StepCommand implements Cmd {
  constructor(readonly a: StepArgs) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const m0 = (await Member.findById(real.candidates[this.a.c]).lean<LeanMember>())!;
    const step = stepOf(this.a, m0);
    const a = { ...this.a, step, who: resolveWho(model, real, this.a.who, this.a.c, step) };
    const user = userOf(real, a.who, a.c);
    let actorRecorded: string[] = [];
    let verdict: string | null = null;
    await execute(
      real,
      model,
      `${this}${this.a.who !== a.who ? ` by ${a.who}` : ''}${this.a.step === 'next' ? ` = ${a.step}` : ''}`,
      [a.c],
      async (pre) => {
        const m = pre.members[a.c];
        const cm = model.candidates[a.c];
        actorRecorded = [...(cm.recorders.branch_vote ?? []), ...(cm.recorders.committee_review ?? [])];
        if (a.step === 'select_outstanding')
          verdict = (await loadSelectionVerdict(real.candidates[a.c], {}))?.status ?? null;
        const input = stepInput(a, pre, m, real.otherCellId);
        const version = (m.__v ?? 0) - (a.stale ? 1 : 0);
        return statusOf(async () => {
          // The candidate page's action: 'member:read', then a role that acts on the pipeline.
          guard(user, 'member:read');
          if (!canActOnPipeline(user)) throw new Response('Forbidden', { status: 403 });
          return applyTransition(user, real.candidates[a.c], a.step, input, version);
        });
      },
      (pre, post, status) => {
        const cm = model.candidates[a.c];
        const wrote = post.hashes[a.c] !== pre.hashes[a.c];
        // Predictions: refused for a wrong role or scope, a stale version, a paused record,
        // and the decision for whoever recorded the vote or the review.
        if (!ROLE_OK[a.step].includes(a.who))
          expect(status, `${this}: wrong role`).toBeGreaterThanOrEqual(400);
        if (a.stale && pre.members[a.c].__v) expect(status, `${this}: stale version`).toBe(409);
        if (cm.withdrawn) expect(status, `${this}: consent withdrawn`).toBeGreaterThanOrEqual(400);
        if (a.step === 'record_decision' && actorRecorded.includes(user.id))
          expect(status, `${this}: separation of duties`).toBeGreaterThanOrEqual(400);
        // An open rule conflict blocks the forward steps until corrected or overridden.
        if (BLOCKED_BY_CONFLICT.has(a.step) && openConflicts(pre.members[a.c].pipeline).length)
          expect(status, `${this}: open rule conflict`).toBeGreaterThanOrEqual(400);
        // Selection outside the criteria needs a written reason, kept on the record with who.
        if (a.step === 'select_outstanding' && verdict !== 'met') {
          if (!(a.extension && a.text))
            expect(status, `${this}: outside the criteria, no reason`).toBeGreaterThanOrEqual(400);
          if (status === 302) {
            const o = (
              post.members[a.c].pipeline as { selectionOverride?: { reason?: string; by?: unknown } }
            ).selectionOverride;
            expect((o?.reason ?? '').trim().length, `${this}: override reason kept`).toBeGreaterThanOrEqual(
              20,
            );
            expect(String(o?.by), `${this}: override by the selector`).toBe(user.id);
          }
        }
        expect(wrote, `${this}: wrote ⇔ accepted`).toBe(status === 302);
        if (status === 302) learnStep(model, a.c, a.step, user.id, post.members[a.c]);
      },
      a.step,
    );
  }
  toString() {
    const a = this.a;
    return `step(${a.c}, ${a.who}, ${a.step}, ${JSON.stringify(a.date)}, n=${a.count}, yes=${a.yes}, no=${a.no}${a.text ? '' : ', blank'}${a.extension ? ', ext' : ''}${a.receivedAfter !== null ? `, recv+${a.receivedAfter}` : ''}${a.stale ? ', stale' : ''}${a.cell === 'other' ? ', other cell' : ''})`;
  }
}

const BULK_STEPS = [
  'select_outstanding',
  'record_committee_review',
  'record_decision',
  'record_ceremony',
] as const;

const BULK_FROM = {
  select_outstanding: 'member',
  record_committee_review: 'branch_vote',
  record_decision: 'committee_review',
  record_ceremony: 'decision',
};

class BulkAdvanceCommand implements Cmd {
  constructor(
    readonly a: {
      cs: number[];
      who: Who;
      step: (typeof BULK_STEPS)[number];
      date: DateTok;
      text: boolean;
      /** Those of `cs` at the step's stage when the command runs (as the ready queue lists them). */
      ready: boolean;
    },
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    let a = this.a;
    if (a.ready) {
      const stages = await Promise.all(
        a.cs.map(
          async (c) =>
            (await Member.findById(real.candidates[c]).select({ 'pipeline.stage': 1 }).lean())!.pipeline
              .stage,
        ),
      );
      const at = a.cs.filter((_, i) => stages[i] === BULK_FROM[a.step]);
      if (at.length) a = { ...a, cs: at };
    }
    const by = resolveWho(model, real, a.who, a.cs[0], a.step);
    const user = userOf(real, by, a.cs[0]);
    const recorded: string[][] = [];
    const verdicts: (string | null)[] = [];
    await execute(
      real,
      model,
      `${this}${this.a.who !== by ? ` by ${by}` : ''}`,
      a.cs,
      async (pre) => {
        for (const c of a.cs) {
          if (a.step === 'select_outstanding')
            verdicts[c] = (await loadSelectionVerdict(real.candidates[c], {}))?.status ?? null;
          const cm = model.candidates[c];
          recorded[c] = [...(cm.recorders.branch_vote ?? []), ...(cm.recorders.committee_review ?? [])];
        }
        const day = resolveDate(a.date, baseDay(pre.members[a.cs[0]].pipeline));
        const fields: [string, string][] =
          a.step === 'select_outstanding'
            ? [
                ['resolutionNo', a.text ? '12-NQ/ĐTN' : ''],
                ['resolutionDate', day],
              ]
            : a.step === 'record_ceremony'
              ? [['ceremonyDate', day]]
              : a.step === 'record_committee_review'
                ? [
                    ['resolutionNo', a.text ? '61-NQ/ĐU' : ''],
                    ['resolutionDate', day],
                  ]
                : [
                    ['decisionNo', a.text ? '95-QĐ/ĐU' : ''],
                    ['decisionDate', day],
                    ['issuer', 'Đảng ủy Trường Đại học Phạm Văn Đồng'],
                  ];
        const f = form([
          ['step', a.step],
          ...fields,
          ...a.cs.map((c) => ['ids', String(real.candidates[c])] as [string, string]),
        ]);
        return statusOf(async () => {
          guard(user, 'member:read');
          return bulkAdvance(user, f);
        });
      },
      (pre, post, status) => {
        const roles: readonly UserKey[] = a.step === 'select_outstanding' ? ['union', 'admin'] : PARTY_SIDE;
        if (!roles.includes(by)) expect(status, `${this}: wrong role`).toBeGreaterThanOrEqual(400);
        if (a.cs.some((c) => openConflicts(pre.members[c].pipeline).length))
          expect(status, `${this}: a record with an open rule conflict`).toBeGreaterThanOrEqual(400);
        if (a.step === 'select_outstanding' && a.cs.some((c) => verdicts[c] !== 'met'))
          expect(status, `${this}: a record outside the criteria (no reason in bulk)`).toBeGreaterThanOrEqual(
            400,
          );
        if (a.cs.some((c) => model.candidates[c].withdrawn))
          expect(status, `${this}: a paused record in the bulk`).toBeGreaterThanOrEqual(400);
        if (a.step === 'record_decision' && a.cs.some((c) => recorded[c].includes(user.id)))
          expect(status, `${this}: separation of duties`).toBeGreaterThanOrEqual(400);
        for (const c of a.cs) {
          const wrote = post.hashes[c] !== pre.hashes[c];
          if (status !== 302) expect(wrote, `${this}: refused bulk wrote ${c}`).toBe(false);
          if (wrote) learnStep(model, c, a.step, user.id, post.members[c]);
        }
      },
      a.step,
    );
  }
  toString() {
    const a = this.a;
    return `bulk(${a.cs.join('+')}, ${a.who}, ${a.step}, ${JSON.stringify(a.date)}${a.text ? '' : ', blank'}${a.ready ? ', ready' : ''})`;
  }
}

class BulkReturnCommand implements Cmd {
  constructor(readonly a: { cs: number[]; who: UserKey; text: boolean }) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const a = this.a;
    const user = userOf(real, a.who, a.cs[0]);
    await execute(
      real,
      model,
      this.toString(),
      a.cs,
      async () => {
        const f = form([
          ['intent', 'return'],
          ['reason', a.text ? 'Bổ sung bản tự kiểm điểm' : ''],
          ...a.cs.map((c) => ['ids', String(real.candidates[c])] as [string, string]),
        ]);
        return statusOf(async () => {
          guard(user, 'member:read');
          if (!canActOnPipeline(user)) throw new Response('Forbidden', { status: 403 });
          return bulkReturn(user, f, new URLSearchParams());
        });
      },
      (pre, post, status) => {
        if (['student', 'otherParty'].includes(a.who))
          expect(status, `${this}: wrong role`).toBeGreaterThanOrEqual(400);
        if (a.cs.some((c) => model.candidates[c].withdrawn))
          expect(status, `${this}: a paused record in the bulk`).toBeGreaterThanOrEqual(400);
        for (const c of a.cs) {
          if (status !== 302) expect(post.hashes[c], `${this}: refused bulk wrote ${c}`).toBe(pre.hashes[c]);
        }
      },
      'return_for_improvement',
    );
  }
  toString() {
    return `bulkReturn(${this.a.cs.join('+')}, ${this.a.who}${this.a.text ? '' : ', blank'})`;
  }
}

class DossierCommand implements Cmd {
  constructor(
    readonly a: {
      c: number;
      who: UserKey;
      row: number;
      kind: 'receivedAt' | 'verifiedAt';
      date: DateTok;
      stale: boolean;
    },
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const a = this.a;
    const user = userOf(real, a.who, a.c);
    await execute(
      real,
      model,
      this.toString(),
      [a.c],
      async (pre) => {
        const m = pre.members[a.c];
        const day = resolveDate(a.date, baseDay(m.pipeline));
        return statusOf(async () => {
          guard(user, 'member:read');
          if (!canActOnPipeline(user)) throw new Response('Forbidden', { status: 403 });
          return saveDossier(
            user,
            real.candidates[a.c],
            { [`${a.kind}.${a.row}`]: day },
            (m.__v ?? 0) - (a.stale ? 1 : 0),
          );
        });
      },
      (_pre, _post, status) => {
        if (['student', 'otherParty', 'province'].includes(a.who))
          expect(status, `${this}: wrong role`).toBeGreaterThanOrEqual(400);
      },
    );
  }
  toString() {
    const a = this.a;
    return `dossier(${a.c}, ${a.who}, ${a.kind}.${a.row}, ${JSON.stringify(a.date)}${a.stale ? ', stale' : ''})`;
  }
}

const BIRTHS = ['2004-04-04', '2003-11-30', '2008-12-31', '1990-01-01', '2004-02-30', ''] as const;

class EditCommand implements Cmd {
  constructor(readonly a: { c: number; who: UserKey; dob: (typeof BIRTHS)[number] }) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const a = this.a;
    const user = userOf(real, a.who, a.c);
    await execute(
      real,
      model,
      this.toString(),
      [a.c],
      async () =>
        statusOf(async () => {
          // The profile editor's action: 'member:write', the form as the loader filled it.
          guard(user, 'member:write');
          const current = await getMemberForEdit(user, real.candidates[a.c]);
          const values = { ...(current.values as Record<string, unknown>), dateOfBirth: a.dob };
          const entries: [string, string][] = [
            ['intent', 'save'],
            ['version', String(current.version)],
          ];
          for (const [k, v] of Object.entries(values)) {
            if (v === undefined || v === null || typeof v === 'object') continue;
            entries.push([k, String(v)]);
          }
          return saveMember(user, form(entries), real.candidates[a.c]);
        }),
      (_pre, _post, status) => {
        if (['student', 'otherParty'].includes(a.who))
          expect(status, `${this}: wrong role`).toBeGreaterThanOrEqual(400);
      },
    );
  }
  toString() {
    return `edit(${this.a.c}, ${this.a.who}, dob=${this.a.dob || 'blank'})`;
  }
}

class RegisterCommand implements Cmd {
  constructor(readonly a: { who: UserKey; other: boolean; count: string; from: DateTok; text: boolean }) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const a = this.a;
    const user = userOf(real, a.who, 0);
    await execute(
      real,
      model,
      this.toString(),
      [],
      async () => {
        const from = resolveDate(a.from, TODAY - 200);
        const f = form([
          ['cellId', String(a.other ? real.otherCellId : real.cellId)],
          ['count', a.count],
          ['from', from],
          ['reason', a.text ? 'Chuyển sinh hoạt đảng' : ''],
        ]);
        return statusOf(async () => {
          guard(user, 'pipeline:party');
          return recordRegister(user, f);
        });
      },
      (_pre, _post, status) => {
        // The Party side of the cell's own school (and the admin) only; another school's cell is
        // never written (404 once the form is valid, 400 before).
        const mayWrite = a.who === 'admin' || (a.other ? a.who === 'otherParty' : PARTY_SIDE.includes(a.who));
        if (!mayWrite) expect(status, `${this}: wrong role or scope`).toBeGreaterThanOrEqual(400);
      },
    );
  }
  toString() {
    const a = this.a;
    return `register(${a.who}, ${a.other ? 'other cell' : 'cell'}, ${a.count}, ${JSON.stringify(a.from)}${a.text ? '' : ', blank'})`;
  }
}

class ConsentCommand implements Cmd {
  constructor(
    readonly a: {
      c: number;
      who: 'self' | UserKey;
      intent: 'give' | 'withdraw';
      ticked: boolean;
      guardian: boolean;
    },
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const a = this.a;
    const user = a.who === 'self' ? real.students[a.c] : userOf(real, a.who, a.c);
    let expectWithdrawn = model.candidates[a.c].withdrawn;
    await execute(
      real,
      model,
      this.toString(),
      [a.c],
      async (pre) => {
        const m = pre.members[a.c];
        const mine = user.memberId === String(real.candidates[a.c]);
        if (mine && a.intent === 'withdraw' && a.ticked && m.consent?.givenAt && !m.consent.withdrawnAt)
          expectWithdrawn = true;
        if (mine && a.intent === 'give' && a.ticked && (a.guardian || !isMinorOn(m.dateOfBirth, new Date())))
          expectWithdrawn = false;
        const entries: [string, string][] = [['intent', a.intent]];
        if (a.ticked) entries.push([a.intent === 'give' ? 'agree' : 'confirm', 'on']);
        if (a.guardian) entries.push(['guardianName', 'Nguyễn Văn Cha']);
        return statusOf(async () => {
          guard(user, 'self:read');
          return consentAction(user, form(entries));
        });
      },
      (pre, post, status) => {
        if (a.who !== 'self' && a.who !== 'student') expect(status, `${this}: staff`).toBe(403);
        model.candidates[a.c].withdrawn = expectWithdrawn;
        // Consent changes nothing of the pipeline.
        expect(post.members[a.c].pipeline, `${this}: pipeline changed`).toEqual(pre.members[a.c].pipeline);
      },
    );
  }
  toString() {
    const a = this.a;
    return `consent(${a.c}, ${a.who}, ${a.intent}${a.ticked ? '' : ', unticked'}${a.guardian ? ', guardian' : ''})`;
  }
}

/** A reasoned override of a record's open rule conflicts (the Quy trình tab's form). */
class OverrideCommand implements Cmd {
  constructor(
    readonly a: {
      c: number;
      /** The first candidate with an open conflict when the command runs, if any (else `c`). */
      conflicted: boolean;
      who: UserKey | 'producer';
      long: boolean;
      stale: boolean;
    },
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    let a = this.a;
    if (a.conflicted) {
      const all = await Promise.all(real.candidates.map((id) => Member.findById(id).lean<LeanMember>()));
      const c = all.findIndex((m) => openConflicts(m!.pipeline).length > 0);
      if (c >= 0) a = { ...a, c };
    }
    let by: UserKey = a.who === 'producer' ? 'party1' : a.who;
    if (a.who === 'producer') {
      // Whoever made the write that produced an open conflict of this record.
      const m = (await Member.findById(real.candidates[a.c]).lean<LeanMember>())!;
      const producer = openConflicts(m.pipeline).find((k) => k.by)?.by;
      by =
        (Object.keys(real.users) as UserKey[]).find((k) => userOf(real, k, a.c).id === String(producer)) ??
        by;
    }
    const user = userOf(real, by, a.c);
    await execute(
      real,
      model,
      `${this}${a.c !== this.a.c ? ` on ${a.c}` : ''}${a.who === 'producer' ? ` by ${by}` : ''}`,
      [a.c],
      async (pre) => {
        const m = pre.members[a.c];
        const f = form([
          ['intent', 'conflict_override'],
          ['version', String((m.__v ?? 0) - (a.stale ? 1 : 0))],
          ['reason', a.long ? 'Đã đối chiếu hồ sơ gốc, số liệu đúng với biên bản họp chi bộ' : 'Đồng ý'],
        ]);
        return statusOf(async () => {
          guard(user, 'member:read');
          if (!canActOnPipeline(user)) throw new Response('Forbidden', { status: 403 });
          return pipelineAction(user, real.candidates[a.c], f);
        });
      },
      (pre, post, status) => {
        const open = openConflicts(pre.members[a.c].pipeline);
        if (!open.length) expect(status, `${this}: nothing to override`).toBeGreaterThanOrEqual(400);
        if (open.some((k) => String(k.by) === user.id))
          expect(status, `${this}: the producer overrides their own conflict`).toBeGreaterThanOrEqual(400);
        if (!a.long) expect(status, `${this}: short reason`).toBeGreaterThanOrEqual(400);
        if (['student', 'otherParty', 'province'].includes(by))
          expect(status, `${this}: wrong role`).toBeGreaterThanOrEqual(400);
        if (status === 302) {
          expect(openConflicts(post.members[a.c].pipeline), `${this}: still open`).toEqual([]);
          const o = (post.members[a.c].pipeline as { conflictOverride?: { by?: unknown; reason?: string } })
            .conflictOverride;
          expect(String(o?.by), `${this}: override by`).toBe(user.id);
          expect((o?.reason ?? '').length, `${this}: override reason`).toBeGreaterThanOrEqual(
            OVERRIDE_REASON_MIN,
          );
        }
      },
    );
  }
  toString() {
    const a = this.a;
    return `override(${a.c}${a.conflicted ? ' or conflicted' : ''}, ${a.who}${a.long ? '' : ', short'}${a.stale ? ', stale' : ''})`;
  }
}

// ---------------------------------------------------------------- arbitraries

const candidate = fc.integer({ min: 0, max: CANDIDATES - 1 });
const someCandidates = fc.uniqueArray(candidate, { minLength: 1, maxLength: CANDIDATES });
/** Mostly the Party side (steps are theirs), every other role and scope too. */
const who = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom<UserKey>('party1', 'party2', 'party3', 'admin') },
  { weight: 3, arbitrary: fc.constantFrom<UserKey>('union', 'province', 'student', 'otherParty') },
);
/** For steps and bulks: also whoever recorded the candidate's latest level (the duty rule's case). */
const stepWho = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 5 }).map((n): Who => `fit:${n}`) },
  { weight: 4, arbitrary: who },
  { weight: 4, arbitrary: fc.constant<Who>('recorder') },
);
/** The forward steps, in the machine's order: everything before the extension request. */
const forward = fc.constantFrom<Step>(...STEPS.slice(0, STEPS.indexOf('request_extension')));
/** Returns weigh more: a return and a resume are the cycle the duty rule must see through. */
const aside = fc.constantFrom<Step>(
  'request_extension',
  'return_for_improvement',
  'return_for_improvement',
  'return_for_improvement',
  'resume',
  'not_admitted',
  'withdraw',
  'transfer',
  'age_out',
  'strike_off',
);

const stepCommand = fc
  .record({
    c: candidate,
    who: stepWho,
    step: fc.oneof(
      { weight: 8, arbitrary: fc.constant<'next'>('next') },
      { weight: 2, arbitrary: forward },
      { weight: 2, arbitrary: aside },
    ),
    date: dateTok,
    count: fc.oneof(
      { weight: 3, arbitrary: fc.constant<'register'>('register') },
      fc.integer({ min: 1, max: 30 }),
    ),
    yes: fc.integer({ min: -3, max: 3 }),
    no: fc.integer({ min: 0, max: 4 }),
    text: fc.integer({ min: 0, max: 5 }).map((k) => k > 0),
    extension: fc.boolean(),
    receivedAfter: fc.option(fc.integer({ min: -2, max: 5 }), { nil: null }),
    stale: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    cell: fc.constantFrom<'own' | 'other'>('own', 'own', 'own', 'own', 'other'),
  })
  .map((a) => new StepCommand(a));

const bulkAdvanceCommand = fc
  .record({
    cs: someCandidates,
    who: stepWho,
    step: fc.constantFrom(...BULK_STEPS),
    date: dateTok,
    text: fc.integer({ min: 0, max: 5 }).map((k) => k > 0),
    ready: fc.integer({ min: 0, max: 3 }).map((k) => k > 0),
  })
  .map((a) => new BulkAdvanceCommand(a));

const bulkReturnCommand = fc
  .record({ cs: someCandidates, who, text: fc.integer({ min: 0, max: 4 }).map((k) => k > 0) })
  .map((a) => new BulkReturnCommand(a));

const dossierCommand = fc
  .record({
    c: candidate,
    who,
    row: fc.integer({ min: 1, max: 5 }),
    kind: fc.constantFrom<'receivedAt' | 'verifiedAt'>('receivedAt', 'verifiedAt'),
    date: dateTok,
    stale: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  })
  .map((a) => new DossierCommand(a));

const editCommand = fc
  .record({
    c: candidate,
    // Mostly the roles that keep member records, so edits land and re-checks have work.
    who: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom<UserKey>('union', 'admin') },
      { weight: 2, arbitrary: who },
    ),
    dob: fc.constantFrom(...BIRTHS),
  })
  .map((a) => new EditCommand(a));

const registerCommand = fc
  .record({
    who,
    other: fc.integer({ min: 0, max: 5 }).map((k) => k === 0),
    count: fc.oneof(
      { weight: 5, arbitrary: fc.integer({ min: 1, max: 30 }).map(String) },
      { weight: 1, arbitrary: fc.constantFrom('0', '-3', 'mười', '') },
    ),
    from: fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 0, max: 950 }).map((n) => ({ k: 'ago' as const, n })) },
      { weight: 1, arbitrary: dateTok },
    ),
    text: fc.integer({ min: 0, max: 5 }).map((k) => k > 0),
  })
  .map((a) => new RegisterCommand(a));

const overrideCommand = fc
  .record({
    c: candidate,
    conflicted: fc.integer({ min: 0, max: 3 }).map((k) => k > 0),
    who: fc.oneof(
      { weight: 4, arbitrary: who },
      { weight: 2, arbitrary: fc.constant<'producer'>('producer') },
    ),
    long: fc.integer({ min: 0, max: 4 }).map((k) => k > 0),
    stale: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  })
  .map((a) => new OverrideCommand(a));

const consentCommand = fc
  .record({
    c: candidate,
    who: fc.oneof({ weight: 5, arbitrary: fc.constant<'self'>('self') }, who),
    intent: fc.constantFrom<'give' | 'withdraw'>('give', 'withdraw'),
    ticked: fc.integer({ min: 0, max: 4 }).map((k) => k > 0),
    guardian: fc.boolean(),
  })
  .map((a) => new ConsentCommand(a));

const starts = fc.array(
  fc.record({
    stage: fc.constantFrom<Start['stage']>(
      'member',
      'introduced',
      'branch_vote',
      'committee_review',
      'resumed',
      'probation',
    ),
    voter: fc.integer({ min: 0, max: 3 }),
    reviewer: fc.integer({ min: 0, max: 3 }),
  }),
  { minLength: CANDIDATES, maxLength: CANDIDATES },
);

/** Steps weigh most (a run should get somewhere); each other kind of command is in every run's reach. */
/** Steps weigh most (a run should get somewhere); each other kind of command is in every run's reach. */
const commands = fc.commands(
  [
    ...Array<typeof stepCommand>(12).fill(stepCommand),
    bulkAdvanceCommand,
    bulkAdvanceCommand,
    bulkAdvanceCommand,
    bulkReturnCommand,
    dossierCommand,
    editCommand,
    editCommand,
    registerCommand,
    registerCommand,
    consentCommand,
    consentCommand,
    overrideCommand,
    overrideCommand,
  ],
  { maxCommands: MAX_COMMANDS, size: 'max' },
);

// ---------------------------------------------------------------- the property

describe('the admission rules hold on every path (model-based, issue 16)', () => {
  const figures = { runs: 0, commands: 0, accepted: 0, refused: 0, started: 0 };
  const outcomes = new Map<string, number>();

  beforeAll(() => {
    figures.started = Date.now();
  });
  afterAll(() => {
    const top = [...outcomes.entries()].sort((a, b) => b[1] - a[1]);
    console.info(
      `pipeline model: ${figures.runs} runs (shrinking included), ${figures.commands} commands (${figures.accepted} accepted, ${figures.refused} refused) in ${((Date.now() - figures.started) / 1000).toFixed(1)} s\n` +
        top.map(([k, v]) => `  ${k}: ${v}`).join('\n'),
    );
  });

  it('random steps, bulks, edits, register and consent changes by right and wrong users keep every invariant', async () => {
    await fc.assert(
      fc.asyncProperty(starts, commands, async (initial, cmds) => {
        const real = await freshDatabase(initial);
        const model = initialModel(real, initial);
        // The fixture itself meets every invariant.
        await checkInvariants(real, model, await snapshot(real), { label: 'fixture', status: 200 }, []);
        try {
          await fc.asyncModelRun(() => ({ model, real }), cmds);
        } finally {
          figures.runs++;
          if (process.env.MODEL_DEBUG) console.info(real.log.join('\n'));
          for (const line of real.log) {
            if (line.startsWith('  ')) continue;
            figures.commands++;
            const [what, status] = line.split(' → ');
            const step = what.includes(' = ') ? what.split(' = ')[1] : what.split(', ')[2];
            const name = what.split('(')[0] + (what.startsWith('step(') ? `:${step}` : '');
            const key = `${name} ${Number(status) < 400 ? 'ok' : status}`;
            outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
            if (Number(status) < 400) figures.accepted++;
            else figures.refused++;
          }
        }
      }),
      { numRuns: RUNS, seed: SEED, ...(PATH ? { path: PATH } : {}), endOnFailure: false, verbose: 1 },
    );
  }, 240_000);
});
