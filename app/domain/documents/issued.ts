/**
 * Issued documents (issue 20, part 2): the pure rules the document store, /verify and the
 * pipeline tab share. Which step each form comes from, which forms a record's recorded
 * steps offer, the canonical serialisation whose sha256 is a document's content hash, and
 * whether an issued document is still current (docs/decisions/029-issued-documents.md).
 */
import type { PipelineRecord } from '../pipeline/types.ts';
import type { TransitionId } from '../pipeline/transitions.ts';
import { FORM_CODES, type FormCode, type OfficialDocument } from './types.ts';

/** The step each form's content comes from (templates: the step that calls for the paper). */
export const FORM_STEP: Record<FormCode, TransitionId> = {
  '1-KNĐ': 'open_dossier',
  '2-KNĐ': 'open_dossier',
  '3-KNĐ': 'record_introduction',
  '4-KNĐ': 'select_outstanding',
  '5-KNĐ': 'record_introduction',
  '6-KNĐ': 'record_branch_vote',
  '7-KNĐ': 'record_branch_vote',
  '8-KNĐ': 'record_committee_review',
  '9-KNĐ': 'record_decision',
  '10-KNĐ': 'record_ceremony',
  '11-KNĐ': 'record_ceremony',
  '12-KNĐ': 'record_ceremony',
  '13-KNĐ': 'record_official_vote',
  '15-KNĐ': 'recognise_official',
};

const has = (v: unknown) => v !== null && v !== undefined;

/** Whether the record holds what `step` records (the fields the forms read, not the history). */
export function stepRecorded(p: PipelineRecord | null | undefined, step: TransitionId): boolean {
  if (!p) return false;
  switch (step) {
    case 'select_outstanding':
      return has(p.unionResolution?.date) || has(p.unionResolution?.number);
    case 'open_dossier':
      return has(p.application?.receivedAt);
    case 'record_introduction':
      return (p.introducers ?? []).length > 0;
    case 'record_branch_vote':
      return has(p.branchVote?.meetingDate);
    case 'record_committee_review':
      return has(p.committeeResolution?.date) || has(p.committeeResolution?.number);
    case 'record_decision':
      return has(p.decision?.date) || has(p.decision?.number);
    case 'record_ceremony':
      return has(p.ceremonyDate);
    case 'record_official_vote':
      return (p.officialVotes ?? []).length > 0;
    case 'recognise_official':
      return has(p.officialDecision?.date) || has(p.officialDecision?.number);
    default:
      return false;
  }
}

/** The recorded steps of a record, in the road's order, each with the forms it gives. */
export function documentSteps(
  p: PipelineRecord | null | undefined,
): { step: TransitionId; forms: FormCode[] }[] {
  const steps: { step: TransitionId; forms: FormCode[] }[] = [];
  for (const form of FORM_CODES) {
    const step = FORM_STEP[form];
    if (!stepRecorded(p, step)) continue;
    const found = steps.find((s) => s.step === step);
    if (found) found.forms.push(form);
    else steps.push({ step, forms: [form] });
  }
  return steps;
}

/**
 * One text per value whatever the order its keys were set in: object keys sorted, no
 * whitespace, `undefined` members dropped (as JSON drops them), dates as ISO strings.
 * The content hash is sha256 of this, so it must never change for the same content.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * What the hash covers: the whole built content (the form, every printed string, its source)
 * and the members it was issued for, in order. The members are named apart because a blank
 * template (1-KNĐ, 2-KNĐ) prints nobody: without them every candidate's blank application
 * would be one record, issued for whoever downloaded it first.
 */
export const hashedContent = (doc: OfficialDocument, memberIds: readonly string[]): string =>
  canonicalJson({ doc, memberIds });

export type IssuedStatus = 'current' | 'superseded';

/**
 * Current while rebuilding the document from today's record gives the same content hash;
 * superseded when it differs or can no longer be built (the step was undone, a member is gone).
 */
export function issuedStatus(issuedHash: string, rebuiltHash: string | null): IssuedStatus {
  return rebuiltHash !== null && rebuiltHash === issuedHash ? 'current' : 'superseded';
}

/** The footer line every page of an issued document carries. */
export function issuedFooter(verifyUrl: string, hash: string): string {
  return `Kiểm tra văn bản: ${verifyUrl} · SHA-256: ${hash}`;
}

/** What a student may download about herself: her admission decision (issue 20). */
export const STUDENT_DOWNLOADS: readonly FormCode[] = ['9-KNĐ'];

/** A single document of this form for her alone, current: downloadable by the student. */
export function studentMayDownload(d: { form: string; batch: boolean; status: IssuedStatus }): boolean {
  return !d.batch && d.status === 'current' && (STUDENT_DOWNLOADS as readonly string[]).includes(d.form);
}
