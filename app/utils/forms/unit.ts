/**
 * The unit form's schema, shared by the editor (app/components/unit-editor.tsx) and the
 * actions (app/utils/admin/units.server.ts, bootstrap). A taken code or an out-of-scope parent
 * is checked only in the action.
 */
import { z } from 'zod';
import { choice, isoDay, optionalObjectId, optionalText } from './fields';

export const UNIT_KIND_VALUES = ['province', 'school', 'faculty', 'branch', 'party_cell'] as const;
export const SCHOOL_KIND_VALUES = ['university', 'college', 'high_school'] as const;
export type UnitKindValue = (typeof UNIT_KIND_VALUES)[number];

/** Which kinds may sit directly under which: the Union tree and the Party tree share schools. */
export const PARENT_KINDS: Record<UnitKindValue, readonly UnitKindValue[]> = {
  province: [],
  school: ['province'],
  faculty: ['school'],
  branch: ['school', 'faculty'],
  party_cell: ['school', 'faculty'],
};

export const UnitSchema = z
  .object({
    name: z.string().trim().min(1, 'validation.required').max(200, 'validation.tooLong'),
    shortName: optionalText(60),
    code: z
      .string()
      .trim()
      // An empty code is only "required", not also "wrong format" (conform lists every issue).
      .min(1, { error: 'validation.required', abort: true })
      .max(40, 'validation.tooLong')
      .regex(/^[A-Za-z0-9_-]+$/, 'validation.codeFormat'),
    kind: choice(UNIT_KIND_VALUES),
    schoolKind: z
      .union([z.literal(''), z.enum(SCHOOL_KIND_VALUES, 'validation.invalidChoice')])
      .optional()
      .transform((v) => (v ? v : undefined)),
    parentId: optionalObjectId('validation.parentInvalid'),
    validFrom: isoDay,
    validTo: isoDay,
    legacyNote: optionalText(500),
    officialMemberCount: z
      .string()
      .trim()
      .optional()
      .refine((v) => !v || /^\d{1,6}$/.test(v), 'validation.number')
      .transform((v) => (v ? Number(v) : undefined)),
  })
  .superRefine((v, ctx) => {
    if (v.kind === 'school' && !v.schoolKind) {
      ctx.addIssue({ code: 'custom', path: ['schoolKind'], message: 'validation.schoolKindRequired' });
    }
    if (v.kind === 'province' && v.parentId) {
      ctx.addIssue({ code: 'custom', path: ['parentId'], message: 'validation.parentNotAllowed' });
    }
    if (v.kind !== 'province' && !v.parentId) {
      ctx.addIssue({ code: 'custom', path: ['parentId'], message: 'validation.parentRequired' });
    }
    if (v.validFrom && v.validTo && v.validTo < v.validFrom) {
      ctx.addIssue({ code: 'custom', path: ['validTo'], message: 'validation.dateOrder' });
    }
  });

export type UnitInput = z.output<typeof UnitSchema>;

export interface UnitFormValues {
  name?: string;
  shortName?: string;
  code?: string;
  kind?: string;
  schoolKind?: string;
  parentId?: string;
  validFrom?: string;
  validTo?: string;
  legacyNote?: string;
  officialMemberCount?: string;
}

export interface ParentOption {
  id: string;
  label: string;
  depth: number;
}
