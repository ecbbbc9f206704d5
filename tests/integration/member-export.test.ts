/**
 * Export against the embedded database, read back with exceljs and with a CSV
 * parser: same rows in the same order, diacritics intact, BOM present,
 * sensitive columns only when allowed, and a round trip through import.
 */
import ExcelJS from 'exceljs';
import mongoose, { Types } from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../app/domain/member-import/csv.ts';
import { memberSearchKey, nameSortKey } from '../../app/domain/text.ts';
import {
  csvField,
  exportMembers,
  exportMembersToBuffer,
  type ExportOptions,
} from '../../app/utils/members/member-export.server.ts';
import { dryRun } from '../../app/utils/members/member-import-dry-run.server.ts';
import { Member } from '../../models/member.ts';
import { Unit } from '../../models/unit.ts';
import { MEMBER_HEADER } from '../fixtures/member-sheet.ts';
import { provinceAndUniversity } from '../fixtures/units.ts';

const province = new Types.ObjectId();
const school = new Types.ObjectId();
const branch = new Types.ObjectId();
const otherSchool = new Types.ObjectId();
const NAMES = ['Nguyễn Thị Ánh', 'Đặng Văn Đức', 'Trần "Bé" Ngọc, Ấn', 'Lê Thị Ỷ Lan', '=HYPERLINK("x")'];

beforeAll(async () => {
  await mongoose.connection.dropDatabase();
  await Member.syncIndexes();
  await Unit.create([
    ...provinceAndUniversity(province, school),
    {
      _id: branch,
      name: 'Chi đoàn K21 Sư phạm Toán',
      code: 'PVD-K21',
      kind: 'branch',
      parentId: school,
      ancestors: [province, school],
      schoolKind: 'university',
      schoolId: school,
    },
    {
      _id: otherSchool,
      name: 'Trường THPT Lê Khiết',
      code: 'LK',
      kind: 'school',
      ancestors: [province],
      schoolKind: 'high_school',
      schoolId: otherSchool,
    },
  ]);
  const docs = Array.from({ length: 1200 }, (_, i) => {
    const fullName = i < NAMES.length ? NAMES[i] : `Phạm Văn Đạt ${String.fromCharCode(65 + (i % 26))}`;
    const studentCode = `SV${String(i).padStart(5, '0')}`;
    const inOther = i % 10 === 9;
    return {
      fullName,
      searchKey: memberSearchKey(fullName, studentCode),
      nameSortKey: nameSortKey(fullName),
      dateOfBirth: new Date(Date.UTC(2005, i % 12, (i % 28) + 1)),
      gender: i % 2 ? 'female' : 'male',
      studentCode,
      email: `sv${i}@pvd.edu.vn`,
      phone: `09${String(i).padStart(8, '0')}`,
      ethnicity: 'Kinh',
      religion: 'Không',
      citizenId: `0512050${String(i).padStart(5, '0')}`,
      schoolId: inOther ? otherSchool : school,
      branchId: inOther ? undefined : branch,
      ancestors: inOther ? [province, otherSchool] : [province, school, branch],
      schoolKind: inOther ? 'high_school' : 'university',
      union: { joinedAt: new Date(Date.UTC(2020, 2, 26)), cardNumber: `TD${i}` },
      pipeline: {
        stage: i % 3 ? 'member' : 'outstanding',
        stageSince: new Date(Date.UTC(2025, 8, 4, 20)),
        history: [],
      },
    };
  });
  await Member.insertMany(docs);
});

const scope = () => ({ ancestors: school });

async function expectedRows() {
  return Member.find(scope()).sort({ nameSortKey: 1, _id: 1 }).select('+citizenId').lean();
}

