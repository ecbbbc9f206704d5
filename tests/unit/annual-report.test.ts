/**
 * The annual report's figures (sums per kind and in total, achievement against targets,
 * bottlenecks) and its content (sections, tables with totals, no personal names).
 */
import { describe, expect, it } from 'vitest';
import { annualFigures, type SchoolTally, type StageTally } from '../../app/domain/annual-report.ts';
import {
  buildAnnualReport,
  isTableBlock,
  type ReportIssuer,
  type TableBlock,
} from '../../app/domain/documents/index.ts';

const school = (o: Partial<SchoolTally> & Pick<SchoolTally, 'id' | 'name' | 'kind'>): SchoolTally => ({
  members: 0,
  selected: 0,
  admitted: 0,
  official: 0,
  open: 0,
  overdue: 0,
  target: null,
  ...o,
});

const tallies: SchoolTally[] = [
  school({
    id: 'h',
    name: 'Trường THPT chuyên Lê Khiết',
    kind: 'high_school',
    members: 900,
    selected: 6,
    admitted: 4,
    target: 5,
    open: 7,
    overdue: 1,
  }),
  school({
    id: 'u2',
    name: 'Trường Đại học Tài chính – Kế toán',
    kind: 'university',
    members: 1200,
    selected: 20,
    admitted: 12,
    official: 3,
    target: 10,
    open: 30,
    overdue: 2,
  }),
  school({
    id: 'u1',
    name: 'Trường Đại học Phạm Văn Đồng',
    kind: 'university',
    members: 1500,
    selected: 30,
    admitted: 15,
    official: 9,
    target: 20,
    open: 40,
  }),
  school({
    id: 'c',
    name: 'Trường Cao đẳng Kỹ thuật Công nghiệp Quảng Ngãi',
    kind: 'college',
    members: 400,
    selected: 3,
    admitted: 2,
    open: 5,
  }),
];
const stages: StageTally[] = [
  { schoolId: 'u2', stage: 'dossier', open: 12, overdue: 2, oldestDue: '2026-03-02' },
  { schoolId: 'u1', stage: 'dossier', open: 10, overdue: 0, oldestDue: null },
  { schoolId: 'u1', stage: 'branch_vote', open: 30, overdue: 0, oldestDue: null },
  { schoolId: 'h', stage: 'outstanding', open: 7, overdue: 1, oldestDue: '2026-05-04' },
];

describe('annualFigures', () => {
  const f = annualFigures(2026, tallies, stages);

  it('orders schools by kind (university, college, upper-secondary), then by name', () => {
    expect(f.schools.map((s) => s.id)).toEqual(['u1', 'u2', 'c', 'h']);
  });

  it('adds up each kind and the total; achievement counts only the schools with a target', () => {
    const uni = f.kinds.find((k) => k.kind === 'university')!;
    expect(uni).toMatchObject({
      schools: 2,
      members: 2700,
      selected: 50,
      admitted: 27,
      official: 12,
      target: 30,
    });
    expect(uni.achievement).toBeCloseTo(0.9);
    const college = f.kinds.find((k) => k.kind === 'college')!;
    expect(college.target).toBeNull();
    expect(college.achievement).toBeNull();
    expect(f.total).toMatchObject({
      schools: 4,
      members: 4000,
      selected: 59,
      admitted: 33,
      official: 12,
      overdue: 3,
      target: 35,
    });
    // 31 admitted at the three schools with targets, over 35: the college's 2 do not count.
    expect(f.total.achievement).toBeCloseTo(31 / 35);
  });

  it('splits students of universities and colleges from upper-secondary pupils', () => {
    expect(f.students).toEqual({ higher: 3100, upperSecondary: 900 });
  });

  it('lists the schools below target, furthest behind first', () => {
    expect(f.belowTarget).toEqual([
      { name: 'Trường Đại học Phạm Văn Đồng', admitted: 15, target: 20 },
      { name: 'Trường THPT chuyên Lê Khiết', admitted: 4, target: 5 },
    ]);
  });

  it('ranks stages by overdue, then waiting; overdue per school and stage, most first', () => {
    expect(f.stages.map((s) => [s.stage, s.open, s.overdue])).toEqual([
      ['dossier', 22, 2],
      ['outstanding', 7, 1],
      ['branch_vote', 30, 0],
    ]);
    expect(f.overdue.map((o) => [o.school, o.count])).toEqual([
      ['Trường Đại học Tài chính – Kế toán', 2],
      ['Trường THPT chuyên Lê Khiết', 1],
    ]);
  });

  it('with no target anywhere, the total has none', () => {
    const g = annualFigures(
      2026,
      tallies.map((t) => ({ ...t, target: null })),
      [],
    );
    expect(g.total.target).toBeNull();
    expect(g.total.achievement).toBeNull();
    expect(g.belowTarget).toEqual([]);
  });
});

const issuer: ReportIssuer = {
  level: 'province',
  heading: { superior: null, name: 'BCH ĐOÀN TỈNH QUẢNG NGÃI' },
  symbol: 'TĐTN',
  authority: 'TM. BAN THƯỜNG VỤ',
  position: 'BÍ THƯ',
  signer: null,
  place: 'Quảng Ngãi',
  scopeName: 'tỉnh Quảng Ngãi',
};

