/**
 * Pipeline stages of a member, from rated Union member to official Party member
 * (domain.md §3), and the exits that can end the pipeline at any point.
 * Pure and isomorphic: used by models, the seed, the UI and the rules.
 */

/** The forward stages, in the order a member goes through them. */
export const PIPELINE_STAGES = [
  'member',
  'outstanding',
  'awareness_class',
  'dossier',
  'introduced',
  'branch_vote',
  'committee_review',
  'decision',
  'probation',
  'official',
] as const;

/**
 * Stages where a record waits for someone to act (the pipeline board's lanes): the
 * forward path after selection and before official membership, plus 'returned'.
 */
export const OPEN_STAGES: readonly (PipelineStage | 'returned')[] = [
  ...PIPELINE_STAGES.slice(1, -1),
  'returned',
];

/**
 * Stages before the chi bộ vote, where the awareness-class certificate still has to be valid
 * (deadlines.ts: its expiry matters until the vote), 'returned' included.
 */
export const PRE_VOTE_STAGES = [
  'outstanding',
  'awareness_class',
  'dossier',
  'introduced',
  'returned',
] as const;

/** Stages that end (or pause, for 'returned') the forward path. */
export const EXIT_STAGES = [
  'returned',
  'not_admitted',
  'withdrawn',
  'struck_off',
  'transferred',
  'aged_out',
] as const;

export const ALL_STAGES = [...PIPELINE_STAGES, ...EXIT_STAGES] as const;

export type PipelineStage = (typeof PIPELINE_STAGES)[number];
export type ExitStage = (typeof EXIT_STAGES)[number];
export type Stage = (typeof ALL_STAGES)[number];

export const STAGE_LABELS: Record<Stage, { vi: string; en: string }> = {
  member: { vi: 'Đoàn viên', en: 'Union member' },
  outstanding: { vi: 'Đoàn viên ưu tú', en: 'Outstanding member' },
  awareness_class: { vi: 'Học lớp nhận thức về Đảng', en: 'Party awareness class' },
  dossier: { vi: 'Lập hồ sơ', en: 'Dossier' },
  introduced: { vi: 'Được giới thiệu', en: 'Introduced' },
  branch_vote: { vi: 'Chi bộ xét, biểu quyết', en: 'Party cell vote' },
  committee_review: { vi: 'Đảng ủy xét duyệt', en: 'Committee review' },
  decision: { vi: 'Có quyết định kết nạp', en: 'Admission decision' },
  probation: { vi: 'Đảng viên dự bị', en: 'Probationary member' },
  official: { vi: 'Đảng viên chính thức', en: 'Official member' },
  returned: { vi: 'Trả lại để bổ sung', en: 'Returned for improvement' },
  not_admitted: { vi: 'Không được kết nạp', en: 'Not admitted' },
  withdrawn: { vi: 'Rút hồ sơ', en: 'Withdrawn' },
  struck_off: { vi: 'Xóa tên', en: 'Struck off' },
  transferred: { vi: 'Chuyển đi / tốt nghiệp', en: 'Transferred or graduated' },
  aged_out: { vi: 'Quá tuổi đoàn', en: 'Aged out of the Union' },
};

/**
 * One- or two-word labels for narrow places (the member table's stage badge), which
 * carries the full label in its title and accessible name.
 */
export const STAGE_SHORT_LABELS: Record<Stage, { vi: string; en: string }> = {
  member: { vi: 'Đoàn viên', en: 'Member' },
  outstanding: { vi: 'Ưu tú', en: 'Outstanding' },
  awareness_class: { vi: 'Lớp nhận thức', en: 'Class' },
  dossier: { vi: 'Hồ sơ', en: 'Dossier' },
  introduced: { vi: 'Giới thiệu', en: 'Introduced' },
  branch_vote: { vi: 'Chi bộ xét', en: 'Cell vote' },
  committee_review: { vi: 'Đảng ủy xét', en: 'Committee' },
  decision: { vi: 'Quyết định', en: 'Decision' },
  probation: { vi: 'Dự bị', en: 'Probation' },
  official: { vi: 'Chính thức', en: 'Official' },
  returned: { vi: 'Trả lại', en: 'Returned' },
  not_admitted: { vi: 'Không kết nạp', en: 'Not admitted' },
  withdrawn: { vi: 'Rút hồ sơ', en: 'Withdrawn' },
  struck_off: { vi: 'Xóa tên', en: 'Struck off' },
  transferred: { vi: 'Chuyển đi', en: 'Transferred' },
  aged_out: { vi: 'Quá tuổi', en: 'Aged out' },
};

export function isPipelineStage(stage: string): stage is PipelineStage {
  return (PIPELINE_STAGES as readonly string[]).includes(stage);
}

export function isExitStage(stage: string): stage is ExitStage {
  return (EXIT_STAGES as readonly string[]).includes(stage);
}

export function isStage(stage: string): stage is Stage {
  return isPipelineStage(stage) || isExitStage(stage);
}

/** Position on the forward path (0 = 'member'); -1 for exits. */
export function stageIndex(stage: Stage): number {
  return (PIPELINE_STAGES as readonly string[]).indexOf(stage);
}

/** Whether `stage` is at or past `reference` on the forward path. */
export function isAtOrAfter(stage: Stage, reference: PipelineStage): boolean {
  const i = stageIndex(stage);
  return i >= 0 && i >= stageIndex(reference);
}

/** Stages from which a member holds an awareness-class certificate. */
export const CERTIFICATE_STAGES: readonly PipelineStage[] = PIPELINE_STAGES.slice(
  stageIndex('awareness_class'),
);