const dmy = (d: Date) =>
  `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;

describe('CSV export', () => {
  it('is UTF-8 with BOM, RFC 4180 quoted, the same rows in table order, no sensitive columns by default', async () => {
    const result = await exportMembersToBuffer({
      filter: scope(),
      format: 'csv',
      now: new Date(Date.UTC(2026, 10, 27, 20)),
    });
    expect(result.contentType).toBe('text/csv; charset=utf-8');
    // 20:00 UTC is already the next day in Vietnam.
    expect(result.filename).toBe('doan-vien-2026-11-28.csv');
    expect(result.body.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const parsed = parseCsv(result.body.toString('utf8'));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const [header, ...rows] = parsed.rows.map((r) => r.cells as string[]);
    expect(header).toEqual([
      ...MEMBER_HEADER.slice(0, 9),
      'Trường',
      'Giai đoạn',
      'Từ ngày',
      'Năm học',
      'Khóa',
    ]);
    expect(header).not.toContain('Số CCCD');
    const expected = await expectedRows();
    expect(rows).toHaveLength(expected.length);
    expect(rows.length).toBe(1080);
    expect(rows.map((r) => r[0])).toEqual(expected.map((m) => m.studentCode));
    const byCode = new Map(rows.map((r) => [r[0], r]));
    expect(byCode.get('SV00000')!.slice(0, 12)).toEqual([
      'SV00000',
      'Nguyễn Thị Ánh',
      '01/01/2005',
      'Nam',
      'sv0@pvd.edu.vn',
      '0900000000',
      'Chi đoàn K21 Sư phạm Toán',
      '26/03/2020',
      'TD0',
      'Trường Đại học Phạm Văn Đồng',
      'Đoàn viên ưu tú',
      '05/09/2025', // 20:00 UTC on 4/9 is 5/9 in Vietnam
    ]);
    expect(byCode.get('SV00002')![1]).toBe('Trần "Bé" Ngọc, Ấn');
    // A name that looks like a formula is neutralised.
    expect(byCode.get('SV00004')![1]).toBe(`'=HYPERLINK("x")`);
    expect(rows).toHaveLength(expected.length);
    for (const [i, r] of rows.entries()) expect(r[2], `row ${i}`).toBe(dmy(expected[i].dateOfBirth));
  });

  it('writes sensitive columns only when allowed', async () => {
    const asked = await exportMembersToBuffer({
      filter: scope(),
      format: 'csv',
      columns: ['studentCode', 'fullName', 'ethnicity', 'religion', 'citizenId'],
    });
    expect(asked.columns).toEqual(['studentCode', 'fullName']);
    expect(asked.body.toString('utf8')).not.toContain('0512050');
    const allowed = await exportMembersToBuffer({
      filter: scope(),
      format: 'csv',
      columns: ['studentCode', 'fullName', 'ethnicity', 'religion', 'citizenId'],
      includeSensitive: true,
    });
    expect(allowed.columns).toEqual(['studentCode', 'fullName', 'ethnicity', 'religion', 'citizenId']);
    const parsed = parseCsv(allowed.body.toString('utf8'));
    if (!parsed.ok) throw new Error('csv');
    expect(parsed.rows[0].cells).toEqual([
      'Mã sinh viên/học sinh',
      'Họ và tên',
      'Dân tộc',
      'Tôn giáo',
      'Số CCCD',
    ]);
    expect(parsed.rows[1].cells[4]).toMatch(/^0512050\d{5}$/);
  });

  it('quotes per RFC 4180', () => {
    expect(csvField('a,b', 'text')).toBe('"a,b"');
    expect(csvField('say "hi"', 'text')).toBe('"say ""hi"""');
    expect(csvField('line\nbreak', 'text')).toBe('"line\nbreak"');
    expect(csvField('+84912', 'text')).toBe(`'+84912`);
    expect(csvField(null, 'text')).toBe('');
    expect(csvField(3.5, 'number')).toBe('3.5');
  });
});

