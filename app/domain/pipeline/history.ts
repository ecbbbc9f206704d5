/**
 * Reading the pipeline history: which entries RECORDED a step. A history entry's
 * `stage` is the stage the record entered, so the entry a step writes, the entry of a
 * "resume" back into that stage after a return, and the entry of an action inside it
 * (an extension reason) all carry the same stage. Only the first is the step: the
 * entry whose previous entry is neither 'returned' (a resume) nor the same stage (an
 * action inside it). Every cycle counts: a record returned and resumed keeps the
 * entries of the steps recorded before the return.
 */
import { dayNumber } from '../calendar.ts';
import type { PipelineHistoryEntry, PipelineRecord } from './types.ts';

/** The entries that recorded the step into `stage`, oldest first (one per cycle). */
export function stepEntries(p: PipelineRecord | null | undefined, stage: string): PipelineHistoryEntry[] {
  const h = p?.history ?? [];
  const out: PipelineHistoryEntry[] = [];
  for (let i = 0; i < h.length; i++) {
    if (h[i].stage !== stage) continue;
    const prev = i > 0 ? h[i - 1].stage : undefined;
    if (prev === stage || prev === 'returned') continue;
    out.push(h[i]);
  }
  return out;
}

/** Day of a step: its document's date (`refDate`), else the Vietnam day it was recorded. */
export function entryDay(entry: PipelineHistoryEntry | undefined): number {
  if (!entry) return NaN;
  const ref = dayNumber(entry.refDate);
  return Number.isNaN(ref) ? dayNumber(entry.at) : ref;
}

/** Day of the latest recording of the step into `stage`, NaN if none. */
export function stepDay(p: PipelineRecord | null | undefined, stage: string): number {
  return entryDay(stepEntries(p, stage).at(-1));
}
