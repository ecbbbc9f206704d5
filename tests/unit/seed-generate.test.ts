import { beforeAll, describe, expect, it } from 'vitest';
import {
  EXIT_STAGES,
  PIPELINE_STAGES,
  STAGE_LABELS,
  isExitStage,
  stageIndex,
  ALL_STAGES,
} from '../../app/domain/stages.ts';
import { memberSearchKey, nameSortKey } from '../../app/domain/text.ts';
import { Member } from '../../models/member.ts';
import { Unit } from '../../models/unit.ts';
import { User } from '../../models/user.ts';
import {
  DEMO_ACCOUNTS,
  DEMO_STUDENT,
  REFERENCE_DATE,
  createContext,
  generateFixedData,
  generateMembers,
  memberId,
  type SeedMember,
} from '../../seed/generate.ts';

const COUNT = 5000;
let fixed: ReturnType<typeof generateFixedData>;
let members: SeedMember[];

beforeAll(() => {
  fixed = generateFixedData(COUNT);
  members = generateMembers(createContext(1, fixed.tree), 0, COUNT);
});

const json = (x: unknown) => JSON.stringify(x);

function wholeMonths(from: Date, to: Date): number {
  let m = (to.getUTCFullYear() - from.getUTCFullYear()) * 12 + (to.getUTCMonth() - from.getUTCMonth());
  if (to.getUTCDate() < from.getUTCDate()) m -= 1;
  return m;
}

describe('determinism', () => {
  it('gives identical data for the same seed', () => {
    const again = generateMembers(createContext(1), 0, 400);
    expect(json(again)).toBe(json(members.slice(0, 400)));
    expect(json(generateFixedData(COUNT).units)).toBe(json(fixed.units));
    expect(json(generateFixedData(COUNT).users)).toBe(json(fixed.users));
  });
  it('does not depend on batch boundaries', () => {
    const ctx = createContext(1);
    const parts = [...generateMembers(ctx, 0, 137), ...generateMembers(ctx, 137, 400)];
    expect(json(parts)).toBe(json(members.slice(0, 400)));
  });
  it('gives different members for a different seed, but the same demo student and tree', () => {
    const other = generateMembers(createContext(2), 0, 400);
    expect(json(other[0])).toBe(json(members[0]));
    const sameNames = other.slice(1).filter((m, i) => m.fullName === members[i + 1].fullName).length;
    expect(sameNames).toBeLessThan(40);
    expect(other[1]._id.equals(members[1]._id)).toBe(false);
  });
  it('derives member ids from seed and index', () => {
    expect(members[7]._id.equals(memberId(1, 7))).toBe(true);
    expect(memberId(1, 7).equals(memberId(2, 7))).toBe(false);
    expect(new Set(members.map((m) => m._id.toHexString())).size).toBe(COUNT);
  });
});

