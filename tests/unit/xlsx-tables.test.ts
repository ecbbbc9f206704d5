import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { ReportTable } from '~/utils/reports/report-tables';
import { formatDateTime } from '~/i18n';
import { reportFilename, sheetName, tablesToXlsx } from '~/utils/xlsx-tables.server';

const TABLES: ReportTable[] = [
  {
    id: 'funnel',
    sheet: 'Phễu kết nạp',
    title: 'Phễu kết nạp theo giai đoạn',
    columns: ['Giai đoạn', 'Số đoàn viên', 'Tỉ lệ chuyển (%)'],
    rows: [
      [{ value: 'Đoàn viên ưu tú' }, { value: 1234, href: '/members?stage=outstanding' }, { value: 61.5 }],
      [{ value: 'Đã kết nạp' }, { value: 87, href: '/members?stage=admitted' }, { value: null }],
    ],
    note: 'Ô dưới 5 người được ẩn.',
  },
  {
    id: 'schools',
    sheet: 'Theo trường: tiến độ/chỉ tiêu?',
    title: 'Tiến độ theo trường',
    columns: ['Trường', 'Chỉ tiêu', 'Đã kết nạp'],
    rows: [[{ value: 'Trường Đại học Phạm Văn Đồng' }, { value: 20 }, { value: 12 }]],
  },
  // Same sheet name as the first, in other case: must be deduplicated.
  { id: 'dup', sheet: 'PHỄU KẾT NẠP', title: 'Bảng trùng tên', columns: ['A'], rows: [] },
  // Collides with the info sheet.
  {
    id: 'info',
    sheet: 'Thông tin',
    title: 'Bảng tên Thông tin',
    columns: ['A'],
    rows: [[{ value: '=1+1' }]],
  },
];

const GENERATED = new Date('2026-11-27T01:05:00Z'); // 08:05 in Vietnam

async function readBack(): Promise<ExcelJS.Workbook> {
  const buffer = await tablesToXlsx(TABLES, {
    title: 'Báo cáo kết nạp đảng viên',
    generatedAt: GENERATED,
    scopeName: 'Tỉnh đoàn Quảng Ngãi',
  });
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  return workbook;
}

describe('tablesToWorkbook', () => {
  it('writes the info sheet first, then one sheet per table with clean, unique names', async () => {
    const wb = await readBack();
    expect(wb.worksheets.map((s) => s.name)).toEqual([
      'Thông tin',
      'Phễu kết nạp',
      'Theo trường tiến độ chỉ tiêu',
      'PHỄU KẾT NẠP (2)',
      'Thông tin (2)',
    ]);
  });

  it('puts the title, scope and time generated (vi-VN, Vietnam time) on the info sheet', async () => {
    const info = (await readBack()).getWorksheet('Thông tin')!;
    expect(info.getCell('A1').value).toBe('Báo cáo kết nạp đảng viên');
    const facts = Object.fromEntries(
      [3, 4, 5].map((r) => [info.getRow(r).getCell(1).value, info.getRow(r).getCell(2).value]),
    );
    expect(facts['Phạm vi']).toBe('Tỉnh đoàn Quảng Ngãi');
    expect(facts['Thời điểm lập']).toBe('08:05 27/11/2026');
    // The list of sheets names each table.
    const listed: unknown[] = [];
    info.eachRow((row) => listed.push(row.getCell(2).value));
    expect(listed).toContain('Tiến độ theo trường');
  });

  it('writes a title row, a bold frozen header row with the Vietnamese names, and numbers as numbers', async () => {
    const sheet = (await readBack()).getWorksheet('Phễu kết nạp')!;
    expect(sheet.getCell('A1').value).toBe('Phễu kết nạp theo giai đoạn');
    expect(sheet.getCell('A1').font?.bold).toBe(true);
    const header = sheet.getRow(2);
    expect([1, 2, 3].map((c) => header.getCell(c).value)).toEqual([
      'Giai đoạn',
      'Số đoàn viên',
      'Tỉ lệ chuyển (%)',
    ]);
    expect(header.getCell(1).font?.bold).toBe(true);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });
    // Numbers are numbers, links are dropped (plain value), empty cells stay empty.
    expect(sheet.getCell('B3').value).toBe(1234);
    expect(sheet.getCell('C3').value).toBe(61.5);
    expect(sheet.getCell('B4').value).toBe(87);
    expect(sheet.getCell('C4').value).toBeNull();
    expect(sheet.getCell('B3').hyperlink).toBeUndefined();
    expect(sheet.getCell('A3').value).toBe('Đoàn viên ưu tú');
    // The note sits below the rows.
    expect(sheet.getCell('A6').value).toBe('Ô dưới 5 người được ẩn.');
    // Widths fit the longest text within bounds.
    expect(sheet.getColumn(1).width).toBeGreaterThanOrEqual('Đoàn viên ưu tú'.length);
    expect(sheet.getColumn(1).width).toBeLessThanOrEqual(60);
  });

  it('keeps text that looks like a formula as text, and says when a table is empty', async () => {
    const wb = await readBack();
    const cell = wb.getWorksheet('Thông tin (2)')!.getCell('A3');
    expect(cell.value).toBe('=1+1');
    expect(cell.formula).toBeUndefined();
    expect(wb.getWorksheet('PHỄU KẾT NẠP (2)')!.getCell('A3').value).toBe('Không có số liệu.');
  });
});

describe('sheetName', () => {
  it("follows Excel's rules", () => {
    const taken = new Set<string>();
    expect(sheetName('a'.repeat(40), taken)).toHaveLength(31);
    expect(sheetName('a'.repeat(40), taken)).toBe(`${'a'.repeat(27)} (2)`);
    expect(sheetName("'Quoted'", taken)).toBe('Quoted');
    expect(sheetName('[]:*?/\\', taken)).toBe('Sheet');
    expect(sheetName('History', taken)).toBe('History 1');
    expect(sheetName('sheet', taken)).toBe('sheet (2)');
  });
});

describe('names and dates', () => {
  it('dates the file name and the time generated in Vietnam time', () => {
    expect(reportFilename(new Date('2026-11-26T18:00:00Z'))).toBe('bao-cao-ket-nap-2026-11-27.xlsx');
    expect(formatDateTime(new Date('2026-11-26T18:00:00Z'), 'vi', { seconds: false })).toBe(
      '01:00 27/11/2026',
    );
    expect(formatDateTime('2026-11-26T18:00:05Z', 'vi')).toBe('01:00:05 27/11/2026');
    expect(formatDateTime('2026-11-26T18:00:05Z', 'en')).toBe('27/11/2026, 01:00:05');
  });
});
