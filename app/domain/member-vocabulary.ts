/**
 * A member's gender as stored (models/member.ts), offered in the member form and
 * filtered on in the member list. The other member vocabularies (award kinds and
 * levels, Union rating levels, THPT ratings) live with the criteria engine that
 * judges them: app/domain/criteria/types.ts.
 */
export const GENDERS = ['male', 'female', 'other'] as const;
export type Gender = (typeof GENDERS)[number];

export function isGender(value: unknown): value is Gender {
  return typeof value === 'string' && (GENDERS as readonly string[]).includes(value);
}
