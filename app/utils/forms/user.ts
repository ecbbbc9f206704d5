/**
 * The account form's schemas, shared by the editor (app/components/user-editor.tsx) and
 * the actions (app/utils/admin/users.server.ts, bootstrap). Role/unit fit, the student's member
 * record and email uniqueness are checked only in the action.
 */
import { z } from 'zod';
import { ROLES } from '~/domain/permissions';
import { choice, objectId } from './fields';

const baseFields = {
  email: z
    .string()
    .trim()
    .min(1, 'validation.required')
    .max(254, 'validation.tooLong')
    .pipe(z.email('validation.email')),
  name: z.string().trim().min(1, 'validation.required').max(120, 'validation.tooLong'),
  role: choice(ROLES),
  unitId: objectId('validation.unitRequired'),
  studentCode: z
    .string()
    .trim()
    .max(40, 'validation.tooLong')
    .optional()
    .transform((v) => v || undefined),
};

const requireStudentCode = (v: { role: string; studentCode?: string }, ctx: z.RefinementCtx) => {
  if (v.role === 'student' && !v.studentCode) {
    ctx.addIssue({ code: 'custom', path: ['studentCode'], message: 'validation.memberRequired' });
  }
};

/** At least 10 characters; the common-password check is on the server (password-policy.server.ts). */
export const PASSWORD_MIN_LENGTH = 10;
export const PasswordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, 'validation.passwordMin')
  .max(200, 'validation.tooLong');

export const CreateUserSchema = z
  .object({ ...baseFields, password: PasswordSchema })
  .superRefine(requireStudentCode);
export const EditUserSchema = z.object(baseFields).superRefine(requireStudentCode);
/** The reset form has the new password only: left blank, it is missing rather than too short. */
export const ResetPasswordSchema = z.object({
  newPassword: z.string().min(1, 'validation.required').pipe(PasswordSchema),
});

export interface UserFormValues {
  email?: string;
  name?: string;
  role?: string;
  unitId?: string;
  studentCode?: string;
}

export interface UnitOption {
  id: string;
  label: string;
  depth: number;
}