describe('xlsx export', () => {
  it('reads back with exceljs: same rows, Vietnamese headers, date cells shown dd/mm/yyyy', async () => {
    const result = exportMembers({
      filter: { ...scope(), 'pipeline.stage': 'outstanding' },
      sort: { studentCode: -1 },
      format: 'xlsx',
      includeSensitive: true,
      columns: ['studentCode', 'fullName', 'dateOfBirth', 'gender', 'branch', 'citizenId'],
      now: new Date(Date.UTC(2026, 10, 27, 3)),
    });
    expect(result.contentType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(result.filename).toBe('doan-vien-2026-11-27.xlsx');
    const chunks: Buffer[] = [];
    for await (const chunk of result.body) chunks.push(chunk as Buffer);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.concat(chunks) as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect(ws.name).toBe('Đoàn viên');
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual([
      'Mã sinh viên/học sinh',
      'Họ và tên',
      'Ngày sinh',
      'Giới tính',
      'Chi đoàn',
      'Số CCCD',
    ]);
    const expected = await Member.find({ ...scope(), 'pipeline.stage': 'outstanding' })
      .sort({ studentCode: -1 })
      .select('+citizenId')
      .lean();
    expect(ws.actualRowCount).toBe(expected.length + 1);
    expected.forEach((m, i) => {
      const row = ws.getRow(i + 2);
      expect(row.getCell(1).value).toBe(m.studentCode);
      expect(row.getCell(2).value).toBe(m.fullName);
      expect(row.getCell(3).value).toEqual(m.dateOfBirth);
      expect(row.getCell(3).numFmt).toBe('dd/mm/yyyy');
      expect(row.getCell(4).value).toBe(m.gender === 'male' ? 'Nam' : 'Nữ');
      expect(row.getCell(6).value).toBe(m.citizenId);
    });
    expect(ws.getRow(2).getCell(5).value).toBe('Chi đoàn K21 Sư phạm Toán');
  });

  it('speaks English when asked', async () => {
    const result = await exportMembersToBuffer({
      filter: scope(),
      format: 'xlsx',
      locale: 'en',
      columns: ['fullName', 'gender', 'stage'],
    });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(result.body as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(['Full name', 'Gender', 'Stage']);
    expect(['Male', 'Female']).toContain(ws.getRow(2).getCell(2).value);
    expect(['Union member', 'Outstanding member']).toContain(ws.getRow(2).getCell(3).value);
  });

  it('a database error surfaces as a stream error, for both formats', async () => {
    for (const format of ['csv', 'xlsx'] as const) {
      const filter = { fullName: mongoose.trusted({ $nosuchop: 1 }) } as unknown as ExportOptions['filter'];
      const bad = exportMembers({ filter, format });
      await expect(
        (async () => {
          for await (const chunk of bad.body) void chunk;
        })(),
        format,
      ).rejects.toThrow();
    }
  });

  it('an empty result is a header-only file', async () => {
    const result = await exportMembersToBuffer({
      filter: { ancestors: new Types.ObjectId() },
      format: 'xlsx',
    });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(result.body as unknown as ArrayBuffer);
    expect(wb.worksheets[0].actualRowCount).toBe(1);
  });

  it('round trip: an exported file imports back with nothing to change', async () => {
    const result = await exportMembersToBuffer({
      filter: scope(),
      format: 'xlsx',
      includeSensitive: true,
      columns: [
        'studentCode',
        'fullName',
        'dateOfBirth',
        'gender',
        'email',
        'phone',
        'branch',
        'unionJoinedAt',
        'unionCardNumber',
        'ethnicity',
        'religion',
        'citizenId',
      ],
    });
    const report = await dryRun({
      kind: 'members',
      schoolId: school,
      buffer: result.body,
      filename: result.filename,
    });
    // The two odd names planted in the data (inserted without the import's checks) are the only rows to fix.
    expect(report.problems.map((p) => p.value)).toEqual(['Trần "Bé" Ngọc, Ấn', '=HYPERLINK("x")']);
    expect(report.problems.every((p) => p.code === 'name_invalid')).toBe(true);
    expect(report.summary).toMatchObject({ rows: 1080, toCreate: 0, toUpdate: 0, unchanged: 1078 });
  });
});
