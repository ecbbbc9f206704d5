/**
 * Deterministic demo data: the organisation tree of Quảng Ngãi after the 2025
 * merger, staff accounts, holidays, targets and any number of members.
 *
 * Pure: no I/O, no clock, no Math.random. Same seed and index give the same
 * member, byte for byte; ids are derived from stable keys so that re-running the
 * seed finds the same documents (see seed.server.ts for how that makes it
 * idempotent).
 *
 * - Units, users, holidays and the demo student do not depend on the seed:
 *   docs and tests rely on them. Their ids come from their code / email / date.
 * - Member i (i ≥ 1) comes from its own PRNG seeded by (seed, i), so members
 *   can be generated in any batch size, lazily, for 200,000 members.
 * - All dates are relative to REFERENCE_DATE, a fixed "today" of the data set.
 *
 * The demo student (member index 0, `sinhvien@demo.vn`) is fixed:
 * Huỳnh Thị Thanh Trúc, K45 Sư phạm Toán, ĐH Phạm Văn Đồng, stage 'dossier',
 * awareness certificate issued 2026-06-20.
 */
import { ObjectId } from 'bson';
import {
  PIPELINE_STAGES,
  stageIndex,
  type ExitStage,
  type PipelineStage,
  type Stage,
} from '../app/domain/stages.ts';
import { DEFAULT_CRITERIA_SETS } from '../app/domain/criteria/defaults.ts';
import { memberSearchKey, nameSortKey } from '../app/domain/text.ts';
import { latestGpa10 } from '../app/domain/latest-gpa.ts';
import type { Role } from '../models/user.ts';
import type { SchoolKind, UnitKind } from '../models/unit.ts';
import {
  FAMILY_NAMES,
  FEMALE_GIVEN,
  FEMALE_MIDDLE,
  GIA_RAI_FAMILY,
  HELPER_TITLES,
  HOLIDAYS,
  MAKE_UP_WORKING_DAYS,
  MALE_GIVEN,
  MALE_MIDDLE,
  MINORITIES,
  QN_MINORITY_FAMILY,
  RELIGIONS,
  SCHOOLS,
  type SchoolDef,
} from './data.ts';
import { Random, hashInts, hashString } from './random.ts';

/** "Today" of the demo data set. Fixed so the data never depends on when it is built. */
export const REFERENCE_DATE = utc(2026, 11, 15);
/** School year in progress on REFERENCE_DATE, and the last one with full results. */
export const CURRENT_SCHOOL_YEAR = '2026-2027';
const LAST_COMPLETED_YEAR_START = 2025;
/** Data kept in the system starts here (history dates fall in 2023-2026). */
const DATA_START = utc(2023, 1, 5);

export const DEMO_PASSWORD = 'demo1234';
export const PROVINCE_CODE = 'QNG';
export const DEMO_SCHOOL_CODE = 'PVD';
export const DEMO_STUDENT = {
  fullName: 'Huỳnh Thị Thanh Trúc',
  email: 'sinhvien@demo.vn',
  gender: 'female' as const,
  dateOfBirth: utc(2004, 3, 12),
  cohort: 2022,
  majorCode: 'SPT',
  facultyCode: 'SPTN',
  stage: 'dossier' as const,
};

const DAY = 86_400_000;

function utc(y: number, m: number, d: number): Date {
  return new Date(Date.UTC(y, m - 1, d));
}
function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + Math.round(days) * DAY);
}
function addMonths(date: Date, months: number): Date {
  const d = new Date(date.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}
function daysBetween(a: Date, b: Date): number {
  return Math.round((b.getTime() - a.getTime()) / DAY);
}
function wholeMonthsBetween(a: Date, b: Date): number {
  let m = (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth());
  if (b.getUTCDate() < a.getUTCDate()) m -= 1;
  return m;
}
function maxDate(a: Date, b: Date): Date {
  return a > b ? a : b;
}
function minDate(a: Date, b: Date): Date {
  return a < b ? a : b;
}
function schoolYearOf(date: Date): string {
  const y = date.getUTCFullYear();
  const start = date.getUTCMonth() >= 8 ? y : y - 1; // school years start in September
  return `${start}-${start + 1}`;
}

// ---------------------------------------------------------------------------
// Ids

/** ObjectId timestamp part: 2025-07-01, the merger, for every seeded id. */
const ID_EPOCH = Math.floor(utc(2025, 7, 1).getTime() / 1000);

function idFromParts(tag: number, a: number, b: number): ObjectId {
  const bytes = new Uint8Array(12);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, ID_EPOCH);
  view.setUint32(4, ((tag & 0xff) << 24) | (a & 0xffffff));
  view.setUint32(8, b >>> 0);
  return new ObjectId(bytes);
}

/** Stable id for a keyed entity (unit code, email, holiday date). */
export function stableId(
  kind: 'unit' | 'user' | 'password' | 'holiday' | 'target' | 'member' | 'criteria' | 'audit',
  key: string,
): ObjectId {
  const tag = {
    audit: 0x61,
    unit: 0x55,
    user: 0x75,
    password: 0x70,
    holiday: 0x68,
    target: 0x74,
    member: 0x6d,
    criteria: 0x63,
  }[kind];
  return idFromParts(tag, hashString(key, 1), hashString(key, 2));
}

/** Id of member `index` for `seed`; index 0 is the fixed demo student, the same for every seed. */
export function memberId(seed: number, index: number): ObjectId {
  if (index === 0) return stableId('member', 'demo-student');
  return idFromParts(0x4d, hashInts(seed), index);
}

/** Id of the j-th award or activity of member `index` (embedded, but stable for idempotence). */
function subId(seed: number, index: number, j: number): ObjectId {
  return idFromParts(0x53, index, ((hashInts(seed) & 0xffff) << 16) | (j & 0xffff));
}