describe('buildAnnualReport', () => {
  const doc = buildAnnualReport(annualFigures(2026, tallies, stages), issuer, '2026-12-07');
  const text = doc.body.map((b) => (isTableBlock(b) ? '' : b.runs.map((r) => r.text).join(''))).join('\n');
  const tables = doc.body.filter(isTableBlock) as TableBlock[];

  it('has the official regions: Union motto, number for the clerk, place and date, title, recipients, signature', () => {
    expect(doc.motto).toBe('ĐOÀN TNCS HỒ CHÍ MINH');
    expect(doc.number).toBe('Số ……-BC/TĐTN');
    expect(doc.placeDate).toBe('Quảng Ngãi, ngày 07 tháng 12 năm 2026');
    expect(doc.title).toBe('BÁO CÁO');
    expect(doc.summary).toContain('năm 2026');
    expect(doc.recipients.at(-1)).toMatch(/^- Lưu/);
    expect(doc.signature).toEqual({ authority: 'TM. BAN THƯỜNG VỤ', position: 'BÍ THƯ', name: null });
  });

  it("states the article's figures in the text", () => {
    expect(text).toContain('4 trường (2 trường đại học, 1 trường cao đẳng, 1 trường trung học phổ thông)');
    expect(text).toContain(
      '3.100 đoàn viên là sinh viên các trường đại học, cao đẳng và 900 đoàn viên là học sinh trung học phổ thông',
    );
    expect(text).toContain('giới thiệu 59 đoàn viên ưu tú');
    expect(text).toContain(
      '33 đoàn viên ưu tú là học sinh, sinh viên được kết nạp vào Đảng, đạt 88,6% chỉ tiêu được giao (35 đảng viên)',
    );
    expect(text).toContain('12 đảng viên trẻ được công nhận đảng viên chính thức');
    expect(text).toContain('Trường Đại học Phạm Văn Đồng (15/20)');
    expect(text).toContain('“Lập hồ sơ” với 22 hồ sơ, trong đó 2 hồ sơ quá hạn');
  });

  it('has tables by kind, by school and of overdue records, each with its totals row', () => {
    expect(tables).toHaveLength(3);
    const [kinds, schools, overdue] = tables;
    expect(kinds.rows.map((r) => r[0])).toEqual(['Đại học', 'Cao đẳng', 'Trung học phổ thông']);
    expect(kinds.totals).toEqual(['Tổng cộng', '4', '4.000', '59', '33', '35', '88,6%', '12']);
    expect(schools.rows[0]).toEqual(['1', 'Trường Đại học Phạm Văn Đồng', '30', '15', '20', '75%', '9', '0']);
    expect(schools.rows[2][4]).toBe('–');
    // Ten times the target: Vietnamese thousands in the share too.
    const ahead = buildAnnualReport(
      annualFigures(2026, [{ ...tallies[0], admitted: 50, target: 5 }], []),
      issuer,
      '2026-12-07',
    ).body.filter(isTableBlock)[0];
    expect(ahead.totals![6]).toBe('1.000%');
    expect(overdue.rows[0]).toEqual([
      '1',
      'Trường Đại học Tài chính – Kế toán',
      'Lập hồ sơ',
      '2',
      '02/03/2026',
    ]);
    for (const t of tables) for (const r of [...t.rows, t.totals!]) expect(r).toHaveLength(t.columns.length);
  });

  it('is NFC throughout', () => {
    const decomposed = buildAnnualReport(
      annualFigures(2026, tallies, []),
      { ...issuer, place: 'Quảng Ngãi'.normalize('NFD') },
      '2026-12-07',
    );
    expect(decomposed.placeDate).toBe(decomposed.placeDate.normalize('NFC'));
  });

  it("a school's own version names the school's members and its Union, not a province's kinds", () => {
    const own = buildAnnualReport(
      annualFigures(
        2026,
        [tallies[2]],
        stages.filter((t) => t.schoolId === 'u1'),
      ),
      {
        ...issuer,
        level: 'school',
        heading: { superior: 'BCH ĐOÀN TỈNH QUẢNG NGÃI', name: 'BCH ĐOÀN TRƯỜNG ĐẠI HỌC PHẠM VĂN ĐỒNG' },
        symbol: 'ĐTN',
        scopeName: 'Trường Đại học Phạm Văn Đồng',
      },
      '2026-12-07',
    );
    const ownText = own.body
      .map((b) => (isTableBlock(b) ? '' : b.runs.map((r) => r.text).join('')))
      .join('\n');
    expect(own.number).toBe('Số ……-BC/ĐTN');
    expect(ownText).toContain(
      'Năm 2026, Trường Đại học Phạm Văn Đồng có 1.500 đoàn viên là sinh viên đang được theo dõi trên hệ thống.',
    );
    expect(ownText).toContain('Đoàn trường đã giới thiệu 30 đoàn viên ưu tú');
    expect(ownText).not.toContain('trung học phổ thông');
    expect(own.recipients[0]).toBe('- Ban Thường vụ Tỉnh đoàn (b/c);');
  });
});
