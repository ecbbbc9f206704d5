import { z } from 'zod';

/** What a student may ask to have corrected in their record (isomorphic: the form and the model). */
export const CORRECTION_FIELDS = [
  'fullName',
  'dateOfBirth',
  'gender',
  'studentCode',
  'email',
  'phone',
  'branch',
  'academic',
  'awards',
  'activities',
  'pipeline',
  'other',
] as const;
export type CorrectionField = (typeof CORRECTION_FIELDS)[number];

/** One schema for the correction form in the browser and its action. */
export const CorrectionSchema = z.object({
  field: z.enum(CORRECTION_FIELDS, 'me.v.field'),
  message: z.string().trim().min(5, 'me.v.message').max(1000, 'validation.tooLong'),
  correctValue: z.string().trim().max(500, 'validation.tooLong').optional().default(''),
});
