/**
 * A member's pipeline as stored, read for the Quy trình tab and its writes: the projection,
 * the scoped read (`loadMember`, a 404 outside the user's scope) and the paper dossier's rows
 * as the tab shows and edits them.
 */
import type { Types } from 'mongoose';
import { Member } from '../../../models/member';
import { isoDay, vietnamDay } from '~/domain/calendar';
import { derivedDossierDays, type PipelineRecord } from '~/domain/pipeline';
import { DOSSIER_FORMS, type DossierRowState } from '~/utils/forms/pipeline-tab';
import type { AuthUser } from '../auth/auth.server';
import { memberFilter } from '../members/member-access.server';
import { notFound } from '../responses.server';

// `consent`: the machine pauses every step while the student's consent is withdrawn.
// `partyCellId`: the chi bộ a vote is taken in by default (its register judges the vote).
const PIPELINE_PROJECTION = {
  pipeline: 1,
  dateOfBirth: 1,
  schoolId: 1,
  partyCellId: 1,
  consent: 1,
  __v: 1,
} as const;

export interface LeanPipelineMember {
  _id: Types.ObjectId;
  schoolId?: Types.ObjectId | null;
  partyCellId?: Types.ObjectId | null;
  dateOfBirth?: Date | null;
  pipeline?: Record<string, unknown> & { stage?: string; history?: HistoryRow[] };
  __v?: number;
}

export interface HistoryRow {
  stage: string;
  at: Date;
  by?: Types.ObjectId | null;
  note?: string | null;
  refNo?: string | null;
  refDate?: Date | null;
}

export async function loadMember(user: AuthUser, id: Types.ObjectId): Promise<LeanPipelineMember> {
  const m = await Member.findOne(memberFilter(user, id))
    .select(PIPELINE_PROJECTION)
    .lean<LeanPipelineMember>();
  if (!m) throw notFound();
  return m;
}

export interface StoredNote {
  _id: Types.ObjectId;
  kind: string;
  text: string;
  by?: Types.ObjectId | null;
  at: Date;
  resolvedAt?: Date | null;
  resolvedBy?: Types.ObjectId | null;
}

export interface StoredDossierEntry {
  form: string;
  receivedAt?: Date | null;
  verifiedAt?: Date | null;
}

export type Pipeline = Record<string, unknown> & { history?: HistoryRow[] };

const dateOf = (v: unknown): string => (v instanceof Date ? vietnamDay(v) : '');
/**
 * Forms 1-KNĐ … 15-KNĐ: the dates entered by hand (`pipeline.dossier`) and those the
 * recorded steps imply (the application date of `open_dossier`, the chi bộ meeting, the
 * opinions (5-KNĐ) on file…). A stored date overrides a derived one; clearing it brings the
 * derived one back.
 */
export function dossierRows(p: Pipeline): DossierRowState[] {
  // The same derivation as the machine's (app/domain/pipeline/dossier.ts): what the tab
  // says is on file is what the rules judge.
  const days = derivedDossierDays(p as unknown as PipelineRecord);
  const iso = (day: number | undefined) => (day === undefined || Number.isNaN(day) ? '' : isoDay(day));
  const stored = new Map(((p.dossier as StoredDossierEntry[] | undefined) ?? []).map((d) => [d.form, d]));
  return DOSSIER_FORMS.map(({ form }) => {
    const s = stored.get(form);
    const d = days[form];
    return {
      form,
      stored: { receivedAt: dateOf(s?.receivedAt), verifiedAt: dateOf(s?.verifiedAt) },
      derived: { receivedAt: iso(d?.receivedAt), verifiedAt: iso(d?.verifiedAt) },
    };
  });
}
