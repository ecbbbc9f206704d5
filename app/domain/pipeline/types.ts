/**
 * Types of the admission state machine. `PipelineMember` is the smallest
 * structural subset of a member document the rules read, so a lean mongoose
 * document, a seed member and a hand-written test object all fit.
 *
 * Fields marked "proposed" are not in models/member.ts yet: the machine reads
 * them when present and its updates write them, so the model needs them before
 * the routes use those transitions (mongoose's strict mode would drop them).
 */
import type { DateLike } from '../calendar.ts';
import type { Text } from '../criteria/types.ts';
import type { Stage } from '../stages.ts';
import type { Role } from '../permissions.ts';
import type { ConflictOverride, StoredConflict } from './conflicts.ts';

export type { Role, Text, DateLike, Stage };

type Maybe<T> = T | null | undefined;

export interface PipelineHistoryEntry {
  stage: string;
  at: DateLike;
  /** User id (ObjectId or string); compared as strings for separation of duties. */
  by?: Maybe<unknown>;
  note?: Maybe<string>;
  refNo?: Maybe<string>;
  refDate?: Maybe<DateLike>;
}

export interface PipelineIntroducer {
  name: string;
  official?: Maybe<boolean>;
  monthsTogether?: Maybe<number>;
  /** 'union' = the grassroots Union executive's resolution (4-KNĐ). */
  kind?: Maybe<string>;
  refNo?: Maybe<string>;
}

export interface PipelineVote {
  meetingDate?: Maybe<DateLike>;
  yes?: Maybe<number>;
  no?: Maybe<number>;
  officialMemberCount?: Maybe<number>;
  resolutionNo?: Maybe<string>;
  /** The chi bộ the vote was taken in (its register gave `officialMemberCount`). */
  partyCellId?: Maybe<unknown>;
}

/** Proposed: one entry per official-status vote of the chi bộ (13-KNĐ), failed ones included. */
export interface OfficialVote extends PipelineVote {
  by?: Maybe<unknown>;
}

export interface PipelineRecord {
  stage: string;
  stageSince?: Maybe<DateLike>;
  history?: Maybe<readonly PipelineHistoryEntry[]>;
  certificate?: Maybe<{
    number?: Maybe<string>;
    issuer?: Maybe<string>;
    issuedAt?: Maybe<DateLike>;
    expiresAt?: Maybe<DateLike>;
  }>;
  helperName?: Maybe<string>;
  unionResolution?: Maybe<{ number?: Maybe<string>; date?: Maybe<DateLike> }>;
  application?: Maybe<{ receivedAt?: Maybe<DateLike> }>;
  personalHistory?: Maybe<{
    receivedAt?: Maybe<DateLike>;
    verification?: Maybe<string>;
    verifiedAt?: Maybe<DateLike>;
  }>;
  introducers?: Maybe<readonly PipelineIntroducer[]>;
  branchVote?: Maybe<PipelineVote>;
  committeeResolution?: Maybe<{ number?: Maybe<string>; date?: Maybe<DateLike> }>;
  /** `receivedAt` is proposed: the day the chi bộ received the decision (ceremony clock); defaults to `date`. */
  decision?: Maybe<{
    number?: Maybe<string>;
    date?: Maybe<DateLike>;
    issuer?: Maybe<string>;
    receivedAt?: Maybe<DateLike>;
  }>;
  /** Proposed: why the admission decision needs the extra 30 working days. */
  decisionExtensionReason?: Maybe<string>;
  ceremonyDate?: Maybe<DateLike>;
  probation?: Maybe<{ start?: Maybe<DateLike>; end?: Maybe<DateLike> }>;
  /** Proposed. */
  officialVotes?: Maybe<readonly OfficialVote[]>;
  /** Proposed: the committee's decision recognising official membership (15-KNĐ). */
  officialDecision?: Maybe<{ number?: Maybe<string>; date?: Maybe<DateLike>; issuer?: Maybe<string> }>;
  /** Proposed: why the official-status decision needs the extra 30 working days. */
  officialDecisionExtensionReason?: Maybe<string>;
  officialDate?: Maybe<DateLike>;
  returnReason?: Maybe<string>;
  /** Opinions of the residence Party cell and mass organisations (5-KNĐ), as the seed records them. */
  opinions?: Maybe<readonly { source?: Maybe<string>; date?: Maybe<Date> }[]>;
  /** The paper checklist (forms 1-KNĐ … 15-KNĐ): a stored date overrides the one a step implies. */
  dossier?: Maybe<readonly PipelineDossierEntry[]>;
  /** Signed scans of paper forms attached to recorded steps (scans.ts); the bytes are stored apart. */
  scans?: Maybe<readonly { form: string; at?: Maybe<DateLike> }[]>;
  /** Derived (conflicts.ts): the recorded steps that no longer hold on the data on file. */
  conflicts?: Maybe<readonly StoredConflict[]>;
  /** A different user's written reason to go on despite these conflicts (their keys). */
  conflictOverride?: Maybe<ConflictOverride>;
}