describe('organisation tree', () => {
  it('has the province, PVD and the expected schools', () => {
    const byCode = new Map(fixed.units.map((u) => [u.code, u]));
    expect(byCode.size).toBe(fixed.units.length); // codes are unique
    const province = byCode.get('QNG')!;
    expect(province.name).toBe('Tỉnh đoàn Quảng Ngãi');
    const pvd = byCode.get('PVD')!;
    expect(pvd).toMatchObject({
      name: 'Trường Đại học Phạm Văn Đồng',
      kind: 'school',
      schoolKind: 'university',
      active: true,
    });
    const schools = fixed.units.filter((u) => u.kind === 'school' && u.active);
    expect(schools.filter((s) => s.schoolKind === 'university').length).toBe(3);
    expect(schools.filter((s) => s.schoolKind === 'college').length).toBe(3);
    expect(schools.filter((s) => s.schoolKind === 'high_school').length).toBeGreaterThanOrEqual(12);
  });
  it('keeps ancestors, schoolId and schoolKind consistent', () => {
    const byId = new Map(fixed.units.map((u) => [u._id.toHexString(), u]));
    expect(fixed.units).not.toHaveLength(0);
    for (const u of fixed.units) {
      if (u.parentId) {
        const parent = byId.get(u.parentId.toHexString())!;
        expect(u.ancestors.map(String)).toEqual([...parent.ancestors, parent._id].map(String));
      } else {
        expect(u.ancestors).toEqual([]);
      }
      if (u.kind !== 'province') {
        const school = byId.get(u.schoolId!.toHexString())!;
        expect(school.kind).toBe('school');
        expect(u.schoolKind).toBe(school.schoolKind);
      }
    }
  });
  it('gives party cells 9-40 official members and keeps legacy units inactive', () => {
    const cells = fixed.units.filter((u) => u.kind === 'party_cell');
    expect(cells.length).toBeGreaterThan(15);
    for (const c of cells) expect(c.officialMemberCount).toBeGreaterThanOrEqual(9);
    for (const c of cells) expect(c.officialMemberCount).toBeLessThanOrEqual(40);
    const legacy = fixed.units.filter((u) => !u.active);
    expect(legacy.length).toBeGreaterThanOrEqual(2);
    expect(legacy.map((u) => u.name)).toContain('Tỉnh đoàn Kon Tum (trước 07/2025)');
    for (const u of legacy) expect(u.validTo?.toISOString().slice(0, 10)).toBe('2025-06-30');
  });
  it('names branches the way schools do', () => {
    const names = fixed.units.filter((u) => u.kind === 'branch').map((u) => u.name);
    expect(names).toContain('Chi đoàn K45 Sư phạm Toán');
    expect(names).toContain('Chi đoàn 12A1');
  });
  it('validates against the mongoose schemas', async () => {
    for (const u of fixed.units) await new Unit(u).validate();
    for (const u of fixed.users) await new User(u).validate();
  });
});

describe('accounts and holidays', () => {
  it('has the five demo accounts with their roles and scopes', () => {
    const byEmail = new Map(fixed.users.map((u) => [u.email, u]));
    for (const { email, role } of DEMO_ACCOUNTS) expect(byEmail.get(email)?.role).toBe(role);
    const unitCode = (id: { toHexString(): string }) =>
      fixed.units.find((u) => u._id.toHexString() === id.toHexString())!.code;
    expect(unitCode(byEmail.get('admin@demo.vn')!.unitId)).toBe('QNG');
    expect(unitCode(byEmail.get('tinhdoan@demo.vn')!.unitId)).toBe('QNG');
    expect(unitCode(byEmail.get('doantruong.pvd@demo.vn')!.unitId)).toBe('PVD');
    expect(unitCode(byEmail.get('danguy.pvd@demo.vn')!.unitId)).toBe('PVD');
    expect(new Set(fixed.users.map((u) => u.email)).size).toBe(fixed.users.length);
  });
  it('links the student account to the fixed demo student, mid-pipeline at PVD with a certificate', () => {
    const student = fixed.users.find((u) => u.email === 'sinhvien@demo.vn')!;
    const demo = members[0];
    expect(student.memberId!.equals(demo._id)).toBe(true);
    const pvd = fixed.units.find((u) => u.code === 'PVD')!;
    expect(demo.schoolId.equals(pvd._id)).toBe(true);
    expect(demo.fullName).toBe(DEMO_STUDENT.fullName);
    expect(demo.pipeline.stage).toBe('dossier');
    expect(demo.pipeline.certificate?.expiresAt.toISOString().slice(0, 10)).toBe('2031-06-20');
    expect(demo.ancestors.some((a) => a.equals(pvd._id))).toBe(true);
  });
  it('seeds holidays for 2024-2027 including Tết', () => {
    const years = new Set(fixed.holidays.map((h) => h.year));
    expect([...years].sort()).toEqual([2024, 2025, 2026, 2027]);
    const dates = fixed.holidays.map((h) => h.date.toISOString().slice(0, 10));
    expect(new Set(dates).size).toBe(dates.length);
    expect(dates).toContain('2025-01-29'); // Tết Ất Tỵ
    expect(dates).toContain('2026-02-17'); // Tết Bính Ngọ
  });
});

