/** The organisation tree of Quảng Ngãi after the 2025 merger: units, schools and their branches. */
import type { ObjectId } from 'bson';
import type { SchoolKind, UnitKind } from '../models/unit.ts';
import { SCHOOLS, type SchoolDef } from './data.ts';
import { hashString } from './random.ts';
import { PROVINCE_CODE, stableId, utc } from './common.ts';

export interface SeedUnit {
  _id: ObjectId;
  name: string;
  shortName?: string;
  code: string;
  kind: UnitKind;
  schoolKind?: SchoolKind;
  parentId: ObjectId | null;
  ancestors: ObjectId[];
  schoolId: ObjectId | null;
  active: boolean;
  validFrom?: Date;
  validTo?: Date;
  legacyNote?: string;
  officialMemberCount?: number;
  /** Party cells: the dated register of official members (app/domain/party-register.ts). */
  officialMembers?: { count: number; from: Date; reason: string; by: null; at: Date }[];
  createdAt: Date;
  updatedAt: Date;
  __v: number;
}

/** Generator-side facts about a branch, used to place members. */
export interface BranchInfo {
  unit: SeedUnit;
  cohort: number;
  facultyCode?: string;
  majorCode?: string;
  partyCell: SeedUnit;
}

export interface SchoolInfo {
  def: SchoolDef;
  unit: SeedUnit;
  number: number;
  branches: BranchInfo[];
  partyCells: SeedUnit[];
}

export interface OrgTree {
  province: SeedUnit;
  units: SeedUnit[];
  schools: SchoolInfo[];
}

export const MERGER_DATE = utc(2025, 7, 1);
const LEGACY_END = utc(2025, 6, 30);
/** Cohorts enrolled on REFERENCE_DATE, by school kind. */
export const COHORTS: Record<SchoolKind, number[]> = {
  university: [2022, 2023, 2024, 2025, 2026],
  college: [2024, 2025, 2026],
  high_school: [2024, 2025, 2026],
};

/** From when the demo cells' registers hold: before any seeded vote's meeting day. */
const REGISTER_START = utc(2015, 1, 1);

function makeUnit(
  fields: Omit<SeedUnit, '_id' | 'createdAt' | 'updatedAt' | '__v' | 'active'> & { active?: boolean },
): SeedUnit {
  const count = fields.officialMemberCount;
  return {
    _id: stableId('unit', fields.code),
    active: true,
    ...fields,
    ...(fields.kind === 'party_cell' && count !== undefined
      ? {
          officialMembers: [
            {
              count,
              from: REGISTER_START,
              reason: 'Số liệu ban đầu (dữ liệu mẫu)',
              by: null,
              at: MERGER_DATE,
            },
          ],
        }
      : {}),
    createdAt: MERGER_DATE,
    updatedAt: MERGER_DATE,
    __v: 0,
  };
}

/** Official members of a party cell, 9-40: fixed per cell code so the tree does not depend on the seed. */
function cellSize(code: string): number {
  return 9 + (hashString(code, 7) % 32);
}

