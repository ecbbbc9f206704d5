/**
 * A school's document settings (app/domain/documents/settings.ts): read for every document
 * the school issues, edited on the unit's page.
 *
 *   documentBodiesFor(unitId, { cellId })  the issuing bodies as the documents print them:
 *                                          the defaults from the unit tree with the
 *                                          school's own wording; what builders call
 *   documentPlaceFor(unitId)               the place in the date line ("Quảng Ngãi")
 *   documentSettingsView(user, unitId)     the unit page's section
 *   saveDocumentSettings(user, unitId, f)  its action: the bodies the user may edit, one
 *                                          transaction with its audit event
 *
 * `unitId` may be any unit of the school (the school, a faculty, a branch, a chi bộ): the
 * settings are the school's.
 */
import { data, redirect } from '@remix-run/node';
import { Types } from 'mongoose';
import { Unit } from '../../../models/unit';
import {
  applyDocumentSettings,
  defaultBodies,
  documentSettingsSchema,
  editableBodies,
  EDITABLE_FIELDS,
  type BodyKey,
  type DocumentBodies,
  type DocumentSettings,
} from '~/domain/documents';
import { appendAudit } from '../audit/audit.server';
import type { AuthUser } from '../auth/auth.server';
import { unitScopeFilter } from '../auth/permissions.server';
import { parseForm, refusal, typedValues } from '../forms/conform';
import { forbidden, notFound } from '../responses.server';
import { inTransaction } from '../transaction.server';

interface LeanUnit {
  _id: Types.ObjectId;
  name: string;
  shortName?: string | null;
  kind: string;
  schoolId?: Types.ObjectId | null;
  ancestors?: Types.ObjectId[];
  documentBodies?: DocumentSettings | null;
}

const UNIT_SELECT = { name: 1, shortName: 1, kind: 1, schoolId: 1, ancestors: 1, documentBodies: 1 };
const asId = (id: Types.ObjectId | string) => (typeof id === 'string' ? new Types.ObjectId(id) : id);

/** The province's name as the texts say it: its short name, else its name without "Tỉnh đoàn". */
function provinceWord(p: LeanUnit | null): string {
  const word = p?.shortName?.trim() || p?.name.replace(/^Tỉnh đoàn\s+/iu, '').trim() || '';
  return word;
}

/** The school of `unitId` and its province (the root of its ancestors); null if not under a school. */
async function schoolContext(unitId: Types.ObjectId | string) {
  const unit = await Unit.findOne({ _id: asId(unitId) })
    .select(UNIT_SELECT)
    .lean<LeanUnit>();
  if (!unit) return null;
  const schoolId = unit.kind === 'school' ? unit._id : unit.schoolId;
  if (!schoolId) return null;
  const school =
    unit.kind === 'school'
      ? unit
      : await Unit.findOne({ _id: schoolId }).select(UNIT_SELECT).lean<LeanUnit>();
  if (!school) return null;
  const rootId = school.ancestors?.[0];
  const province = rootId
    ? await Unit.findOne({ _id: rootId, kind: 'province' }).select(UNIT_SELECT).lean<LeanUnit>()
    : null;
  return { unit, school, place: provinceWord(province) };
}

/**
 * The issuing bodies of the school `unitId` belongs to, as its documents print them. The
 * chi bộ's name is the voting cell's (`cellId`; a unit that is itself a chi bộ is used when
 * none is given), left blank for a hand-written one when neither is known. Throws for a
 * unit that is in no school (there are no admission documents above school level).
 */
export async function documentBodiesFor(
  unitId: Types.ObjectId | string,
  { cellId }: { cellId?: Types.ObjectId | string | null } = {},
): Promise<DocumentBodies> {
  const ctx = await schoolContext(unitId);
  if (!ctx) throw new Error(`unit ${String(unitId)} is in no school`);
  const cell = cellId
    ? await Unit.findOne({ _id: asId(cellId), kind: 'party_cell', schoolId: ctx.school._id })
        .select({ name: 1 })
        .lean<{ name: string }>()
    : ctx.unit.kind === 'party_cell'
      ? ctx.unit
      : null;
  const defaults = defaultBodies({
    province: ctx.place ? `tỉnh ${ctx.place}` : '',
    school: ctx.school.name,
    cell: cell?.name ?? null,
  });
  return applyDocumentSettings(defaults, ctx.school.documentBodies);
}

