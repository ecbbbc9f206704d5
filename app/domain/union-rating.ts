/**
 * The yearly Union rating (xếp loại đoàn viên) and participation (issue 16): "Hoàn thành
 * xuất sắc nhiệm vụ" needs at least 90 % participation in the branch's meetings and activities
 * where the rate is recorded. The rate is optional (most schools do not record it): without it
 * the rating stands as given. With a rate below 90 %, the rating form refuses "xuất sắc"
 * beside the rate, and the criteria engine counts a stored one (an import, an old record) as
 * "Hoàn thành tốt nhiệm vụ", saying why. Pure, isomorphic.
 */
import type { UnionRatingLevel } from './criteria/types.ts';

export const EXCELLENT_MIN_PARTICIPATION = 90;

/** Participation is a percentage 0–100 (decimals allowed: 89.5 % is below 90 %). */
export const isParticipation = (v: unknown): v is number =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 100;

/** Does a recorded rate keep a rating of `level` from standing? Only "xuất sắc" below 90 %. */
export function participationTooLow(level: string, participation: number | null | undefined): boolean {
  return (
    level === 'excellent' && isParticipation(participation) && participation < EXCELLENT_MIN_PARTICIPATION
  );
}

/** The rating that counts: "xuất sắc" below 90 % recorded participation counts as "tốt". */
export function effectiveUnionRating(level: string, participation: number | null | undefined): string {
  return participationTooLow(level, participation) ? ('good' satisfies UnionRatingLevel) : level;
}
