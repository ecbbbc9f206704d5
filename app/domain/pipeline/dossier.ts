/**
 * The paper dossier as the rules read it (forms 1-KNĐ … 15-KNĐ): for each form, the date
 * entered by hand in the checklist (`pipeline.dossier`) or else the one a recorded step
 * implies (the application date of `open_dossier`, the chi bộ meeting…). The Quy trình tab
 * shows the same dates (pipeline-member.server.ts derives its rows from `derivedDossierDays`), so
 * what the page says is on file is what the machine judges: a personal history verified
 * by a date entered in the checklist counts as verified.
 */
import { dayNumber } from '../calendar.ts';
import { stepDay } from './history.ts';
import { SCAN_FORM_STEP, scanDay } from './scans.ts';
import type { PipelineRecord } from './types.ts';

export interface DossierDays {
  receivedAt: number;
  verifiedAt: number;
}
export type DossierDateKind = keyof DossierDays;

const NONE: DossierDays = { receivedAt: NaN, verifiedAt: NaN };

function latest(days: number[]): number {
  const known = days.filter((d) => !Number.isNaN(d));
  return known.length ? Math.max(...known) : NaN;
}

/**
 * The dates the recorded steps imply, by form (forms neither a step nor a scan gives are
 * absent). A form with a signed scan attached (scans.ts) counts as received on the day of
 * its first scan where no step gives a day: the step's date is when the paper was made or
 * arrived, the scan's only when someone uploaded it, so the step's wins.
 */
export function derivedDossierDays(p: PipelineRecord | null | undefined): Record<string, DossierDays> {
  const days = stepDossierDays(p);
  for (const form of Object.keys(SCAN_FORM_STEP)) {
    const scanned = scanDay(p, form);
    if (Number.isNaN(scanned)) continue;
    const known = days[form] ?? NONE;
    if (Number.isNaN(known.receivedAt)) days[form] = { ...known, receivedAt: scanned };
  }
  return days;
}

function stepDossierDays(p: PipelineRecord | null | undefined): Record<string, DossierDays> {
  const introducers = p?.introducers ?? [];
  const introduced = stepDay(p, 'introduced');
  const decisionReceived = dayNumber(p?.decision?.receivedAt);
  return {
    '1-KNĐ': { receivedAt: dayNumber(p?.application?.receivedAt), verifiedAt: NaN },
    '2-KNĐ': {
      receivedAt: dayNumber(p?.personalHistory?.receivedAt),
      verifiedAt: dayNumber(p?.personalHistory?.verifiedAt),
    },
    '3-KNĐ': { receivedAt: introducers.some((x) => x.kind !== 'union') ? introduced : NaN, verifiedAt: NaN },
    '4-KNĐ': { receivedAt: introducers.some((x) => x.kind === 'union') ? introduced : NaN, verifiedAt: NaN },
    // The summary of opinions is complete when the last of them is in.
    '5-KNĐ': { receivedAt: latest((p?.opinions ?? []).map((o) => dayNumber(o.date))), verifiedAt: NaN },
    '6-KNĐ': { receivedAt: dayNumber(p?.branchVote?.meetingDate), verifiedAt: NaN },
    '8-KNĐ': { receivedAt: dayNumber(p?.committeeResolution?.date), verifiedAt: NaN },
    '9-KNĐ': {
      receivedAt: Number.isNaN(decisionReceived) ? dayNumber(p?.decision?.date) : decisionReceived,
      verifiedAt: NaN,
    },
    '15-KNĐ': { receivedAt: dayNumber(p?.officialDecision?.date), verifiedAt: NaN },
  };
}

/** The date the checklist stores for `form`, NaN if none. */
export function storedDossierDay(
  p: PipelineRecord | null | undefined,
  form: string,
  kind: DossierDateKind,
): number {
  const entry = (p?.dossier ?? []).find((d) => d.form === form);
  return dayNumber(entry?.[kind]);
}

/** The date that counts for `form`: the one entered by hand, else the one a step implies. */
export function dossierDay(
  p: PipelineRecord | null | undefined,
  form: string,
  kind: DossierDateKind,
): number {
  const stored = storedDossierDay(p, form, kind);
  if (!Number.isNaN(stored)) return stored;
  return (derivedDossierDays(p)[form] ?? NONE)[kind];
}

/** Application letter (1-KNĐ) received. */
export const applicationDay = (p: PipelineRecord | null | undefined) => dossierDay(p, '1-KNĐ', 'receivedAt');

/**
 * Personal history (2-KNĐ) verified and concluded: a verification date entered in the
 * checklist, or the one `open_dossier` recorded with the status "verified".
 */
export function personalHistoryVerifiedDay(p: PipelineRecord | null | undefined): number {
  const stored = storedDossierDay(p, '2-KNĐ', 'verifiedAt');
  if (!Number.isNaN(stored)) return stored;
  return p?.personalHistory?.verification === 'verified' ? dayNumber(p.personalHistory.verifiedAt) : NaN;
}

/** The introduction (3-KNĐ / 4-KNĐ): the later of the two papers, else the step's own date. */
export function introductionDay(p: PipelineRecord | null | undefined): number {
  const papers = latest([dossierDay(p, '3-KNĐ', 'receivedAt'), dossierDay(p, '4-KNĐ', 'receivedAt')]);
  return Number.isNaN(papers) ? stepDay(p, 'introduced') : papers;
}

/** The summary of opinions of the residence Party cell and mass organisations (5-KNĐ). */
export const opinionsDay = (p: PipelineRecord | null | undefined) => dossierDay(p, '5-KNĐ', 'receivedAt');