/** Dates as stored (Date): these lists are only ever read from documents. */
export interface PipelineDossierEntry {
  form: string;
  receivedAt?: Maybe<Date>;
  verifiedAt?: Maybe<Date>;
}

export interface PipelineMember {
  dateOfBirth?: Maybe<DateLike>;
  /** The chi bộ that follows the member (set by the vote steps to the cell voted in). */
  partyCellId?: Maybe<unknown>;
  pipeline?: Maybe<PipelineRecord>;
  /** Consent to personal-data processing (app/domain/consent.ts): while withdrawn, no step is taken. */
  consent?: Maybe<{
    version?: Maybe<string>;
    givenAt?: Maybe<DateLike>;
    withdrawnAt?: Maybe<DateLike>;
  }>;
}

/** Who is acting: the route passes the signed-in user. */
export interface Actor {
  id: string;
  role: Role;
}

export interface Reason {
  code: ReasonCode;
  /** Input field the reason is about (dotted path into the transition's input), if any. */
  field?: string;
  message: Text;
}

export const REASON_CODES = [
  'unknown_transition',
  'wrong_stage',
  'role_not_allowed',
  'invalid_input',
  'date_in_future',
  'date_out_of_order',
  'age_missing',
  'age_below_min',
  'age_above_max',
  'certificate_missing',
  'certificate_not_yet_issued',
  'certificate_expired',
  'dossier_incomplete',
  'opinions_missing',
  'consent_withdrawn',
  'introducers_missing',
  'introducer_not_official',
  'introducer_months',
  'introducer_union_resolution',
  'introducers_composition',
  'vote_counts',
  'vote_threshold',
  'register_missing',
  'register_mismatch',
  'separation_of_duties',
  'extension_reason_required',
  'probation_not_ended',
  'official_vote_missing',
  'escalated',
  'not_union_age',
  'not_aged_out',
  'no_previous_stage',
  'already_recorded',
  // Selecting outside the criteria without a written reason (selection.ts).
  'selection_override_required',
  // A recorded step no longer holds on the data on file (conflicts.ts): the next step waits.
  'rule_conflict',
  // Warnings (never block): a legal deadline was missed but the act itself is real.
  'late',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** `$set` / `$push` paths from the member document's root, ready for one `updateOne`. */
export interface PipelineUpdate {
  /** Stage the member must still be in (optimistic filter: `{ 'pipeline.stage': expectedStage }`). */
  expectedStage: Stage;
  stage: Stage;
  stageChanged: boolean;
  /** Calendar day of the event (UTC midnight), or the unchanged stageSince for same-stage actions. */
  stageSince: Date | null;
  history: {
    stage: Stage;
    at: Date;
    by: string;
    note?: string;
    refNo?: string;
    refDate?: Date;
  };
  set: Record<string, unknown>;
  push: Record<string, unknown>;
  /** Legal deadlines missed by the act being recorded (shown, not blocking). */
  warnings: Reason[];
  /** Official-status votes: the third failure sends the case up to the higher committee. */
  escalate?: boolean;
  /** More for the step's audit event (a selection outside the criteria: its override). */
  details?: Record<string, unknown>;
}

export type CheckResult = { ok: true; update: PipelineUpdate } | { ok: false; reasons: Reason[] };

export type NextActor = 'school_union' | 'school_party' | 'student' | 'province_union';