/** The place in a document's date line: the province's name ("Quảng Ngãi"). */
export async function documentPlaceFor(unitId: Types.ObjectId | string): Promise<string> {
  return (await schoolContext(unitId))?.place ?? '';
}

/** A school in the user's scope, or a 404 (another school's unit, a unit that is not a school). */
async function scopedSchool(user: AuthUser, unitId: Types.ObjectId) {
  const school = await Unit.findOne({ _id: unitId, kind: 'school', ...unitScopeFilter(user) })
    .select(UNIT_SELECT)
    .lean<LeanUnit>();
  if (!school) throw notFound();
  return school;
}

/** The unit page's section: the bodies in force, which of them the user may edit. Null for non-schools. */
export async function documentSettingsView(user: AuthUser, unitId: Types.ObjectId) {
  const unit = await Unit.findOne({ _id: unitId, ...unitScopeFilter(user) })
    .select({ kind: 1 })
    .lean();
  if (!unit || unit.kind !== 'school') return null;
  const bodies = await documentBodiesFor(unitId);
  return { bodies, editable: editableBodies(user.role), fields: EDITABLE_FIELDS };
}
export type DocumentSettingsView = NonNullable<Awaited<ReturnType<typeof documentSettingsView>>>;

/**
 * Saves the bodies the user may edit (editableBodies) from the posted form, checked with the
 * same schema as the browser: 400 with the messages beside their fields and nothing written;
 * 403 for a role that edits none; 404 outside the scope. The other bodies stay as stored.
 */
export async function saveDocumentSettings(user: AuthUser, unitId: Types.ObjectId, formData: FormData) {
  const bodies = editableBodies(user.role);
  if (bodies.length === 0) throw forbidden();
  await scopedSchool(user, unitId);
  const submission = parseForm(formData, documentSettingsSchema(bodies));
  if (submission.status !== 'success') {
    return data(
      {
        intent: 'documentBodies' as const,
        ...refusal(submission),
        values: typedValues(submission.payload as Record<string, unknown>),
      },
      { status: 400 },
    );
  }
  const posted = submission.value;
  const outcome = await inTransaction(async () => {
    const school = await scopedSchool(user, unitId);
    const before: DocumentSettings = school.documentBodies ?? {};
    const after: DocumentSettings = { ...before };
    const changed: BodyKey[] = [];
    for (const body of bodies) {
      const next = posted[body] ?? {};
      if (JSON.stringify(normalized(before[body])) !== JSON.stringify(normalized(next))) changed.push(body);
      after[body] = next;
    }
    if (changed.length === 0) return 'unchanged' as const;
    const $set = Object.fromEntries(changed.map((b) => [`documentBodies.${b}`, after[b]]));
    await Unit.updateOne({ _id: school._id }, { $set });
    await appendAudit({
      actorId: user.id,
      action: 'unit.document_bodies',
      entity: 'Unit',
      entityId: school._id,
      unitId: school._id,
      details: {
        bodies: changed,
        before: Object.fromEntries(changed.map((b) => [b, before[b] ?? null])),
        after: Object.fromEntries(changed.map((b) => [b, after[b]])),
      },
    });
    return 'saved' as const;
  });
  throw redirect(`/admin/units/${unitId}?ok=${outcome === 'saved' ? 'documentBodiesSaved' : 'unitSaved'}`);
}

/** A stored body's fields in a fixed order, absent and empty alike, to compare with a posted one. */
function normalized(body: Partial<Record<string, string | null>> | undefined) {
  return Object.fromEntries(
    Object.keys(body ?? {})
      .sort()
      .map((k) => [k, body?.[k] ?? null]),
  );
}
