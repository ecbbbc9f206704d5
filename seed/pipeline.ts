/**
 * A member's admission path: the history of each stage reached, the paperwork each
 * stage leaves in the record, and the exit, if any. Draws from the member's stream in
 * the order generateMember calls it.
 */
import type { ObjectId } from 'bson';
import {
  PIPELINE_STAGES,
  stageIndex,
  type ExitStage,
  type PipelineStage,
  type Stage,
} from '../app/domain/stages.ts';
import type { SchoolKind } from '../models/unit.ts';
import { HELPER_TITLES, type SchoolDef } from './data.ts';
import type { Random } from './random.ts';
import {
  addDays,
  addMonths,
  before,
  daysBetween,
  maxDate,
  minDate,
  REFERENCE_DATE,
  sum,
  utc,
  wholeMonthsBetween,
} from './common.ts';
import { COHORTS, MERGER_DATE, type BranchInfo } from './org-tree.ts';
import { personName } from './names.ts';
import type { SeedHistoryEntry, SeedPipeline } from './types.ts';

/** Relative frequency of each current stage: most are plain members, fewer at each later stage. */
export const STAGE_WEIGHTS: Record<'higher' | 'high_school', [Stage, number][]> = {
  higher: [
    ['member', 52],
    ['outstanding', 14],
    ['awareness_class', 8],
    ['dossier', 5],
    ['introduced', 3],
    ['branch_vote', 2],
    ['committee_review', 1.5],
    ['decision', 1.5],
    ['probation', 3.5],
    ['official', 2],
    ['returned', 2],
    ['not_admitted', 0.8],
    ['withdrawn', 1.5],
    ['struck_off', 0.3],
    ['transferred', 2.5],
    ['aged_out', 0.4],
  ],
  // THPT students are 15-18 on the reference date: nobody is old enough for a vote yet (age ≥ 18 on the meeting date).
  high_school: [
    ['member', 62],
    ['outstanding', 18],
    ['awareness_class', 9],
    ['dossier', 4],
    ['introduced', 1.5],
    ['returned', 1.5],
    ['withdrawn', 1],
    ['transferred', 3],
  ],
};

/** Forward stages an exit can follow. */
const EXIT_FROM: Record<ExitStage, PipelineStage[]> = {
  returned: ['outstanding', 'awareness_class', 'dossier', 'introduced', 'branch_vote', 'committee_review'],
  not_admitted: ['branch_vote', 'committee_review'],
  withdrawn: ['outstanding', 'awareness_class', 'dossier'],
  struck_off: ['probation'],
  transferred: ['member', 'outstanding', 'awareness_class', 'dossier', 'introduced', 'probation', 'official'],
  aged_out: ['member', 'outstanding'],
};

/** Days between entering the previous stage and entering this one: [min, max]. */
export const STAGE_GAP: Record<PipelineStage, [number, number]> = {
  member: [0, 0],
  outstanding: [0, 0],
  awareness_class: [30, 150],
  dossier: [14, 120],
  introduced: [20, 90],
  branch_vote: [10, 45],
  committee_review: [7, 30],
  // Vote → decision stays within 60 working days (~84 calendar days) for most.
  decision: [14, 50],
  // Ceremony within 30 working days of the decision.
  probation: [7, 40],
  // Recorded after the chi bộ and committee consider it; the official date itself is ceremony + 12 months.
  official: [375, 420],
};

const RETURN_REASONS = [
  'Thiếu giấy chứng nhận tham gia hoạt động tình nguyện đã xác nhận.',
  'Lý lịch cần bổ sung ý kiến thẩm tra nơi cư trú.',
  'Kết quả rèn luyện học kỳ gần nhất chưa đạt mức tối thiểu.',
  'Đơn xin vào Đảng chưa đúng mẫu 1-KNĐ, đề nghị viết lại.',
];

/** A forward path and, for exits, the exit itself. */
export function planStages(
  rng: Random,
  stage: Stage,
  kind: SchoolKind,
): { forward: PipelineStage[]; exit?: ExitStage } {
  const idx = stageIndex(stage);
  if (idx >= 0) return { forward: PIPELINE_STAGES.slice(0, fittingStageIndex(kind, idx, 0) + 1) };
  const exit = stage as ExitStage;
  // THPT students never get as far as a vote before they leave school (see STAGE_WEIGHTS).
  const from = EXIT_FROM[exit].filter(
    (s) => kind !== 'high_school' || stageIndex(s) <= stageIndex('introduced'),
  );
  const last = fittingStageIndex(kind, stageIndex(rng.pick(from)), 10);
  return { forward: PIPELINE_STAGES.slice(0, last + 1), exit };
}

/**
 * Earliest selection as an outstanding member: from the second year, so the
 * introducer has known the candidate ≥ 12 months by the introduction. Short
 * college courses therefore rarely reach official membership while enrolled.
 */
export function earliestSelection(_kind: SchoolKind, cohort: number): Date {
  return maxDate(addDays(utc(cohort, 9, 5), 330), utc(2023, 3, 1));
}

