/** The province's settings: holidays, admission targets and the active criteria sets. */
import type { ObjectId } from 'bson';
import { DEFAULT_CRITERIA_SETS } from '../app/domain/criteria/defaults.ts';
import { HOLIDAYS, MAKE_UP_WORKING_DAYS } from './data.ts';
import { stableId, utc } from './common.ts';
import { MERGER_DATE, type OrgTree } from './org-tree.ts';

export interface SeedHoliday {
  _id: ObjectId;
  date: Date;
  name: string;
  year: number;
  kind: 'holiday' | 'workday';
  createdAt: Date;
  updatedAt: Date;
  __v: number;
}

/** Days off and make-up working days, in date order. */
export function buildHolidays(): SeedHoliday[] {
  const rows = [
    ...HOLIDAYS.map((h) => ({ ...h, kind: 'holiday' as const })),
    ...MAKE_UP_WORKING_DAYS.map((h) => ({ ...h, kind: 'workday' as const })),
  ].sort((a, b) => a.date.localeCompare(b.date));
  return rows.map((h) => ({
    _id: stableId('holiday', h.date),
    date: new Date(`${h.date}T00:00:00Z`),
    name: h.name,
    year: Number(h.date.slice(0, 4)),
    kind: h.kind,
    createdAt: MERGER_DATE,
    updatedAt: MERGER_DATE,
    __v: 0,
  }));
}

export interface SeedTarget {
  _id: ObjectId;
  unitId: ObjectId;
  year: number;
  admissions: number;
  createdAt: Date;
  updatedAt: Date;
  __v: number;
}

/** Yearly admission targets: about 1.5% of a school's expected members, and the province total. */
export function buildTargets(tree: OrgTree, members: number): SeedTarget[] {
  const totalWeight = tree.schools.reduce((sum, s) => sum + s.def.weight, 0);
  const out: SeedTarget[] = [];
  for (const year of [2025, 2026]) {
    let provinceTotal = 0;
    for (const s of tree.schools) {
      const admissions = Math.max(1, Math.round((members * s.def.weight * 0.015) / totalWeight));
      provinceTotal += admissions;
      out.push(makeTarget(s.unit._id, year, admissions));
    }
    out.push(makeTarget(tree.province._id, year, provinceTotal));
  }
  return out;
}

function makeTarget(unitId: ObjectId, year: number, admissions: number): SeedTarget {
  return {
    _id: stableId('target', `${unitId.toHexString()}:${year}`),
    unitId,
    year,
    admissions,
    createdAt: MERGER_DATE,
    updatedAt: MERGER_DATE,
    __v: 0,
  };
}

// ---------------------------------------------------------------------------
// Criteria sets

export interface SeedCriteriaSet {
  _id: ObjectId;
  unitId: ObjectId;
  schoolKind: string;
  schoolYear: string;
  purpose: string;
  version: number;
  status: 'active';
  name: string;
  rules: unknown;
  passMark?: number;
  basedOn: null;
  createdBy: null;
  activatedBy: null;
  activatedAt: Date;
  history: { at: Date; by: null; action: 'seeded'; note: string }[];
  createdAt: Date;
  updatedAt: Date;
  __v: 0;
}

/** The engine's default sets, active for the province since the start of their school year. */
export function buildCriteriaSets(tree: OrgTree): SeedCriteriaSet[] {
  return DEFAULT_CRITERIA_SETS.map((set) => {
    const at = utc(Number(set.schoolYear.slice(0, 4)), 9, 1);
    return {
      _id: stableId('criteria', set.id ?? set.name),
      unitId: tree.province._id,
      schoolKind: set.schoolKind,
      schoolYear: set.schoolYear,
      purpose: set.purpose ?? 'selection',
      version: set.version,
      status: 'active' as const,
      name: set.name,
      // A deep copy: the engine's constants stay untouched by anything done to the documents.
      rules: JSON.parse(JSON.stringify(set.rules)) as unknown,
      ...(set.passMark === undefined ? {} : { passMark: set.passMark }),
      basedOn: null,
      createdBy: null,
      activatedBy: null,
      activatedAt: at,
      history: [{ at, by: null, action: 'seeded' as const, note: set.id ?? '' }],
      createdAt: at,
      updatedAt: at,
      __v: 0 as const,
    };
  });
}
