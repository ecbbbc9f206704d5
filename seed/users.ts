/** Staff and demo accounts: one per role and school, their ids from their email. */
import type { ObjectId } from 'bson';
import type { Role } from '../models/user.ts';
import { DEMO_SCHOOL_CODE, DEMO_STUDENT, memberId, stableId } from './common.ts';
import { MERGER_DATE, type BranchInfo, type OrgTree, type SchoolInfo } from './org-tree.ts';

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

export function demoStudentPlacement(tree: OrgTree): { school: SchoolInfo; branch: BranchInfo } {
  const school = tree.schools.find((s) => s.def.code === DEMO_SCHOOL_CODE)!;
  const branch = school.branches.find(
    (b) =>
      b.cohort === DEMO_STUDENT.cohort &&
      b.majorCode === DEMO_STUDENT.majorCode &&
      b.facultyCode === DEMO_STUDENT.facultyCode,
  )!;
  return { school, branch };
}
