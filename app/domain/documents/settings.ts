/**
 * A school's own document settings (issue 20, part 1: "a school can adjust its own header
 * text and signers"): for each issuing body, the fields of `IssuingBody` it overrides on top
 * of `defaultBodies`. Pure: the schema the unit page's form and its action share, who may
 * edit which body, and how stored settings are applied.
 *
 * Who edits what (shared/design.md "Roles"): the admin everything; the school Party
 * committee the Party bodies (chi bộ, partial committee, committee, deciding body: it
 * records the Party-side steps those bodies' documents come from); the school Union its
 * own executive (4-KNĐ, the Union's recommendation). The province only reads.
 *
 * The chi bộ's name and heading are the voting cell's own (a school has many), and so is
 * its secretary: the school sets only the wording every cell shares.
 */
import { z } from 'zod';
import type { Role } from '../permissions.ts';
import type { DocumentBodies, IssuingBody } from './input.ts';

export const BODY_KEYS = ['union', 'cell', 'partial', 'committee', 'deciding'] as const;
export type BodyKey = (typeof BODY_KEYS)[number];

export const BODY_FIELDS = [
  'superior',
  'heading',
  'name',
  'symbol',
  'authority',
  'position',
  'signer',
] as const;
export type BodyField = (typeof BODY_FIELDS)[number];

/** The fields a school may set per body (the chi bộ's name, heading and signer are each cell's). */
export const EDITABLE_FIELDS: Record<BodyKey, readonly BodyField[]> = {
  union: BODY_FIELDS,
  cell: ['superior', 'symbol', 'authority', 'position'],
  partial: BODY_FIELDS,
  committee: BODY_FIELDS,
  deciding: BODY_FIELDS,
};

/** What a unit stores: any subset of the editable fields; `signer: null` is a blank line. */
export type DocumentSettings = Partial<Record<BodyKey, Partial<Record<BodyField, string | null>>>>;

/** The bodies `role` may edit; empty for those who only read. */
export function editableBodies(role: Role | null | undefined): BodyKey[] {
  if (role === 'admin') return [...BODY_KEYS];
  if (role === 'school_party') return ['cell', 'partial', 'committee', 'deciding'];
  if (role === 'school_union') return ['union'];
  return [];
}

const nfc = (s: string) => s.normalize('NFC').trim();
const text = (max: number) =>
  z
    .string('validation.required')
    .transform(nfc)
    .pipe(z.string().min(1, 'validation.required').max(max, 'validation.tooLong'));

const FIELD_SCHEMAS: Record<BodyField, z.ZodType<string | null>> = {
  superior: text(150),
  heading: text(150),
  name: text(200),
  // After the slash in "Số 12-NQ/ĐU": capitals (Vietnamese ones too), digits and hyphens.
  symbol: z
    .string('validation.required')
    .transform(nfc)
    .pipe(
      z
        .string()
        .min(1, 'validation.required')
        .max(20, 'validation.tooLong')
        .regex(/^[\p{Lu}\d]+(?:-[\p{Lu}\d]+)*$/u, 'documents.settings.v.symbol'),
    ),
  authority: text(100),
  position: text(100),
  // Blank: the name is left for the signer to write by hand.
  signer: z
    .string()
    .optional()
    .transform((s) => (s ? nfc(s) : ''))
    .pipe(z.string().max(100, 'validation.tooLong'))
    .transform((s) => s || null),
};

/** The form's schema for the bodies the user may edit (the others are neither read nor written). */
export function documentSettingsSchema(bodies: readonly BodyKey[]) {
  const shape = Object.fromEntries(
    bodies.map((body) => [
      body,
      // A body left out of the post is checked as empty: each field says it is missing.
      z.preprocess(
        (v) => v ?? {},
        z.object(Object.fromEntries(EDITABLE_FIELDS[body].map((f) => [f, FIELD_SCHEMAS[f]]))),
      ),
    ]),
  );
  return z.object(shape) as unknown as z.ZodType<DocumentSettings, Record<string, unknown>>;
}

/**
 * The bodies as a school's documents print them: the defaults from the unit tree, each
 * field the school set in its place. Fields a school may not set are ignored even if stored.
 */
export function applyDocumentSettings(
  defaults: DocumentBodies,
  settings: DocumentSettings | null | undefined,
): DocumentBodies {
  const out = { ...defaults };
  for (const body of BODY_KEYS) {
    const own = settings?.[body];
    if (!own) continue;
    const merged: IssuingBody = { ...defaults[body] };
    for (const field of EDITABLE_FIELDS[body]) {
      if (!Object.hasOwn(own, field) || own[field] === undefined) continue;
      const value = own[field];
      if (field === 'signer') merged.signer = value ? nfc(value) : null;
      else if (typeof value === 'string' && nfc(value)) merged[field] = nfc(value);
    }
    out[body] = merged;
  }
  return out;
}
