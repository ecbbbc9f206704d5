/**
 * The member table sorts by "GPA of the latest term". Terms are embedded in the
 * member, so the sort key is stored beside them (`latestGpa10`) and indexed; this is
 * the one rule that computes it, used by the model's hooks, the term editor, the
 * import and the seed. Converted to the 10-point scale with the criteria engine's
 * rank-preserving mapping, so 4-point universities and 10-point schools interleave
 * by academic rank, not by raw number.
 */
import { isValidGpa } from './academic';
import { convertGpa } from './criteria/engine';

export interface TermWithGpa {
  year?: string | null;
  term?: number | null;
  scale?: number | null;
  gpa?: number | null;
}

/** The latest term (by school year, then term number) that has a valid GPA. */
export function latestGradedTerm<T extends TermWithGpa>(terms: readonly T[] | null | undefined): T | null {
  let best: T | null = null;
  for (const t of terms ?? []) {
    if (!isValidGpa(t.gpa, t.scale) || !t.year) continue;
    if (!best || t.year > best.year! || (t.year === best.year && (t.term ?? 0) >= (best.term ?? 0))) best = t;
  }
  return best;
}

/** GPA of the latest graded term on the 10-point scale, rounded to 2 decimals; null without one. */
export function latestGpa10(terms: readonly TermWithGpa[] | null | undefined): number | null {
  const t = latestGradedTerm(terms);
  if (!t) return null;
  const value = t.scale === 4 ? convertGpa(t.gpa!, 4, 10) : t.gpa!;
  return Math.round(value * 100) / 100;
}
