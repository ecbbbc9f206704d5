/**
 * Signed scans of paper documents (issue 20, part 2): a PDF or JPEG of a form signed on
 * paper, attached to the recorded step it belongs to. Pure: the rules of what may be
 * attached, to which form, and what a scan counts for in the dossier.
 *
 * A scan is attached to a form (1-KNĐ … 15-KNĐ), and only once the step that form belongs
 * to is in the record's history: a scan of a resolution nobody has recorded yet would be a
 * paper the machine knows nothing of. In the dossier a scanned form counts as received on
 * the day of its first scan, but only where neither the checklist nor a recorded step
 * gives a date (dossier.ts): those name the day the paper itself arrived, a scan's day
 * only the day someone uploaded it.
 */
import { dayNumber, type DateLike } from '../calendar.ts';
import type { PipelineStage } from '../stages.ts';
import type { PipelineRecord } from './types.ts';

/** At most 10 MB: a few signed pages at 300 dpi, well under a database document's 16 MB. */
export const SCAN_MAX_BYTES = 10 * 1024 * 1024;
export const SCAN_TYPES = ['application/pdf', 'image/jpeg'] as const;
export type ScanType = (typeof SCAN_TYPES)[number];

/** The step (its history stage) each form's paper belongs to. */
export const SCAN_FORM_STEP: Readonly<Record<string, PipelineStage>> = {
  '1-KNĐ': 'dossier',
  '2-KNĐ': 'dossier',
  '3-KNĐ': 'introduced',
  '4-KNĐ': 'introduced',
  '5-KNĐ': 'introduced',
  '6-KNĐ': 'branch_vote',
  '7-KNĐ': 'committee_review',
  '8-KNĐ': 'committee_review',
  '9-KNĐ': 'decision',
  '10-KNĐ': 'probation',
  '11-KNĐ': 'probation',
  '12-KNĐ': 'probation',
  '13-KNĐ': 'official',
  '15-KNĐ': 'official',
};

export interface PipelineScan {
  form: string;
  at?: DateLike | null;
}

/**
 * The type of a scan from its first bytes ("%PDF-" or a JPEG's SOI marker), never from its
 * name or what the browser says; null for anything else (a PNG too: a scan is PDF or JPG).
 */
export function sniffScanType(bytes: Uint8Array): ScanType | null {
  const starts = (...sig: number[]) => bytes.length >= sig.length && sig.every((b, i) => bytes[i] === b);
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return 'application/pdf';
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  return null;
}

export function isScanForm(form: unknown): form is string {
  return typeof form === 'string' && Object.hasOwn(SCAN_FORM_STEP, form);
}

/** Whether the step `form` belongs to is recorded (in the history, whatever came after). */
export function scanAllowed(p: PipelineRecord | null | undefined, form: string): boolean {
  if (!isScanForm(form)) return false;
  const step = SCAN_FORM_STEP[form];
  return (p?.history ?? []).some((h) => h.stage === step);
}

/** The forms a scan may be attached to now, in the checklist's order. */
export function scannableForms(p: PipelineRecord | null | undefined): string[] {
  return Object.keys(SCAN_FORM_STEP).filter((form) => scanAllowed(p, form));
}

/** The day of the first scan of `form`, NaN if none. */
export function scanDay(p: PipelineRecord | null | undefined, form: string): number {
  const days = (p?.scans ?? []).filter((s) => s.form === form).map((s) => dayNumber(s.at));
  const known = days.filter((d) => !Number.isNaN(d));
  return known.length ? Math.min(...known) : NaN;
}