export function buildOrgTree(): OrgTree {
  const units: SeedUnit[] = [];
  const province = makeUnit({
    name: 'Tỉnh đoàn Quảng Ngãi',
    shortName: 'Quảng Ngãi',
    code: PROVINCE_CODE,
    kind: 'province',
    parentId: null,
    ancestors: [],
    schoolId: null,
    validFrom: MERGER_DATE,
    legacyNote: 'Từ 01/07/2025 gồm cả tỉnh Kon Tum cũ (Nghị quyết sắp xếp đơn vị hành chính cấp tỉnh).',
  });
  units.push(province);

  // Legacy nodes: kept, inactive, so old records still resolve (domain.md §2).
  const legacyKonTum = makeUnit({
    name: 'Tỉnh đoàn Kon Tum (trước 07/2025)',
    shortName: 'Kon Tum (cũ)',
    code: 'KTM-OLD',
    kind: 'province',
    parentId: null,
    ancestors: [],
    schoolId: null,
    active: false,
    validTo: LEGACY_END,
    legacyNote: 'Sáp nhập vào Tỉnh đoàn Quảng Ngãi từ 01/07/2025; chỉ giữ để tra cứu hồ sơ cũ.',
  });
  const legacySchool = makeUnit({
    name: 'Đoàn trường Cao đẳng Cộng đồng Kon Tum (thuộc Tỉnh đoàn Kon Tum cũ)',
    shortName: 'CĐ Cộng đồng Kon Tum (cũ)',
    code: 'CDCDKT-OLD',
    kind: 'school',
    schoolKind: 'college',
    parentId: legacyKonTum._id,
    ancestors: [legacyKonTum._id],
    schoolId: null,
    active: false,
    validTo: LEGACY_END,
    legacyNote: 'Từ 01/07/2025 trực thuộc Tỉnh đoàn Quảng Ngãi (mã CDCDKT).',
  });
  legacySchool.schoolId = legacySchool._id;
  units.push(legacyKonTum, legacySchool);

  const schools: SchoolInfo[] = SCHOOLS.map((def, i) => {
    const school = makeUnit({
      name: def.name,
      shortName: def.shortName,
      code: def.code,
      kind: 'school',
      schoolKind: def.kind,
      parentId: province._id,
      ancestors: [province._id],
      schoolId: null,
      validFrom: def.region === 'kt' ? MERGER_DATE : undefined,
      legacyNote: def.region === 'kt' ? 'Trước 07/2025 thuộc Tỉnh đoàn Kon Tum.' : undefined,
    });
    school.schoolId = school._id;
    units.push(school);
    const info: SchoolInfo = { def, unit: school, number: i + 1, branches: [], partyCells: [] };
    const below = (fields: Omit<Parameters<typeof makeUnit>[0], 'schoolKind' | 'schoolId'>) =>
      makeUnit({ ...fields, schoolKind: def.kind, schoolId: school._id });

    if (def.faculties) {
      for (const faculty of def.faculties) {
        const facultyUnit = below({
          name: `Liên chi đoàn ${faculty.name}`,
          shortName: faculty.name,
          code: `${def.code}-${faculty.code}`,
          kind: 'faculty',
          parentId: school._id,
          ancestors: [province._id, school._id],
        });
        const cellCode = `${def.code}-CB-${faculty.code}`;
        // Party cells hang off the school: the Party tree has no faculty Union level.
        const cell = below({
          name: `Chi bộ sinh viên ${faculty.name}`,
          shortName: `Chi bộ SV ${faculty.code}`,
          code: cellCode,
          kind: 'party_cell',
          parentId: school._id,
          ancestors: [province._id, school._id],
          officialMemberCount: cellSize(cellCode),
        });
        units.push(facultyUnit, cell);
        info.partyCells.push(cell);
        for (const cohort of COHORTS[def.kind]) {
          const course = cohort - (def.courseBase ?? 2000);
          for (const major of faculty.majors) {
            const branch = below({
              name: `Chi đoàn K${course} ${major.name}`,
              shortName: `K${course} ${major.code}`,
              code: `${def.code}-${faculty.code}-${major.code}-K${course}`,
              kind: 'branch',
              parentId: facultyUnit._id,
              ancestors: [province._id, school._id, facultyUnit._id],
            });
            units.push(branch);
            info.branches.push({
              unit: branch,
              cohort,
              facultyCode: faculty.code,
              majorCode: major.code,
              partyCell: cell,
            });
          }
        }
      }
    } else {
      const cellCode = `${def.code}-CB`;
      const cell = below({
        name: `Chi bộ ${def.name}`,
        shortName: `Chi bộ ${def.shortName}`,
        code: cellCode,
        kind: 'party_cell',
        parentId: school._id,
        ancestors: [province._id, school._id],
        officialMemberCount: cellSize(cellCode),
      });
      units.push(cell);
      info.partyCells.push(cell);
      for (const cohort of COHORTS.high_school) {
        const grade = 10 + (COHORTS.high_school[COHORTS.high_school.length - 1] - cohort);
        for (const cls of def.classes ?? []) {
          const label = /^A\d+$/.test(cls) ? `${grade}${cls}` : `${grade} ${cls}`;
          const branch = below({
            name: `Chi đoàn ${label}`,
            shortName: label,
            code: `${def.code}-${grade}${cls.replace(/\s+/g, '')}`
              .normalize('NFD')
              .replace(/[\u0300-\u036f]/g, '')
              .toUpperCase(),
            kind: 'branch',
            parentId: school._id,
            ancestors: [province._id, school._id],
          });
          units.push(branch);
          info.branches.push({ unit: branch, cohort, partyCell: cell });
        }
      }
    }
    return info;
  });
  return { province, units, schools };
}