/**
 * The furthest forward stage (≤ idx) whose minimum durations fit between the
 * oldest enrolled cohort's earliest selection and the reference date. Keeps
 * data consistent (e.g. nobody official before 12 months of probation) even
 * for short college courses.
 */
function fittingStageIndex(kind: SchoolKind, idx: number, extraDays: number): number {
  const available = daysBetween(earliestSelection(kind, COHORTS[kind][0]), addDays(REFERENCE_DATE, -20));
  let i = idx;
  while (i > 1 && sum(PIPELINE_STAGES.slice(2, i + 1).map((s) => STAGE_GAP[s][0])) + extraDays > available)
    i--;
  return i;
}

export interface PipelineInput {
  index: number;
  def: SchoolDef;
  kind: SchoolKind;
  /** The documented demo student, whose timeline is fixed. */
  demo: boolean;
  stage: Stage;
  plan: { forward: PipelineStage[]; exit?: ExitStage };
  reached: PipelineStage;
  reachedIdx: number;
  /** Days between forward stages after 'member', and before the exit. */
  gaps: number[];
  exitGap: number;
  outstandingAt: Date | null;
  recordStart: Date;
  cohortStart: Date;
  branch: BranchInfo;
  unionUser: ObjectId;
  partyUser: ObjectId;
}