// ---------------------------------------------------------------------------
// Organisation tree

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
interface BranchInfo {
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

const MERGER_DATE = utc(2025, 7, 1);
const LEGACY_END = utc(2025, 6, 30);
/** Cohorts enrolled on REFERENCE_DATE, by school kind. */
const COHORTS: Record<SchoolKind, number[]> = {
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

// ---------------------------------------------------------------------------
// Users

export interface SeedUser {
  _id: ObjectId;
  email: string;
  name: string;
  role: Role;
  unitId: ObjectId;
  memberId: ObjectId | null;
  active: boolean;
  locale: 'vi' | 'en';
  passwordChangedAt: Date;
  createdAt: Date;
  updatedAt: Date;
  __v: number;
}

/** The five documented demo logins; every school also gets a Union and a Party login of the same form. */
export const DEMO_ACCOUNTS = [
  { email: 'admin@demo.vn', role: 'admin' },
  { email: 'tinhdoan@demo.vn', role: 'province_union' },
  { email: 'doantruong.pvd@demo.vn', role: 'school_union' },
  { email: 'danguy.pvd@demo.vn', role: 'school_party' },
  { email: 'sinhvien@demo.vn', role: 'student' },
] as const satisfies readonly { email: string; role: Role }[];

function makeUser(
  email: string,
  name: string,
  role: Role,
  unitId: ObjectId,
  member: ObjectId | null = null,
): SeedUser {
  return {
    _id: stableId('user', email),
    email,
    name,
    role,
    unitId,
    memberId: member,
    active: true,
    locale: 'vi',
    passwordChangedAt: MERGER_DATE,
    createdAt: MERGER_DATE,
    updatedAt: MERGER_DATE,
    __v: 0,
  };
}

export function buildUsers(tree: OrgTree): SeedUser[] {
  const users = [
    makeUser('admin@demo.vn', 'Quản trị hệ thống', 'admin', tree.province._id),
    makeUser('tinhdoan@demo.vn', 'Ban Tổ chức Tỉnh đoàn Quảng Ngãi', 'province_union', tree.province._id),
  ];
  for (const s of tree.schools) {
    const code = s.def.code.toLowerCase();
    users.push(
      makeUser(`doantruong.${code}@demo.vn`, `Đoàn trường ${s.def.shortName}`, 'school_union', s.unit._id),
    );
    users.push(makeUser(`danguy.${code}@demo.vn`, `Đảng ủy ${s.def.shortName}`, 'school_party', s.unit._id));
  }
  // A second Party committee member at the demo school: separation of duties means the
  // one who recorded the chi bộ vote may not record the decision, so someone else must.
  const pvd = tree.schools.find((s) => s.def.code === 'PVD');
  if (pvd) {
    users.push(
      makeUser('bithu.pvd@demo.vn', `Phó Bí thư Đảng ủy ${pvd.def.shortName}`, 'school_party', pvd.unit._id),
    );
  }
  const demo = demoStudentPlacement(tree);
  users.push(
    makeUser(DEMO_STUDENT.email, DEMO_STUDENT.fullName, 'student', demo.branch.unit._id, memberId(0, 0)),
  );
  return users;
}

function demoStudentPlacement(tree: OrgTree): { school: SchoolInfo; branch: BranchInfo } {
  const school = tree.schools.find((s) => s.def.code === DEMO_SCHOOL_CODE)!;
  const branch = school.branches.find(
    (b) =>
      b.cohort === DEMO_STUDENT.cohort &&
      b.majorCode === DEMO_STUDENT.majorCode &&
      b.facultyCode === DEMO_STUDENT.facultyCode,
  )!;
  return { school, branch };
}

// ---------------------------------------------------------------------------
// Holidays and targets

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
// Members

export interface SeedHistoryEntry {
  stage: Stage;
  at: Date;
  by: ObjectId | null;
  note?: string;
  refNo?: string;
  refDate?: Date;
}

export interface SeedMember {
  _id: ObjectId;
  fullName: string;
  searchKey: string;
  nameSortKey: string;
  dateOfBirth: Date;
  gender: 'male' | 'female' | 'other';
  studentCode: string;
  email?: string;
  phone?: string;
  ethnicity: string;
  religion: string;
  citizenId: string;
  schoolId: ObjectId;
  branchId: ObjectId;
  partyCellId: ObjectId | null;
  ancestors: ObjectId[];
  schoolKind: SchoolKind;
  schoolYear: string;
  cohort: number;
  union: { joinedAt: Date; cardNumber: string };
  unionRatings: { year: string; level: 'excellent' | 'good' | 'complete' | 'incomplete' }[];
  academicTerms: {
    year: string;
    term: 1 | 2 | 3;
    scale: 4 | 10;
    gpa: number;
    conductScore?: number;
    conductRating?: ThptRating;
    studyRating?: ThptRating;
  }[];
  latestGpa10: number | null;
  awards: {
    _id: ObjectId;
    title: string;
    kind: 'giay_khen' | 'bang_khen' | 'title';
    level: 'school' | 'province' | 'central';
    date: Date;
    decisionNo: string;
    issuer: string;
    verified: boolean;
  }[];
  activities: {
    _id: ObjectId;
    campaign: string;
    role: string;
    days: number;
    hours: number;
    startDate: Date;
    endDate: Date;
    verifiedBy: ObjectId | null;
    verifiedAt?: Date;
  }[];
  consent?: { version: string; givenAt: Date; withdrawnAt?: Date; guardianName?: string };
  pipeline: SeedPipeline;
  createdAt: Date;
  updatedAt: Date;
  __v: number;
}

type ThptRating = 'tot' | 'kha' | 'dat' | 'chua_dat';

export interface SeedPipeline {
  stage: Stage;
  stageSince: Date;
  history: SeedHistoryEntry[];
  certificate?: { number: string; issuer: string; issuedAt: Date; expiresAt: Date };
  helperName?: string;
  unionResolution?: { number: string; date: Date };
  application?: { receivedAt: Date };
  personalHistory?: { receivedAt: Date; verification: 'pending' | 'verified' | 'issues'; verifiedAt?: Date };
  introducers?: {
    name: string;
    official: boolean;
    monthsTogether?: number;
    kind: 'party_member' | 'union';
    refNo?: string;
  }[];
  opinions?: { source: string; date: Date; summary: string }[];
  branchVote?: {
    meetingDate: Date;
    yes: number;
    no: number;
    officialMemberCount: number;
    resolutionNo: string;
  };
  committeeResolution?: { number: string; date: Date };
  decision?: { number: string; date: Date; issuer: string };
  ceremonyDate?: Date;
  probation?: { start: Date; end: Date };
  officialDate?: Date;
  returnReason?: string;
}

/** Relative frequency of each current stage: most are plain members, fewer at each later stage. */
const STAGE_WEIGHTS: Record<'higher' | 'high_school', [Stage, number][]> = {
  higher: [
    ['member', 52],
    ['outstanding', 14],
    ['awareness_class', 8],
    ['dossier', 5],
    ['introduced', 3],
    ['branch_vote', 2],
    ['committee_review', 1.5],
    ['decision', 1.5],
    ['probation', 3.5],
    ['official', 2],
    ['returned', 2],
    ['not_admitted', 0.8],
    ['withdrawn', 1.5],
    ['struck_off', 0.3],
    ['transferred', 2.5],
    ['aged_out', 0.4],
  ],
  // THPT students are 15-18 on the reference date: nobody is old enough for a vote yet (age ≥ 18 on the meeting date).
  high_school: [
    ['member', 62],
    ['outstanding', 18],
    ['awareness_class', 9],
    ['dossier', 4],
    ['introduced', 1.5],
    ['returned', 1.5],
    ['withdrawn', 1],
    ['transferred', 3],
  ],
};

/** Forward stages an exit can follow. */
const EXIT_FROM: Record<ExitStage, PipelineStage[]> = {
  returned: ['outstanding', 'awareness_class', 'dossier', 'introduced', 'branch_vote', 'committee_review'],
  not_admitted: ['branch_vote', 'committee_review'],
  withdrawn: ['outstanding', 'awareness_class', 'dossier'],
  struck_off: ['probation'],
  transferred: ['member', 'outstanding', 'awareness_class', 'dossier', 'introduced', 'probation', 'official'],
  aged_out: ['member', 'outstanding'],
};

/** Days between entering the previous stage and entering this one: [min, max]. */
const STAGE_GAP: Record<PipelineStage, [number, number]> = {
  member: [0, 0],
  outstanding: [0, 0],
  awareness_class: [30, 150],
  dossier: [14, 120],
  introduced: [20, 90],
  branch_vote: [10, 45],
  committee_review: [7, 30],
  // Vote → decision stays within 60 working days (~84 calendar days) for most.
  decision: [14, 50],
  // Ceremony within 30 working days of the decision.
  probation: [7, 40],
  // Recorded after the chi bộ and committee consider it; the official date itself is ceremony + 12 months.
  official: [375, 420],
};

const RETURN_REASONS = [
  'Thiếu giấy chứng nhận tham gia hoạt động tình nguyện đã xác nhận.',
  'Lý lịch cần bổ sung ý kiến thẩm tra nơi cư trú.',
  'Kết quả rèn luyện học kỳ gần nhất chưa đạt mức tối thiểu.',
  'Đơn xin vào Đảng chưa đúng mẫu 1-KNĐ, đề nghị viết lại.',
];

const CAMPAIGNS: {
  name: string;
  month: number;
  days: [number, number];
  hours: number;
  thpt: boolean;
  roles: string[];
}[] = [
  {
    name: 'Chiến dịch Mùa hè xanh',
    month: 7,
    days: [10, 30],
    hours: 8,
    thpt: false,
    roles: ['Chiến sĩ tình nguyện', 'Đội trưởng', 'Đội phó'],
  },
  {
    name: 'Chiến dịch Xuân tình nguyện',
    month: 1,
    days: [3, 10],
    hours: 8,
    thpt: false,
    roles: ['Tình nguyện viên', 'Đội trưởng'],
  },
  {
    name: 'Tiếp sức mùa thi',
    month: 6,
    days: [3, 7],
    hours: 8,
    thpt: false,
    roles: ['Tình nguyện viên', 'Trưởng điểm'],
  },
  {
    name: 'Hiến máu tình nguyện',
    month: 3,
    days: [1, 1],
    hours: 3,
    thpt: false,
    roles: ['Người hiến máu', 'Tình nguyện viên hậu cần'],
  },
  { name: 'Ngày Chủ nhật xanh', month: 4, days: [1, 1], hours: 4, thpt: true, roles: ['Tình nguyện viên'] },
  {
    name: 'Tháng Thanh niên',
    month: 3,
    days: [2, 5],
    hours: 6,
    thpt: true,
    roles: ['Tình nguyện viên', 'Nhóm trưởng'],
  },
  { name: 'Kỳ nghỉ hồng', month: 7, days: [3, 7], hours: 6, thpt: true, roles: ['Tình nguyện viên'] },
];

export interface GenerationContext {
  seed: number;
  tree: OrgTree;
  /** Weighted school list for picking a member's school. */
  schoolWeights: [SchoolInfo, number][];
  branchesBySchoolCohort: Map<string, BranchInfo[]>;
  unionUserBySchool: Map<string, ObjectId>;
  partyUserBySchool: Map<string, ObjectId>;
}

export function createContext(seed: number, tree: OrgTree = buildOrgTree()): GenerationContext {
  const branchesBySchoolCohort = new Map<string, BranchInfo[]>();
  for (const s of tree.schools) {
    for (const b of s.branches) {
      const key = `${s.def.code}:${b.cohort}`;
      const list = branchesBySchoolCohort.get(key) ?? [];
      list.push(b);
      branchesBySchoolCohort.set(key, list);
    }
  }
  const unionUserBySchool = new Map<string, ObjectId>();
  const partyUserBySchool = new Map<string, ObjectId>();
  for (const s of tree.schools) {
    const code = s.def.code.toLowerCase();
    unionUserBySchool.set(s.def.code, stableId('user', `doantruong.${code}@demo.vn`));
    partyUserBySchool.set(s.def.code, stableId('user', `danguy.${code}@demo.vn`));
  }
  return {
    seed,
    tree,
    schoolWeights: tree.schools.map((s) => [s, s.def.weight]),
    branchesBySchoolCohort,
    unionUserBySchool,
    partyUserBySchool,
  };
}

/** Members [from, to) of the data set; index 0 is the demo student. */
export function generateMembers(ctx: GenerationContext, from: number, to: number): SeedMember[] {
  const out: SeedMember[] = [];
  for (let i = from; i < to; i++) out.push(generateMember(ctx, i));
  return out;
}

function pickName(rng: Random, gender: 'male' | 'female', ethnicity: string): string {
  if (['Xơ Đăng', 'Ba Na', 'Giẻ Triêng', 'Brâu', 'Rơ Măm'].includes(ethnicity) && rng.chance(0.6)) {
    return `${gender === 'male' ? 'A' : 'Y'} ${rng.pick(gender === 'male' ? MALE_GIVEN : FEMALE_GIVEN)}`;
  }
  if (ethnicity === 'Gia Rai' && rng.chance(0.7)) {
    const middle = gender === 'female' ? ' Thị' : '';
    return `${rng.pick(GIA_RAI_FAMILY)}${middle} ${rng.pick(gender === 'male' ? MALE_GIVEN : FEMALE_GIVEN)}`;
  }
  const family = ['Hrê', 'Cor', 'Ca Dong'].includes(ethnicity)
    ? rng.weighted(QN_MINORITY_FAMILY)
    : rng.weighted(FAMILY_NAMES);
  const middle = rng.weighted(gender === 'male' ? MALE_MIDDLE : FEMALE_MIDDLE);
  const given = rng.pick(gender === 'male' ? MALE_GIVEN : FEMALE_GIVEN);
  return `${family} ${middle} ${given}`;
}

function personName(rng: Random, gender: 'male' | 'female'): string {
  return pickName(rng, gender, 'Kinh');
}

/** A forward path and, for exits, the exit itself. */
function planStages(
  rng: Random,
  stage: Stage,
  kind: SchoolKind,
): { forward: PipelineStage[]; exit?: ExitStage } {
  const idx = stageIndex(stage);
  if (idx >= 0) return { forward: PIPELINE_STAGES.slice(0, fittingStageIndex(kind, idx, 0) + 1) };
  const exit = stage as ExitStage;
  // THPT students never get as far as a vote before they leave school (see STAGE_WEIGHTS).
  const from = EXIT_FROM[exit].filter(
    (s) => kind !== 'high_school' || stageIndex(s) <= stageIndex('introduced'),
  );
  const last = fittingStageIndex(kind, stageIndex(rng.pick(from)), 10);
  return { forward: PIPELINE_STAGES.slice(0, last + 1), exit };
}

/**
 * Earliest selection as an outstanding member: from the second year, so the
 * introducer has known the candidate ≥ 12 months by the introduction. Short
 * college courses therefore rarely reach official membership while enrolled.
 */
function earliestSelection(_kind: SchoolKind, cohort: number): Date {
  return maxDate(addDays(utc(cohort, 9, 5), 330), utc(2023, 3, 1));
}

/**
 * The furthest forward stage (≤ idx) whose minimum durations fit between the
 * oldest enrolled cohort's earliest selection and the reference date. Keeps
 * data consistent (e.g. nobody official before 12 months of probation) even
 * for short college courses.
 */
function fittingStageIndex(kind: SchoolKind, idx: number, extraDays: number): number {
  const available = daysBetween(earliestSelection(kind, COHORTS[kind][0]), addDays(REFERENCE_DATE, -20));
  let i = idx;
  while (i > 1 && sum(PIPELINE_STAGES.slice(2, i + 1).map((s) => STAGE_GAP[s][0])) + extraDays > available)
    i--;
  return i;
}

function generateMember(ctx: GenerationContext, index: number): SeedMember {
  const isDemo = index === 0;
  // The demo student draws from a fixed stream so it is identical for every seed.
  const rng = new Random(isDemo ? hashInts(0x5eed, 0) : hashInts(ctx.seed, index));
  const idSeed = isDemo ? 0 : ctx.seed;
  const demo = isDemo ? demoStudentPlacement(ctx.tree) : null;
  const school = demo ? demo.school : rng.weighted(ctx.schoolWeights);
  const def = school.def;
  const kind = def.kind;
  const drawn: Stage = demo
    ? DEMO_STUDENT.stage
    : rng.weighted(STAGE_WEIGHTS[kind === 'high_school' ? 'high_school' : 'higher']);
  const plan = planStages(rng, drawn, kind);
  const reached = plan.forward[plan.forward.length - 1];
  const reachedIdx = stageIndex(reached);
  // planStages may stop earlier than drawn when the minimum durations cannot fit.
  const stage: Stage = plan.exit ?? reached;

  // Dates of each forward stage after 'member', placed backwards from a recent end.
  const gapStages = plan.forward.slice(2);
  let gaps = gapStages.map((s) => rng.int(STAGE_GAP[s][0], STAGE_GAP[s][1]));
  const exitMin = plan.exit ? 10 : 0;
  let exitGap = plan.exit ? rng.int(exitMin, plan.exit === 'struck_off' ? 200 : 120) : 0;
  const chainDays = sum(gaps) + exitGap;
  // Someone still on probation had the ceremony less than 12 months ago.
  const maxAgo = stage === 'probation' ? 330 : stage === 'official' ? 500 : 300;
  const latestEnd = addDays(REFERENCE_DATE, -20);
  let end = addDays(REFERENCE_DATE, -rng.int(20, maxAgo));

  const cohorts = COHORTS[kind];
  let cohort: number;
  let outstandingAt: Date | null = null;
  if (demo) {
    cohort = DEMO_STUDENT.cohort;
  } else if (reachedIdx >= 1) {
    let start = addDays(end, -chainDays);
    const fits = cohorts.filter((c) => earliestSelection(kind, c) <= start);
    cohort = fits.length ? rng.pick(fits) : cohorts[0];
    const earliest = earliestSelection(kind, cohort);
    if (start < earliest) {
      // Not enough time since enrolment: end as late as allowed and shrink every gap
      // toward its minimum, so each step still takes a plausible time (planStages
      // guarantees the minimums fit).
      start = earliest;
      end = latestEnd;
      const mins = gapStages.map((s) => STAGE_GAP[s][0]);
      const minTotal = sum(mins) + exitMin;
      const spare = chainDays - minTotal;
      const factor = clamp((daysBetween(start, end) - minTotal) / Math.max(1, spare), 0, 1);
      gaps = gaps.map((g, k) => mins[k] + Math.floor((g - mins[k]) * factor));
      exitGap = exitMin + Math.floor((exitGap - exitMin) * factor);
    }
    outstandingAt = start;
  } else {
    cohort = rng.pick(cohorts);
  }
  const cohortStart = utc(cohort, 9, 5);
  const recordStart = maxDate(cohortStart, DATA_START);

  // Identity.
  const gender: 'male' | 'female' = demo
    ? DEMO_STUDENT.gender
    : rng.chance(kind === 'university' ? 0.58 : kind === 'college' ? 0.38 : 0.53)
      ? 'female'
      : 'male';
  const minority = !demo && rng.chance(def.minorityShare);
  const ethnicity = minority ? rng.weighted(MINORITIES[def.region]) : 'Kinh';
  const fullName = demo ? DEMO_STUDENT.fullName : pickName(rng, gender, ethnicity);
  const entryAge =
    kind === 'high_school'
      ? 15
      : kind === 'college'
        ? rng.weighted([
            [18, 6],
            [19, 3],
            [20, 1],
          ] as const)
        : rng.chance(0.9)
          ? 18
          : 19;
  let dateOfBirth = demo ? DEMO_STUDENT.dateOfBirth : utc(cohort - entryAge, rng.int(1, 12), rng.int(1, 28));
  if (stage === 'aged_out')
    dateOfBirth = utc(REFERENCE_DATE.getUTCFullYear() - 31, rng.int(1, 12), rng.int(1, 28));

  const studentCode = `${String(cohort).slice(2)}${String(school.number).padStart(2, '0')}${String(index).padStart(6, '0')}`;
  const branches = ctx.branchesBySchoolCohort.get(`${def.code}:${cohort}`)!;
  const branch = demo ? demo.branch : rng.pick(branches);
  const unionUser = ctx.unionUserBySchool.get(def.code)!;
  const partyUser = ctx.partyUserBySchool.get(def.code)!;

  // Pipeline history.
  const history: SeedHistoryEntry[] = [
    { stage: 'member', at: recordStart, by: unionUser, note: 'Nhập hồ sơ đoàn viên' },
  ];
  const pipeline: SeedPipeline = { stage, stageSince: recordStart, history };
  const dates: Partial<Record<PipelineStage, Date>> = { member: recordStart };
  let cursor = outstandingAt ?? recordStart;
  if (demo) {
    // Fixed timeline for the documented demo student.
    dates.outstanding = utc(2026, 3, 20);
    dates.awareness_class = utc(2026, 6, 20);
    dates.dossier = utc(2026, 10, 6);
  } else {
    plan.forward.forEach((s, k) => {
      if (k === 0) return;
      if (k >= 2) cursor = addDays(cursor, gaps[k - 2]);
      dates[s] = cursor;
    });
  }
  const n = () => String(rng.int(12, 480));
  const schoolParty = `Đảng ủy ${def.name}`;
  for (const s of plan.forward.slice(1)) {
    const at = dates[s]!;
    const entry: SeedHistoryEntry = { stage: s, at, by: stageIndex(s) >= 2 ? partyUser : unionUser };
    // Paperwork of a stage is dated before the next stage (or before "today").
    const following = PIPELINE_STAGES[stageIndex(s) + 1];
    const next = (following && dates[following]) || REFERENCE_DATE;
    switch (s) {
      case 'outstanding': {
        pipeline.unionResolution = { number: `${n()}-NQ/ĐTN`, date: at };
        pipeline.helperName = `${rng.pick(HELPER_TITLES)} ${personName(rng, rng.chance(0.5) ? 'male' : 'female')}`;
        entry.note = 'Ban Chấp hành Đoàn trường biểu quyết danh sách đoàn viên ưu tú';
        entry.refNo = pipeline.unionResolution.number;
        entry.refDate = at;
        break;
      }
      case 'awareness_class': {
        const issuer =
          def.region === 'kt' && at < MERGER_DATE
            ? 'Trường Chính trị tỉnh Kon Tum'
            : 'Trường Chính trị tỉnh Quảng Ngãi';
        // Every twelfth candidate still waiting for the chi bộ vote holds a certificate from an
        // earlier class that runs out 1-5 months after the reference date (the expiry warnings).
        // Chosen by index, not drawn, so the rest of the generated data stays the same.
        const waiting = stage === 'awareness_class' || stage === 'dossier' || stage === 'introduced';
        const issuedAt = waiting && index % 12 === 5 ? addMonths(REFERENCE_DATE, -(55 + (index % 5))) : at;
        pipeline.certificate = {
          number: `${rng.int(100, 9999)}/GCN-TCT`,
          issuer,
          issuedAt,
          expiresAt: addMonths(issuedAt, 60),
        };
        entry.note = 'Hoàn thành lớp bồi dưỡng nhận thức về Đảng';
        entry.refNo = pipeline.certificate.number;
        entry.refDate = at;
        break;
      }
      case 'dossier': {
        pipeline.application = { receivedAt: at };
        const verified = reachedIdx > stageIndex('dossier') || rng.chance(0.4);
        pipeline.personalHistory = {
          receivedAt: before(addDays(at, rng.int(0, 7)), next),
          verification: verified ? 'verified' : 'pending',
          verifiedAt: verified ? before(addDays(at, rng.int(8, 13)), next) : undefined,
        };
        if (!verified) delete pipeline.personalHistory.verifiedAt;
        entry.note = 'Nhận đơn (1-KNĐ) và lý lịch (2-KNĐ)';
        break;
      }
      case 'introduced': {
        const unionRes = `${n()}-NQ/ĐTN`;
        pipeline.introducers = [
          { name: 'Ban Chấp hành Đoàn trường', official: true, kind: 'union', refNo: unionRes },
          {
            name: pipeline.helperName ?? personName(rng, 'male'),
            official: true,
            kind: 'party_member',
            // Selection comes a year after enrolment at the earliest, so this is ≥ 12.
            monthsTogether: wholeMonthsBetween(cohortStart, at),
          },
        ];
        pipeline.opinions = [
          {
            source: 'Chi ủy nơi cư trú',
            date: before(addDays(at, rng.int(3, 15)), next),
            summary: 'Nhất trí, gia đình chấp hành tốt chủ trương, pháp luật.',
          },
          {
            source: 'Ban Chấp hành Chi đoàn',
            date: before(addDays(at, rng.int(1, 8)), next),
            summary: 'Nhất trí giới thiệu.',
          },
        ];
        entry.note =
          'Nghị quyết giới thiệu của Ban Chấp hành Đoàn (4-KNĐ) và một đảng viên chính thức (3-KNĐ)';
        entry.refNo = unionRes;
        entry.refDate = at;
        break;
      }
      case 'branch_vote': {
        const count = branch.partyCell.officialMemberCount ?? 15;
        const threshold = Math.ceil((2 * count) / 3);
        const fails = plan.exit === 'not_admitted' && reached === 'branch_vote';
        const yes = fails ? rng.int(Math.max(0, threshold - 4), threshold - 1) : rng.int(threshold, count);
        const no = rng.int(0, count - yes);
        pipeline.branchVote = {
          meetingDate: at,
          yes,
          no,
          officialMemberCount: count,
          resolutionNo: `${n()}-NQ/CB`,
        };
        entry.note = `Chi bộ biểu quyết: ${yes}/${count} đảng viên chính thức tán thành`;
        entry.refNo = pipeline.branchVote.resolutionNo;
        entry.refDate = at;
        break;
      }
      case 'committee_review':
        pipeline.committeeResolution = { number: `${n()}-NQ/ĐU`, date: at };
        entry.refNo = pipeline.committeeResolution.number;
        entry.refDate = at;
        break;
      case 'decision':
        pipeline.decision = { number: `${n()}-QĐ/ĐU`, date: at, issuer: schoolParty };
        entry.refNo = pipeline.decision.number;
        entry.refDate = at;
        break;
      case 'probation':
        pipeline.ceremonyDate = at;
        pipeline.probation = { start: at, end: addMonths(at, 12) };
        entry.note = 'Lễ kết nạp; bắt đầu 12 tháng dự bị';
        break;
      case 'official': {
        // The official date is ceremony + 12 months even when the decision comes later (domain.md §3, step 12).
        pipeline.officialDate = pipeline.probation ? pipeline.probation.end : at;
        entry.refNo = `${n()}-QĐ/ĐU`;
        entry.refDate = at;
        entry.note = 'Quyết định công nhận đảng viên chính thức';
        break;
      }
    }
    history.push(entry);
  }
  if (plan.exit) {
    const last = history[history.length - 1].at;
    let at = minDate(addDays(last, exitGap), addDays(REFERENCE_DATE, -1));
    if (at <= last) at = addDays(last, 1);
    const entry: SeedHistoryEntry = { stage: plan.exit, at, by: unionUser };
    switch (plan.exit) {
      case 'returned':
        pipeline.returnReason = rng.pick(RETURN_REASONS);
        entry.note = pipeline.returnReason;
        entry.by = reachedIdx >= stageIndex('awareness_class') ? partyUser : unionUser;
        break;
      case 'not_admitted':
        entry.note =
          reached === 'branch_vote'
            ? 'Không đủ 2/3 đảng viên chính thức tán thành'
            : 'Đảng ủy không đề nghị kết nạp';
        entry.by = partyUser;
        break;
      case 'withdrawn':
        entry.note = 'Đoàn viên xin rút hồ sơ';
        break;
      case 'struck_off':
        entry.note = 'Xóa tên trong thời gian dự bị';
        entry.by = partyUser;
        if (pipeline.probation && at > pipeline.probation.end) at = addDays(pipeline.probation.end, -10);
        entry.at = at;
        break;
      case 'transferred':
        entry.note = kind === 'high_school' ? 'Chuyển trường' : 'Tốt nghiệp, chuyển sinh hoạt';
        break;
      case 'aged_out':
        entry.note = 'Hết tuổi đoàn (30 tuổi)';
        break;
    }
    history.push(entry);
  }
  pipeline.stageSince = history[history.length - 1].at;

  // Vote needs age ≥ 18 on the meeting date: move the birth date back if a compressed chain broke that.
  if (pipeline.branchVote) {
    const limit = addMonths(pipeline.branchVote.meetingDate, -18 * 12 - 1);
    if (dateOfBirth > limit) dateOfBirth = addDays(limit, -rng.int(0, 200));
  }

  const reachedOutstanding = reachedIdx >= 1;
  const quality = rng.normal() + (reachedOutstanding ? 0.9 : 0);

  // Union: joined at 15-16 (often on 26/3, the Union's founding day).
  const joinYear = dateOfBirth.getUTCFullYear() + (rng.chance(0.7) ? 16 : 15);
  let joinedAt = rng.chance(0.6) ? utc(joinYear, 3, 26) : utc(joinYear, rng.int(1, 12), rng.int(1, 28));
  if (joinedAt < addMonths(dateOfBirth, 15 * 12)) joinedAt = addMonths(dateOfBirth, 15 * 12 + 1);
  const latestJoin = addDays(REFERENCE_DATE, -20);
  if (joinedAt > latestJoin) {
    // Youngest grade-10 students: keep "joined at 15 or older" by making them born a little earlier.
    joinedAt = addDays(latestJoin, -rng.int(0, 40));
    if (addMonths(dateOfBirth, 15 * 12) > joinedAt) dateOfBirth = addMonths(joinedAt, -15 * 12 - 1);
  }
  const union = { joinedAt, cardNumber: `${def.region === 'kt' ? '62' : '51'}${rng.digits(8)}` };

  // Yearly Union ratings for completed school years since the data starts.
  const unionRatings: SeedMember['unionRatings'] = [];
  const outstandingYear = dates.outstanding ? schoolYearOf(dates.outstanding) : null;
  for (let y = Math.max(cohort, 2023); y <= LAST_COMPLETED_YEAR_START; y++) {
    if (utc(y + 1, 5, 31) < joinedAt) continue;
    const year = `${y}-${y + 1}`;
    const previousToSelection = outstandingYear !== null && `${y + 1}-${y + 2}` === outstandingYear;
    const level = previousToSelection
      ? 'excellent'
      : rng.weighted(
          reachedOutstanding
            ? ([
                ['excellent', 65],
                ['good', 33],
                ['complete', 2],
              ] as const)
            : ([
                ['excellent', 20],
                ['good', 52],
                ['complete', 23],
                ['incomplete', 5],
              ] as const),
        );
    unionRatings.push({ year, level });
  }

  // Academic terms for completed terms.
  const academicTerms: SeedMember['academicTerms'] = [];
  const scale: 4 | 10 = def.scale;
  for (let y = cohort; y <= LAST_COMPLETED_YEAR_START; y++) {
    for (const term of [1, 2] as const) {
      const q = quality + rng.normal(0, 0.35);
      if (kind === 'high_school') {
        const gpa = round(clamp(7.3 + 0.8 * q, 4.5, 9.9), 1);
        const studyRating: ThptRating = gpa >= 8 ? 'tot' : gpa >= 6.5 ? 'kha' : gpa >= 5 ? 'dat' : 'chua_dat';
        const conductRating: ThptRating = q > -1.3 ? 'tot' : q > -2.2 ? 'kha' : 'dat';
        academicTerms.push({ year: `${y}-${y + 1}`, term, scale: 10, gpa, conductRating, studyRating });
      } else {
        const gpa =
          scale === 4 ? round(clamp(2.85 + 0.42 * q, 1.2, 4), 2) : round(clamp(7.1 + 0.85 * q, 4, 9.8), 1);
        const conductScore = Math.round(clamp(81 + 6 * q + rng.normal(0, 3), 50, 100));
        academicTerms.push({ year: `${y}-${y + 1}`, term, scale, gpa, conductScore });
      }
    }
  }

  const awards = makeAwards(rng, idSeed, index, def, cohortStart, reachedOutstanding);
  const activities = makeActivities(
    rng,
    idSeed,
    index,
    def,
    cohortStart,
    reachedOutstanding,
    dateOfBirth,
    unionUser,
    awards.length,
  );

  // Consent (Law 91/2025, in force 2026): most have given it; a guardian joins in for minors.
  let consent: SeedMember['consent'];
  if (isDemo || rng.chance(0.82)) {
    const givenAt = maxDate(addDays(utc(2026, 1, 5), rng.int(0, 250)), recordStart);
    const at = minDate(givenAt, addDays(REFERENCE_DATE, -1));
    consent = { version: '2026-01', givenAt: at };
    if (at < addMonths(dateOfBirth, 18 * 12)) {
      consent.guardianName = `${fullName.split(' ')[0]} ${rng.weighted(MALE_MIDDLE)} ${rng.pick(MALE_GIVEN)}`;
    }
    if (!isDemo && rng.chance(0.02)) consent.withdrawnAt = addDays(at, rng.int(5, 60));
  }
  // The demo student has not consented yet, so the first sign-in shows the consent page
  // (the random draws above still run: the rest of the data set stays the same).
  if (isDemo) consent = undefined;

  const religion = isDemo
    ? 'Không'
    : rng.weighted(
        def.region === 'kt'
          ? ([
              ['Không', 70],
              ['Công giáo', 18],
              ['Tin Lành', 7],
              ['Phật giáo', 5],
            ] as const)
          : RELIGIONS,
      );
  const provinceCode = def.region === 'kt' ? '062' : '051';
  const centuryGender = (gender === 'male' ? 0 : 1) + (dateOfBirth.getUTCFullYear() >= 2000 ? 2 : 0);
  const citizenId = `${provinceCode}${centuryGender}${String(dateOfBirth.getUTCFullYear()).slice(2)}${rng.digits(6)}`;
  const phonePrefix = rng.pick([
    '032',
    '035',
    '038',
    '070',
    '077',
    '086',
    '090',
    '093',
    '097',
    '098',
    '039',
    '081',
  ]);

  const exitedSchool = plan.exit === 'transferred' || plan.exit === 'aged_out';
  const schoolYear = exitedSchool ? schoolYearOf(pipeline.stageSince) : CURRENT_SCHOOL_YEAR;
  const ancestors = [...branch.unit.ancestors, branch.unit._id];
  const partyCellId = reachedOutstanding ? branch.partyCell._id : null;
  const email =
    kind === 'high_school'
      ? undefined
      : isDemo
        ? DEMO_STUDENT.email
        : `${studentCode}@sv.${def.code.toLowerCase()}.edu.vn`;

  const member: SeedMember = {
    _id: memberId(ctx.seed, index),
    fullName,
    searchKey: memberSearchKey(fullName, studentCode),
    nameSortKey: nameSortKey(fullName),
    dateOfBirth,
    gender,
    studentCode,
    phone: `${phonePrefix}${rng.digits(7)}`,
    ethnicity,
    religion,
    citizenId,
    schoolId: school.unit._id,
    branchId: branch.unit._id,
    partyCellId,
    ancestors,
    schoolKind: kind,
    schoolYear,
    cohort,
    union,
    unionRatings,
    academicTerms,
    latestGpa10: latestGpa10(academicTerms),
    awards,
    activities,
    pipeline,
    createdAt: recordStart,
    updatedAt: pipeline.stageSince,
    __v: 0,
  };
  if (email) member.email = email;
  if (consent) member.consent = consent;
  return member;
}

/** `date`, but at least one day before `limit`. */
function before(date: Date, limit: Date): Date {
  return minDate(date, addDays(limit, -1));
}
function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function makeAwards(
  rng: Random,
  seed: number,
  index: number,
  def: SchoolDef,
  cohortStart: Date,
  strong: boolean,
): SeedMember['awards'] {
  const count = rng.weighted(
    strong
      ? ([
          [0, 1],
          [1, 3],
          [2, 3],
          [3, 2],
        ] as const)
      : ([
          [0, 6],
          [1, 3],
          [2, 1],
        ] as const),
  );
  const thpt = def.kind === 'high_school';
  const awards: SeedMember['awards'] = [];
  for (let j = 0; j < count; j++) {
    const date = addDays(
      maxDate(cohortStart, DATA_START),
      rng.int(60, Math.max(61, daysBetween(maxDate(cohortStart, DATA_START), REFERENCE_DATE) - 10)),
    );
    if (date > REFERENCE_DATE) continue;
    const level = rng.weighted([
      ['school', 70],
      ['province', 25],
      ['central', strong ? 5 : 1],
    ] as const);
    const title = thpt ? 'Học sinh 3 tốt' : 'Sinh viên 5 tốt';
    const levelName = { school: 'cấp trường', province: 'cấp tỉnh', central: 'cấp Trung ương' }[level];
    const roll = rng.next();
    let award: Omit<SeedMember['awards'][number], '_id' | 'verified' | 'date'>;
    if (level === 'central') {
      award =
        roll < 0.5
          ? {
              title: `${title} ${levelName}`,
              kind: 'title',
              level,
              decisionNo: `${rng.int(100, 999)}-QĐ/TWHSV`,
              issuer: thpt ? 'Trung ương Đoàn' : 'Trung ương Hội Sinh viên Việt Nam',
            }
          : {
              title: 'Bằng khen của Ban Chấp hành Trung ương Đoàn',
              kind: 'bang_khen',
              level,
              decisionNo: `${rng.int(100, 999)}-QĐ/TWĐTN-VP`,
              issuer: 'Ban Chấp hành Trung ương Đoàn TNCS Hồ Chí Minh',
            };
    } else if (level === 'province') {
      award =
        roll < 0.5
          ? {
              title: `${title} ${levelName}`,
              kind: 'title',
              level,
              decisionNo: `${rng.int(100, 999)}-QĐ/HSV`,
              issuer: thpt ? 'Tỉnh đoàn Quảng Ngãi' : 'Hội Sinh viên tỉnh Quảng Ngãi',
            }
          : {
              title: 'Giấy khen của Ban Thường vụ Tỉnh đoàn',
              kind: 'giay_khen',
              level,
              decisionNo: `${rng.int(100, 999)}-QĐ/TĐTN-VP`,
              issuer: 'Ban Thường vụ Tỉnh đoàn Quảng Ngãi',
            };
    } else {
      award =
        roll < 0.5
          ? {
              title: `${title} ${levelName}`,
              kind: 'title',
              level,
              decisionNo: `${rng.int(10, 300)}-QĐ/ĐTN`,
              issuer: `Đoàn ${def.name}`,
            }
          : {
              title: 'Giấy khen của Ban Chấp hành Đoàn trường',
              kind: 'giay_khen',
              level,
              decisionNo: `${rng.int(10, 300)}-QĐ/ĐTN`,
              issuer: `Ban Chấp hành Đoàn ${def.name}`,
            };
    }
    awards.push({ _id: subId(seed, index, j), ...award, date, verified: rng.chance(0.85) });
  }
  return awards;
}

function makeActivities(
  rng: Random,
  seed: number,
  index: number,
  def: SchoolDef,
  cohortStart: Date,
  strong: boolean,
  dateOfBirth: Date,
  verifier: ObjectId,
  offset: number,
): SeedMember['activities'] {
  const count = rng.weighted(
    strong
      ? ([
          [1, 2],
          [2, 3],
          [3, 3],
          [4, 2],
        ] as const)
      : ([
          [0, 4],
          [1, 4],
          [2, 2],
        ] as const),
  );
  const pool = CAMPAIGNS.filter((c) => c.thpt || def.kind !== 'high_school');
  const activities: SeedMember['activities'] = [];
  const from = maxDate(cohortStart, DATA_START);
  for (let j = 0; j < count; j++) {
    const c = rng.pick(pool);
    // The campaign's usual month in a school year the member attended.
    const years: number[] = [];
    for (let y = from.getUTCFullYear(); y <= REFERENCE_DATE.getUTCFullYear(); y++) years.push(y);
    const y = rng.pick(years);
    const startDate = utc(y, c.month, rng.int(1, 20));
    const days = rng.int(c.days[0], c.days[1]);
    const endDate = addDays(startDate, days - 1);
    if (startDate < from || endDate >= REFERENCE_DATE) continue;
    // Blood donors must be 18.
    if (c.name === 'Hiến máu tình nguyện' && startDate < addMonths(dateOfBirth, 18 * 12)) continue;
    const verified = rng.chance(0.8);
    const verifiedAt = verified
      ? minDate(addDays(endDate, rng.int(3, 30)), addDays(REFERENCE_DATE, -1))
      : undefined;
    activities.push({
      _id: subId(seed, index, 100 + offset + j),
      campaign: c.name,
      role: rng.pick(c.roles),
      days,
      hours: days * c.hours,
      startDate,
      endDate,
      verifiedBy: verified ? verifier : null,
      ...(verifiedAt ? { verifiedAt } : {}),
    });
  }
  return activities;
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

/** Everything except members, which are streamed. */
export function generateFixedData(members: number): {
  tree: OrgTree;
  units: SeedUnit[];
  users: SeedUser[];
  holidays: SeedHoliday[];
  targets: SeedTarget[];
  criteriaSets: SeedCriteriaSet[];
} {
  const tree = buildOrgTree();
  return {
    tree,
    units: tree.units,
    users: buildUsers(tree),
    holidays: buildHolidays(),
    targets: buildTargets(tree, members),
    criteriaSets: buildCriteriaSets(tree),
  };
}
