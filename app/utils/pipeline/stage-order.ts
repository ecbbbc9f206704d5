import { ALL_STAGES, type Stage } from '~/domain/stages';

/** Pipeline order first, exits last: how stage tables are listed everywhere. */
export function sortByStage<T extends { stage: Stage }>(rows: T[]): T[] {
  return [...rows].sort((a, b) => ALL_STAGES.indexOf(a.stage) - ALL_STAGES.indexOf(b.stage));
}