/** The member's pipeline, and the day each forward stage was reached. */
export function buildPipeline(
  rng: Random,
  input: PipelineInput,
): { pipeline: SeedPipeline; dates: Partial<Record<PipelineStage, Date>> } {
  const { index, def, kind, demo, stage, plan, reached, reachedIdx, gaps, exitGap, outstandingAt } = input;
  const { recordStart, cohortStart, branch, unionUser, partyUser } = input;
  const history: SeedHistoryEntry[] = [
    { stage: 'member', at: recordStart, by: unionUser, note: 'Nhập hồ sơ đoàn viên' },
  ];
  const pipeline: SeedPipeline = { stage, stageSince: recordStart, history };
  const dates: Partial<Record<PipelineStage, Date>> = { member: recordStart };
  let cursor = outstandingAt ?? recordStart;
  if (demo) {
    // Fixed timeline for the documented demo student.
    dates.outstanding = utc(2026, 3, 20);
    dates.awareness_class = utc(2026, 6, 20);
    dates.dossier = utc(2026, 10, 6);
  } else {
    plan.forward.forEach((s, k) => {
      if (k === 0) return;
      if (k >= 2) cursor = addDays(cursor, gaps[k - 2]);
      dates[s] = cursor;
    });
  }
  const n = () => String(rng.int(12, 480));
  const schoolParty = `Đảng ủy ${def.name}`;
  for (const s of plan.forward.slice(1)) {
    const at = dates[s]!;
    const entry: SeedHistoryEntry = { stage: s, at, by: stageIndex(s) >= 2 ? partyUser : unionUser };
    // Paperwork of a stage is dated before the next stage (or before "today").
    const following = PIPELINE_STAGES[stageIndex(s) + 1];
    const next = (following && dates[following]) || REFERENCE_DATE;
    switch (s) {
      case 'outstanding': {
        pipeline.unionResolution = { number: `${n()}-NQ/ĐTN`, date: at };
        pipeline.helperName = `${rng.pick(HELPER_TITLES)} ${personName(rng, rng.chance(0.5) ? 'male' : 'female')}`;
        entry.note = 'Ban Chấp hành Đoàn trường biểu quyết danh sách đoàn viên ưu tú';
        entry.refNo = pipeline.unionResolution.number;
        entry.refDate = at;
        break;
      }
      case 'awareness_class': {
        const issuer =
          def.region === 'kt' && at < MERGER_DATE
            ? 'Trường Chính trị tỉnh Kon Tum'
            : 'Trường Chính trị tỉnh Quảng Ngãi';
        // Every twelfth candidate still waiting for the chi bộ vote holds a certificate from an
        // earlier class that runs out 1-5 months after the reference date (the expiry warnings).
        // Chosen by index, not drawn, so the rest of the generated data stays the same.
        const waiting = stage === 'awareness_class' || stage === 'dossier' || stage === 'introduced';
        const issuedAt = waiting && index % 12 === 5 ? addMonths(REFERENCE_DATE, -(55 + (index % 5))) : at;
        pipeline.certificate = {
          number: `${rng.int(100, 9999)}/GCN-TCT`,
          issuer,
          issuedAt,
          expiresAt: addMonths(issuedAt, 60),
        };
        entry.note = 'Hoàn thành lớp bồi dưỡng nhận thức về Đảng';
        entry.refNo = pipeline.certificate.number;
        entry.refDate = at;
        break;
      }
      case 'dossier': {
        pipeline.application = { receivedAt: at };
        const verified = reachedIdx > stageIndex('dossier') || rng.chance(0.4);
        pipeline.personalHistory = {
          receivedAt: before(addDays(at, rng.int(0, 7)), next),
          verification: verified ? 'verified' : 'pending',
          verifiedAt: verified ? before(addDays(at, rng.int(8, 13)), next) : undefined,
        };
        if (!verified) delete pipeline.personalHistory.verifiedAt;
        entry.note = 'Nhận đơn (1-KNĐ) và lý lịch (2-KNĐ)';
        break;
      }
      case 'introduced': {
        const unionRes = `${n()}-NQ/ĐTN`;
        pipeline.introducers = [
          { name: 'Ban Chấp hành Đoàn trường', official: true, kind: 'union', refNo: unionRes },
          {
            name: pipeline.helperName ?? personName(rng, 'male'),
            official: true,
            kind: 'party_member',
            // Selection comes a year after enrolment at the earliest, so this is ≥ 12.
            monthsTogether: wholeMonthsBetween(cohortStart, at),
          },
        ];
        pipeline.opinions = [
          {
            source: 'Chi ủy nơi cư trú',
            date: before(addDays(at, rng.int(3, 15)), next),
            summary: 'Nhất trí, gia đình chấp hành tốt chủ trương, pháp luật.',
          },
          {
            source: 'Ban Chấp hành Chi đoàn',
            date: before(addDays(at, rng.int(1, 8)), next),
            summary: 'Nhất trí giới thiệu.',
          },
        ];
        entry.note =
          'Nghị quyết giới thiệu của Ban Chấp hành Đoàn (4-KNĐ) và một đảng viên chính thức (3-KNĐ)';
        entry.refNo = unionRes;
        entry.refDate = at;
        break;
      }
      case 'branch_vote': {
        const count = branch.partyCell.officialMemberCount ?? 15;
        const threshold = Math.ceil((2 * count) / 3);
        const fails = plan.exit === 'not_admitted' && reached === 'branch_vote';
        const yes = fails ? rng.int(Math.max(0, threshold - 4), threshold - 1) : rng.int(threshold, count);
        const no = rng.int(0, count - yes);
        pipeline.branchVote = {
          meetingDate: at,
          yes,
          no,
          officialMemberCount: count,
          resolutionNo: `${n()}-NQ/CB`,
        };
        entry.note = `Chi bộ biểu quyết: ${yes}/${count} đảng viên chính thức tán thành`;
        entry.refNo = pipeline.branchVote.resolutionNo;
        entry.refDate = at;
        break;
      }
      case 'committee_review':
        pipeline.committeeResolution = { number: `${n()}-NQ/ĐU`, date: at };
        entry.refNo = pipeline.committeeResolution.number;
        entry.refDate = at;
        break;
      case 'decision':
        pipeline.decision = { number: `${n()}-QĐ/ĐU`, date: at, issuer: schoolParty };
        entry.refNo = pipeline.decision.number;
        entry.refDate = at;
        break;
      case 'probation':
        pipeline.ceremonyDate = at;
        pipeline.probation = { start: at, end: addMonths(at, 12) };
        entry.note = 'Lễ kết nạp; bắt đầu 12 tháng dự bị';
        break;
      case 'official': {
        // The official date is ceremony + 12 months even when the decision comes later (domain.md §3, step 12).
        pipeline.officialDate = pipeline.probation ? pipeline.probation.end : at;
        entry.refNo = `${n()}-QĐ/ĐU`;
        entry.refDate = at;
        entry.note = 'Quyết định công nhận đảng viên chính thức';
        break;
      }
    }
    history.push(entry);
  }
  if (plan.exit) {
    const last = history[history.length - 1].at;
    let at = minDate(addDays(last, exitGap), addDays(REFERENCE_DATE, -1));
    if (at <= last) at = addDays(last, 1);
    const entry: SeedHistoryEntry = { stage: plan.exit, at, by: unionUser };
    switch (plan.exit) {
      case 'returned':
        pipeline.returnReason = rng.pick(RETURN_REASONS);
        entry.note = pipeline.returnReason;
        entry.by = reachedIdx >= stageIndex('awareness_class') ? partyUser : unionUser;
        break;
      case 'not_admitted':
        entry.note =
          reached === 'branch_vote'
            ? 'Không đủ 2/3 đảng viên chính thức tán thành'
            : 'Đảng ủy không đề nghị kết nạp';
        entry.by = partyUser;
        break;
      case 'withdrawn':
        entry.note = 'Đoàn viên xin rút hồ sơ';
        break;
      case 'struck_off':
        entry.note = 'Xóa tên trong thời gian dự bị';
        entry.by = partyUser;
        if (pipeline.probation && at > pipeline.probation.end) at = addDays(pipeline.probation.end, -10);
        entry.at = at;
        break;
      case 'transferred':
        entry.note = kind === 'high_school' ? 'Chuyển trường' : 'Tốt nghiệp, chuyển sinh hoạt';
        break;
      case 'aged_out':
        entry.note = 'Hết tuổi đoàn (30 tuổi)';
        break;
    }
    history.push(entry);
  }
  pipeline.stageSince = history[history.length - 1].at;
  return { pipeline, dates };
}