describe('members', () => {
  it('spreads over every stage, most of them plain members', () => {
    const counts = new Map<string, number>();
    for (const m of members) counts.set(m.pipeline.stage, (counts.get(m.pipeline.stage) ?? 0) + 1);
    for (const stage of ALL_STAGES) expect(counts.get(stage) ?? 0, stage).toBeGreaterThan(0);
    expect(counts.get('member')!).toBeGreaterThan(COUNT * 0.45);
    expect(counts.get('outstanding')!).toBeGreaterThan(counts.get('dossier')!);
    expect(counts.get('dossier')!).toBeGreaterThan(counts.get('decision')!);
  });

  it('has a stage history consistent with the current stage', () => {
    const from = new Date('2023-01-01T00:00:00Z');
    expect(members).not.toHaveLength(0);
    for (const m of members) {
      const p = m.pipeline;
      const h = p.history;
      expect(h[0].stage).toBe('member');
      expect(h[h.length - 1].stage).toBe(p.stage);
      expect(p.stageSince.getTime()).toBe(h[h.length - 1].at.getTime());
      const forward = isExitStage(p.stage) ? h.slice(0, -1) : h;
      expect(forward.map((e) => e.stage)).toEqual(PIPELINE_STAGES.slice(0, forward.length));
      for (let i = 1; i < h.length; i++)
        expect(h[i].at.getTime(), `${m.fullName} ${h[i].stage}`).toBeGreaterThan(h[i - 1].at.getTime());
      for (const e of h) {
        expect(e.at >= from && e.at <= REFERENCE_DATE).toBe(true);
        expect(e.at.getUTCFullYear()).toBeLessThanOrEqual(2026);
      }
      const reached = stageIndex(forward[forward.length - 1].stage);
      expect(Boolean(p.certificate), m.fullName).toBe(reached >= stageIndex('awareness_class'));
      if (p.certificate) expect(wholeMonths(p.certificate.issuedAt, p.certificate.expiresAt)).toBe(60);
      expect(Boolean(m.partyCellId)).toBe(reached >= stageIndex('outstanding'));
      if (p.branchVote) {
        const threshold = Math.ceil((2 * p.branchVote.officialMemberCount) / 3);
        const failedVote = p.stage === 'not_admitted' && forward[forward.length - 1].stage === 'branch_vote';
        expect(p.branchVote.yes >= threshold).toBe(!failedVote);
        expect(p.branchVote.yes + p.branchVote.no).toBeLessThanOrEqual(p.branchVote.officialMemberCount);
        expect(wholeMonths(m.dateOfBirth, p.branchVote.meetingDate)).toBeGreaterThanOrEqual(18 * 12);
        expect(p.certificate!.expiresAt > p.branchVote.meetingDate).toBe(true);
      }
      if (p.stage === 'probation') expect(p.probation!.end > REFERENCE_DATE).toBe(true);
      if (p.stage === 'official') {
        expect(p.officialDate!.getTime()).toBe(p.probation!.end.getTime());
        // Recognised after the 12 months, never before.
        expect(h[h.length - 1].at >= p.probation!.end).toBe(true);
      }
      const at = (stage: string) => h.find((e) => e.stage === stage)?.at;
      if (p.opinions && at('branch_vote'))
        for (const o of p.opinions) expect(o.date < at('branch_vote')!).toBe(true);
      if (p.personalHistory?.verifiedAt && at('introduced'))
        expect(p.personalHistory.verifiedAt < at('introduced')!).toBe(true);
      if (p.decision && p.branchVote) {
        // Decision within 60 working days of the vote: at most ~84 calendar days.
        expect(
          (p.decision.date.getTime() - p.branchVote.meetingDate.getTime()) / 86_400_000,
        ).toBeLessThanOrEqual(84);
      }
      if (p.introducers)
        for (const i of p.introducers)
          if (i.kind === 'party_member') expect(i.monthsTogether).toBeGreaterThanOrEqual(12);
    }
  });

  it('gives THPT students ages 15-18 and university students 18-24 (aged-out members aside)', () => {
    const age = (m: SeedMember) => Math.floor(wholeMonths(m.dateOfBirth, REFERENCE_DATE) / 12);
    expect(members).not.toHaveLength(0);
    for (const m of members) {
      if (m.pipeline.stage === 'aged_out') continue;
      if (m.schoolKind === 'high_school') {
        expect(age(m)).toBeGreaterThanOrEqual(15);
        expect(age(m)).toBeLessThanOrEqual(18);
        expect(stageIndex(m.pipeline.history.at(-1)!.stage)).toBeLessThan(stageIndex('branch_vote'));
      } else if (m.schoolKind === 'university') {
        expect(age(m)).toBeGreaterThanOrEqual(17);
        expect(age(m)).toBeLessThanOrEqual(24);
      }
    }
  });

  it('uses the right grading scale per school kind', () => {
    expect(members).not.toHaveLength(0);
    for (const m of members) {
      for (const t of m.academicTerms) {
        if (m.schoolKind === 'high_school') {
          expect(t.scale).toBe(10);
          expect(t.conductRating).toBeDefined();
          expect(t.studyRating).toBeDefined();
        } else {
          expect(t.conductScore).toBeGreaterThanOrEqual(0);
          expect(t.conductScore).toBeLessThanOrEqual(100);
        }
        expect(t.gpa).toBeLessThanOrEqual(t.scale);
      }
    }
    const university = members.filter((m) => m.schoolKind === 'university' && m.academicTerms.length);
    expect(university.every((m) => m.academicTerms.every((t) => t.scale === 4))).toBe(true);
  });

  it('has Vietnamese names with diacritics and matching derived keys', () => {
    let withDiacritics = 0;
    expect(members).not.toHaveLength(0);
    for (const m of members) {
      expect(m.fullName).toBe(m.fullName.normalize('NFC'));
      expect(m.fullName).toMatch(/^[\p{L}]+( [\p{L}]+)+$/u);
      if (
        m.fullName !== m.fullName.normalize('NFD').replace(/[\u0300-\u036f]/g, '') ||
        /[đĐ]/.test(m.fullName)
      )
        withDiacritics++;
      expect(m.searchKey).toBe(memberSearchKey(m.fullName, m.studentCode));
      expect(m.nameSortKey).toBe(nameSortKey(m.fullName));
    }
    expect(withDiacritics / members.length).toBeGreaterThan(0.9);
    const family = members.map((m) => m.fullName.split(' ')[0]);
    const nguyen = family.filter((f) => f === 'Nguyễn').length / family.length;
    expect(nguyen).toBeGreaterThan(0.25);
    expect(nguyen).toBeLessThan(0.45);
    expect(new Set(members.map((m) => m.ethnicity)).size).toBeGreaterThanOrEqual(5);
    expect(members.filter((m) => m.ethnicity === 'Kinh').length / members.length).toBeGreaterThan(0.8);
  });

  it('keeps student codes unique within a school', () => {
    const keys = members.map((m) => `${m.schoolId.toHexString()}:${m.studentCode}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('validates against the Member schema', async () => {
    // validate() rejects with the first invalid path, which names the culprit.
    for (const m of members.slice(0, 600)) await new Member(m).validate();
  });

  it('labels every stage in both languages', () => {
    for (const s of [...PIPELINE_STAGES, ...EXIT_STAGES]) {
      expect(STAGE_LABELS[s].vi).toBeTruthy();
      expect(STAGE_LABELS[s].en).toBeTruthy();
    }
  });
});
