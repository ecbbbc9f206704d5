/**
 * Deterministic demo data: the organisation tree of Quảng Ngãi after the 2025
 * merger, staff accounts, holidays, targets and any number of members.
 *
 * Pure: no I/O, no clock, no Math.random. Same seed and index give the same
 * member, byte for byte; ids are derived from stable keys so that re-running the
 * seed finds the same documents (see seed.server.ts for how that makes it
 * idempotent).
 *
 * This module assembles the parts: common.ts (the fixed "today", date arithmetic, ids),
 * org-tree.ts, users.ts, settings.ts (holidays, targets, criteria sets), members.ts with
 * pipeline.ts and records.ts for each member's path and sub-records.
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
import { buildOrgTree } from './org-tree.ts';
import { buildUsers } from './users.ts';
import { buildCriteriaSets, buildHolidays, buildTargets } from './settings.ts';

export {
  CURRENT_SCHOOL_YEAR,
  DEMO_PASSWORD,
  DEMO_SCHOOL_CODE,
  DEMO_STUDENT,
  PROVINCE_CODE,
  REFERENCE_DATE,
  memberId,
  stableId,
} from './common.ts';
export { buildOrgTree, type OrgTree, type SchoolInfo, type SeedUnit } from './org-tree.ts';
export { DEMO_ACCOUNTS, buildUsers, type SeedUser } from './users.ts';
export {
  buildCriteriaSets,
  buildHolidays,
  buildTargets,
  type SeedCriteriaSet,
  type SeedHoliday,
  type SeedTarget,
} from './settings.ts';
export { createContext, generateMembers, type GenerationContext } from './members.ts';
export type { SeedHistoryEntry, SeedMember, SeedPipeline } from './types.ts';

/** Everything except members, which are streamed. */
export function generateFixedData(members: number) {
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
