/**
 * What the form builders read, from the database: each member's name, birth, gender,
 * chi đoàn and pipeline record, and the school's issuing bodies. Callers pass a filter
 * that already holds the user's scope (or, for /verify, the ids an issued record names).
 *
 * The issuing bodies are `defaultBodies` from the unit tree with the school's own settings
 * (its header wording and signers, edited on the unit's page) laid over them, in
 * `issuingBodies`, the one place that reads them.
 */
import mongoose, { Types } from 'mongoose';
import { Member } from '../../../models/member';
import { Unit } from '../../../models/unit';
import {
  applyDocumentSettings,
  defaultBodies,
  type DocumentBodies,
  type DocumentInput,
  type DocumentSettings,
} from '~/domain/documents';
import type { PipelineRecord } from '~/domain/pipeline/types';

const MEMBER_FIELDS = {
  fullName: 1,
  dateOfBirth: 1,
  gender: 1,
  schoolId: 1,
  branchId: 1,
  ancestors: 1,
  nameSortKey: 1,
  pipeline: 1,
} as const;

export interface LoadedInput {
  input: DocumentInput;
  memberId: Types.ObjectId;
  schoolId: Types.ObjectId;
  ancestors: Types.ObjectId[];
  sortKey: string;
}

type UnitName = {
  _id: Types.ObjectId;
  name: string;
  shortName?: string | null;
  ancestors?: Types.ObjectId[];
  documentBodies?: DocumentSettings | null;
};

/** The unit tree's names, with the school's own settings (header wording, signers) over them. */
export function issuingBodies(
  units: { province: string; school: string; cell: string | null },
  settings: DocumentSettings | null | undefined,
): DocumentBodies {
  return applyDocumentSettings(defaultBodies(units), settings);
}

/** The members matching `filter`, each with the input to build their documents; sorted by name. */
export async function loadDocumentInputs(filter: Record<string, unknown>): Promise<LoadedInput[]> {
  const members = await Member.find(filter).select(MEMBER_FIELDS).sort({ nameSortKey: 1 }).lean();
  if (members.length === 0) return [];
  const unitIds = new Set<string>();
  for (const m of members) {
    unitIds.add(String(m.schoolId));
    if (m.branchId) unitIds.add(String(m.branchId));
    const cell = (m.pipeline as { partyCellId?: unknown } | undefined)?.partyCellId;
    if (cell) unitIds.add(String(cell));
  }
  const units = new Map<string, UnitName>();
  const load = async (ids: Iterable<string>) => {
    const found = await Unit.find({
      _id: mongoose.trusted({ $in: [...ids].map((id) => new Types.ObjectId(id)) }),
    })
      .select({ name: 1, shortName: 1, ancestors: 1, documentBodies: 1 })
      .lean<UnitName[]>();
    for (const u of found) units.set(String(u._id), u);
  };
  await load(unitIds);
  // The province: the first ancestor of each school.
  const provinces = [...unitIds]
    .map((id) => units.get(id)?.ancestors?.[0])
    .filter((id): id is Types.ObjectId => !!id && !units.has(String(id)));
  if (provinces.length) await load(new Set(provinces.map(String)));

  const out: LoadedInput[] = [];
  for (const m of members) {
    const school = units.get(String(m.schoolId));
    const province = school?.ancestors?.[0] ? units.get(String(school.ancestors[0])) : undefined;
    const pipeline = (m.pipeline ?? null) as PipelineRecord | null;
    const cellId = (pipeline as { partyCellId?: unknown } | null)?.partyCellId;
    const place = province?.shortName ?? province?.name ?? '';
    out.push({
      memberId: m._id,
      schoolId: m.schoolId,
      ancestors: school ? [...(school.ancestors ?? []), school._id] : [m.schoolId],
      sortKey: m.nameSortKey ?? m.fullName,
      input: {
        candidate: {
          id: String(m._id),
          fullName: m.fullName,
          dateOfBirth: m.dateOfBirth,
          gender: m.gender,
          branchName: m.branchId ? (units.get(String(m.branchId))?.name ?? null) : null,
          pipeline,
        },
        bodies: issuingBodies(
          {
            province: place ? `tỉnh ${place}` : '',
            school: school?.name ?? '',
            cell: cellId ? (units.get(String(cellId))?.name ?? null) : null,
          },
          school?.documentBodies,
        ),
        place,
      },
    });
  }
  return out;
}
