/**
 * Reading and validating import files, without a database: header matching,
 * every row problem, CSV dialects, Excel cells, limits and hostile files.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDateCell } from '../../app/domain/member-import/cells.ts';
import { MEMBER_COLUMNS, RESULT_COLUMNS } from '../../app/domain/member-import/columns.ts';
import { parseCsv } from '../../app/domain/member-import/csv.ts';
import { matchHeaders, normalizeHeader } from '../../app/domain/member-import/headers.ts';
import {
  MAX_DATA_ROWS,
  ROW_PROBLEM_CODES,
  FILE_PROBLEM_CODES,
  type ImportProblem,
  type ImportRow,
} from '../../app/domain/member-import/types.ts';
import { validateMemberRows, validateResultRows } from '../../app/domain/member-import/validate.ts';
import { IMPORT_MESSAGES, formatImportProblem } from '../../app/domain/import-messages.ts';
import { parseImportFile } from '../../app/utils/members/member-import-file.server.ts';
import {
  GUIDE_SHEET_NAME,
  buildMembersTemplate,
  buildResultsTemplate,
} from '../../app/utils/members/member-import-template.server.ts';

const MEMBER_HEADERS = MEMBER_COLUMNS.map((c) => c.header);

async function xlsx(rows: unknown[][], sheetName = 'Đoàn viên'): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheetName);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function csv(rows: string[][], { sep = ',', bom = false, eol = '\r\n' } = {}): Buffer {
  const quote = (v: string) => (/[",;\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const text = rows.map((r) => r.map(quote).join(sep)).join(eol) + eol;
  return Buffer.from((bom ? '\uFEFF' : '') + text, 'utf8');
}

function memberRow(values: Record<string, unknown>): ImportRow['values'] {
  return values as ImportRow['values'];
}

const codes = (problems: ImportProblem[]) => problems.map((p) => p.code);

describe('headers', () => {
  it('match without diacritics, case, spaces or hints', () => {
    expect(normalizeHeader('MA SINH VIEN / HOC SINH')).toBe(normalizeHeader('Mã sinh viên/học sinh'));
    expect(normalizeHeader('Ngày sinh (dd/mm/yyyy)')).toBe(normalizeHeader('ngay sinh'));
    const { positions, problems } = matchHeaders(
      ['STT', 'ma sinh vien', 'HO VA TEN', 'ngay sinh', 'gioi tinh', 'Ghi chú', 'CHI DOAN', 'so cccd'],
      'members',
    );
    expect(problems).toEqual([]);
    expect(Object.fromEntries(positions)).toEqual({
      studentCode: 1,
      fullName: 2,
      dateOfBirth: 3,
      gender: 4,
      branch: 6,
      citizenId: 7,
    });
  });

  it('report every missing required header by name', () => {
    const { problems } = matchHeaders(['Ngày sinh', 'Email'], 'members');
    expect(problems).toEqual([
      { row: 1, code: 'missing_header', params: { headers: 'Mã sinh viên/học sinh, Họ và tên' } },
    ]);
  });

  it('report a column given twice', () => {
    const { problems } = matchHeaders(['Mã SV', 'Họ tên', 'Mã học sinh'], 'members');
    expect(codes(problems)).toEqual(['duplicate_header']);
  });

  it('accept the results aliases', () => {
    const { problems, positions } = matchHeaders(
      ['MSSV', 'Nam hoc', 'HK', 'Thang diem', 'DTB', 'DRL', 'Hanh kiem', 'Hoc luc'],
      'results',
    );
    expect(problems).toEqual([]);
    expect(positions.size).toBe(8);
  });
});

describe('member rows', () => {
  const good = {
    studentCode: '2101010001',
    fullName: '  Nguyễn   Thị Ánh ',
    dateOfBirth: '15/03/2006',
    gender: 'nữ',
    email: 'Anh.NT@Example.edu.vn',
    phone: '+84 912 345 678',
    branch: 'K21 Toán',
    unionJoinedAt: '26/03/2021',
    unionCardNumber: '0123',
    ethnicity: 'Kinh',
    religion: 'Không',
    citizenId: '051206001234',
  };

  it('turn a good row into a typed record', () => {
    const { records, problems } = validateMemberRows([{ row: 2, values: memberRow(good) }]);
    expect(problems).toEqual([]);
    expect(records[0]).toMatchObject({
      row: 2,
      studentCode: '2101010001',
      fullName: 'Nguyễn Thị Ánh',
      dateOfBirth: new Date(Date.UTC(2006, 2, 15)),
      gender: 'female',
      email: 'anh.nt@example.edu.vn',
      phone: '0912345678',
      citizenId: '051206001234',
    });
  });

  it('report every problem of every row, with row, column, code and value', () => {
    const rows: ImportRow[] = [
      { row: 2, values: memberRow({ ...good, studentCode: '', fullName: 'Nguyễn 2' }) },
      { row: 3, values: memberRow({ ...good, studentCode: 'A 1', dateOfBirth: '31/02/2005', gender: 'x' }) },
      {
        row: 4,
        values: memberRow({ ...good, studentCode: 'B2', email: 'no-at', phone: '12345', citizenId: '1234' }),
      },
      {
        row: 5,
        values: memberRow({
          ...good,
          studentCode: 'B3',
          dateOfBirth: '01/01/2999',
          unionJoinedAt: 'hôm qua',
        }),
      },
      { row: 6, values: memberRow({ ...good, studentCode: 'B4', unionJoinedAt: '01/01/2005' }) },
      { row: 7, values: memberRow({ ...good, studentCode: 'B4' }) },
      {
        row: 8,
        values: memberRow({
          ...good,
          studentCode: 'B5',
          fullName: 'A'.repeat(101),
          religion: 'x'.repeat(51),
        }),
      },
    ];
    const { records, problems } = validateMemberRows(rows);
    expect(records).toEqual([]);
    // [row, column, code, value, params]: each problem reported exactly so.
    const expected: [number, string, string, string?, object?][] = [
      [2, 'Mã sinh viên/học sinh', 'required'],
      [2, 'Họ và tên', 'name_invalid', 'Nguyễn 2'],
      [3, 'Mã sinh viên/học sinh', 'code_invalid', 'A 1'],
      [3, 'Ngày sinh', 'date_no_such_day', '31/02/2005', { date: '31/02/2005' }],
      [3, 'Giới tính', 'gender_invalid', 'x'],
      [4, 'Email', 'email_invalid', 'no-at'],
      [4, 'Số điện thoại', 'phone_invalid', '12345'],
      [4, 'Số CCCD', 'citizen_id_invalid', '1234'],
      [5, 'Ngày sinh', 'date_out_of_range', '01/01/2999'],
      [5, 'Ngày vào Đoàn', 'date_invalid', 'hôm qua'],
      [6, 'Ngày vào Đoàn', 'join_before_birth', '01/01/2005'],
      [7, 'Mã sinh viên/học sinh', 'duplicate_code', 'B4', { firstRow: 6 }],
    ];
    for (const [row, column, code, value, params] of expected) {
      expect(problems).toContainEqual({
        row,
        column,
        code,
        ...(value === undefined ? {} : { value }),
        ...(params ? { params } : {}),
      });
    }
    expect(problems).toContainEqual(
      expect.objectContaining({ row: 8, column: 'Họ và tên', code: 'text_too_long', params: { max: 100 } }),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({ row: 8, column: 'Tôn giáo', code: 'text_too_long' }),
    );
    // Sorted like the sheet: by row, then by column.
    const order = problems.map((p) => p.row!);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('accept Excel cells: date cells, serials, number cells that lost leading zeros', () => {
    const { records, problems } = validateMemberRows([
      {
        row: 2,
        values: memberRow({
          ...good,
          studentCode: 2101010001,
          dateOfBirth: new Date(Date.UTC(2006, 2, 15)),
          unionJoinedAt: 44281, // 26/03/2021 as an unformatted serial
          phone: 912345678,
          citizenId: 51206001234,
        }),
      },
    ]);
    expect(problems).toEqual([]);
    expect(records[0]).toMatchObject({
      studentCode: '2101010001',
      dateOfBirth: new Date(Date.UTC(2006, 2, 15)),
      unionJoinedAt: new Date(Date.UTC(2021, 2, 26)),
      phone: '0912345678',
      citizenId: '051206001234',
    });
  });
});

describe('dates', () => {
  it.each([
    ['29/02/2024', Date.UTC(2024, 1, 29)],
    ['1/9/2006', Date.UTC(2006, 8, 1)],
    ['01-09-2006', Date.UTC(2006, 8, 1)],
    ['2006-09-01', Date.UTC(2006, 8, 1)],
  ])('%s is a date', (text, time) => {
    expect(parseDateCell(text)?.getTime()).toBe(time);
  });
  it.each(['29/02/2023', '31/02/2005', '31/04/2006', '00/01/2006', '12/13/2006', '2006', 'abc', '1/1/06'])(
    '%s is not',
    (text) => {
      expect(parseDateCell(text)).toBeNull();
    },
  );
  it('drops the time of day of a date cell', () => {
    expect(parseDateCell(new Date(Date.UTC(2006, 8, 1, 13, 30)))?.getTime()).toBe(Date.UTC(2006, 8, 1));
  });
});

describe('result rows', () => {
  const good = {
    studentCode: 'SV1',
    schoolYear: '2024-2025',
    term: 1,
    scale: 4,
    gpa: '3,45',
    conductScore: 85,
  };

  it('parse a good row (decimal comma, en dash)', () => {
    const { records, problems } = validateResultRows([
      { row: 2, values: memberRow(good) },
      { row: 3, values: memberRow({ ...good, schoolYear: '2024 – 2025', term: 'HK2', gpa: 3.2 }) },
    ]);
    expect(problems).toEqual([]);
    expect(records[0]).toMatchObject({
      schoolYear: '2024-2025',
      term: 1,
      scale: 4,
      gpa: 3.45,
      conductScore: 85,
    });
    expect(records[1]).toMatchObject({ schoolYear: '2024-2025', term: 2 });
  });

  it('report every result problem', () => {
    const { records, problems } = validateResultRows([
      { row: 2, values: memberRow({ ...good, schoolYear: '2024-2026', term: 4, scale: 5 }) },
      { row: 3, values: memberRow({ ...good, studentCode: 'SV3', gpa: 4.5 }) },
      { row: 4, values: memberRow({ ...good, studentCode: 'SV4', gpa: 'tám', conductScore: 120 }) },
      { row: 5, values: memberRow({ ...good, studentCode: 'SV5', scale: null }) },
      {
        row: 6,
        values: memberRow({ studentCode: 'SV2', schoolYear: '2024-2025', term: 1, conductRating: 'Giỏi' }),
      },
      { row: 7, values: memberRow({ studentCode: 'SV7', schoolYear: '2024-2025', term: 1 }) },
      { row: 8, values: memberRow({ ...good, studentCode: 'SV9' }) },
      { row: 9, values: memberRow({ ...good, studentCode: 'SV9', gpa: 3 }) },
    ]);
    expect(records.map((r) => r.row)).toEqual([8]);
    expect(problems).toEqual([
      { row: 2, column: 'Năm học', code: 'school_year_invalid', value: '2024-2026' },
      { row: 2, column: 'Học kỳ', code: 'term_invalid', value: '4' },
      { row: 2, column: 'Thang điểm', code: 'scale_invalid', value: '5' },
      { row: 3, column: 'Điểm TB', code: 'gpa_out_of_range', value: '4.5', params: { max: 4 } },
      { row: 4, column: 'Điểm TB', code: 'number_invalid', value: 'tám' },
      { row: 4, column: 'Điểm rèn luyện', code: 'conduct_score_out_of_range', value: '120' },
      { row: 5, column: 'Thang điểm', code: 'required' },
      { row: 6, column: 'Hạnh kiểm / Kết quả rèn luyện', code: 'rating_invalid', value: 'Giỏi' },
      { row: 7, code: 'result_empty' },
      { row: 9, code: 'duplicate_term', params: { firstRow: 8, year: '2024-2025', term: 1 } },
    ]);
  });
});

describe('CSV', () => {
  it('parses quoted fields, doubled quotes and newlines inside quotes', () => {
    const result = parseCsv('a,b,c\r\n"x, y","say ""hi""","line1\nline2"\r\n1,,3');
    expect(result).toEqual({
      ok: true,
      rows: [
        { row: 1, cells: ['a', 'b', 'c'] },
        { row: 2, cells: ['x, y', 'say "hi"', 'line1\nline2'] },
        { row: 3, cells: ['1', '', '3'] },
      ],
    });
  });

  it('reports an unclosed quote', () => {
    expect(parseCsv('a,b\n"x,y\n')).toMatchObject({
      ok: false,
      problems: [{ code: 'malformed_csv', row: 2 }],
    });
  });

  it('reads a UTF-8 CSV with BOM and ; separators, diacritics intact', async () => {
    const buffer = csv(
      [
        ['Mã sinh viên', 'Họ và tên', 'Ngày sinh', 'Giới tính', 'Email'],
        ['SV1', 'Trần Thị Ngọc Ánh', '05/09/2006', 'Nữ', 'a@b.vn'],
        ['SV2', 'Đặng; Văn "Đức"', '05/09/2006', 'Nam', ''],
      ],
      { sep: ';', bom: true },
    );
    expect(buffer.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const parsed = await parseImportFile(buffer, 'ds.csv', 'members');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.rows.map((r) => r.values.fullName)).toEqual(['Trần Thị Ngọc Ánh', 'Đặng; Văn "Đức"']);
    expect(parsed.rows[0].row).toBe(2);
  });

  it('reads a CSV with , separators, no BOM and LF line ends', async () => {
    const buffer = csv(
      [
        ['Mã sinh viên/học sinh', 'Họ và tên'],
        ['SV1', 'Lê Văn Tám'],
      ],
      { eol: '\n' },
    );
    const parsed = await parseImportFile(buffer, 'ds.csv', 'members');
    expect(parsed).toMatchObject({
      ok: true,
      rows: [{ row: 2, values: { studentCode: 'SV1', fullName: 'Lê Văn Tám' } }],
    });
  });

  it('refuses a CSV that is not UTF-8 (Windows-1258 / Latin-1)', async () => {
    const latin1 = Buffer.from('Mã sinh viên,Họ và tên\nSV1,Lê\n', 'latin1');
    expect(await parseImportFile(latin1, 'ds.csv', 'members')).toMatchObject({
      ok: false,
      problems: [{ code: 'not_spreadsheet' }],
    });
  });
});

describe('xlsx', () => {
  it('reads Excel date cells, rich text, formulas and hyperlinks; skips blank rows but keeps row numbers', async () => {
    const buffer = await xlsx([
      ['Mã sinh viên/học sinh', 'Họ và tên', 'Ngày sinh', 'Email', 'Ghi chú'],
      [
        'SV1',
        { richText: [{ text: 'Nguyễn ' }, { font: { bold: true }, text: 'Văn A' }] },
        new Date(Date.UTC(2006, 0, 31)),
        { text: 'a@b.vn', hyperlink: 'mailto:a@b.vn' },
        'x',
      ],
      [],
      [
        'SV2',
        'Phạm Thị B',
        { formula: 'DATE(2006,2,1)', result: new Date(Date.UTC(2006, 1, 1)) },
        null,
        null,
      ],
    ]);
    const parsed = await parseImportFile(buffer, 'ds.xlsx', 'members');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.rows.map((r) => r.row)).toEqual([2, 4]);
    const { records, problems } = validateMemberRows(parsed.rows);
    expect(problems).toEqual([]);
    expect(records[0]).toMatchObject({
      fullName: 'Nguyễn Văn A',
      dateOfBirth: new Date(Date.UTC(2006, 0, 31)),
      email: 'a@b.vn',
    });
    expect(records[1].dateOfBirth).toEqual(new Date(Date.UTC(2006, 1, 1)));
  });

  it('finds the header under a title block and reports real row numbers', async () => {
    const buffer = await xlsx([
      ['DANH SÁCH ĐOÀN VIÊN'],
      ['Năm học 2025-2026'],
      ['Mã SV', 'Họ tên', 'Ngày sinh'],
      ['SV1', 'Lê Văn Tám', '31/02/2005'],
    ]);
    const parsed = await parseImportFile(buffer, 'ds.xlsx', 'members');
    expect(parsed).toMatchObject({ ok: true, headerRow: 3 });
    if (!parsed.ok) return;
    expect(validateMemberRows(parsed.rows).problems).toEqual([
      {
        row: 4,
        column: 'Ngày sinh',
        code: 'date_no_such_day',
        value: '31/02/2005',
        params: { date: '31/02/2005' },
      },
    ]);
  });

  it('reports missing headers with their names', async () => {
    const parsed = await parseImportFile(
      await xlsx([
        ['Họ và tên', 'Ngày sinh'],
        ['A', '01/01/2006'],
      ]),
      'a.xlsx',
      'members',
    );
    expect(parsed).toEqual({
      ok: false,
      problems: [{ row: 1, code: 'missing_header', params: { headers: 'Mã sinh viên/học sinh' } }],
    });
  });

  it('rejects 20,001 data rows and accepts 20,000', async () => {
    const header = ['Mã sinh viên/học sinh', 'Họ và tên'];
    const lines = (n: number) => [header, ...Array.from({ length: n }, (_, i) => [`SV${i}`, 'Lê Văn Tám'])];
    const tooMany = await parseImportFile(csv(lines(MAX_DATA_ROWS + 1)), 'big.csv', 'members');
    expect(tooMany).toEqual({
      ok: false,
      problems: [{ code: 'too_many_rows', params: { max: 20_000, rows: 20_001 } }],
    });
    const justRight = await parseImportFile(csv(lines(MAX_DATA_ROWS)), 'big.csv', 'members');
    expect(justRight.ok && justRight.rows.length).toBe(MAX_DATA_ROWS);
    const tooManyXlsx = await parseImportFile(await xlsx(lines(MAX_DATA_ROWS + 1)), 'big.xlsx', 'members');
    expect(tooManyXlsx).toMatchObject({ ok: false, problems: [{ code: 'too_many_rows' }] });
  }, 60_000);

  it('reports an empty file and a header without data', async () => {
    expect(await parseImportFile(Buffer.alloc(0), 'a.csv', 'members')).toEqual({
      ok: false,
      problems: [{ code: 'empty' }],
    });
    expect(await parseImportFile(csv([['Mã SV', 'Họ tên']]), 'a.csv', 'members')).toEqual({
      ok: false,
      problems: [{ code: 'empty' }],
    });
    expect(await parseImportFile(await xlsx([]), 'a.xlsx', 'members')).toEqual({
      ok: false,
      problems: [{ code: 'empty' }],
    });
  });
});

describe('not a spreadsheet', () => {
  const notSpreadsheet = { ok: false, problems: [expect.objectContaining({ code: 'not_spreadsheet' })] };

  it('refuses a PDF, a PNG, an old .xls, a .docx-like zip and a truncated xlsx', async () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(2000)]);
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      randomBytes(500),
    ]);
    const xls = Buffer.concat([
      Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
      Buffer.alloc(1000),
    ]);
    const good = await buildMembersTemplate();
    const truncated = good.subarray(0, Math.floor(good.length / 2));
    for (const [buffer, name] of [
      [pdf, 'a.pdf'],
      [png, 'a.xlsx'],
      [xls, 'a.xls'],
      [truncated, 'a.xlsx'],
    ] as const) {
      expect(await parseImportFile(buffer, name, 'members'), name).toMatchObject(notSpreadsheet);
    }
  });

  it('never throws on random bytes or damaged xlsx (fuzz)', async () => {
    const template = await buildMembersTemplate();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 3000 }).map((a) => Buffer.from(a)),
          // A ZIP header on random bytes.
          fc
            .uint8Array({ maxLength: 3000 })
            .map((a) => Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.from(a)])),
          // The real template cut anywhere.
          fc.integer({ min: 0, max: template.length - 1 }).map((n) => template.subarray(0, n)),
          // The real template with a few bytes flipped.
          fc
            .array(
              fc.tuple(fc.integer({ min: 0, max: template.length - 1 }), fc.integer({ min: 0, max: 255 })),
              { maxLength: 8 },
            )
            .map((edits) => {
              const copy = Buffer.from(template);
              for (const [at, byte] of edits) copy[at] = byte;
              return copy;
            }),
          fc.string({ maxLength: 500 }).map((s) => Buffer.from(s, 'utf8')),
        ),
        fc.constantFrom('a.xlsx', 'a.csv', 'a'),
        fc.constantFrom('members' as const, 'results' as const),
        async (buffer, name, kind) => {
          const result = await parseImportFile(buffer, name, kind);
          if (result.ok) {
            expect(Array.isArray(result.rows)).toBe(true);
          } else {
            expect(result.problems.length).toBeGreaterThan(0);
            for (const p of result.problems) expect(FILE_PROBLEM_CODES).toContain(p.code);
          }
        },
      ),
      { numRuns: 150 },
    );
  }, 60_000);
});

describe('templates', () => {
  it('members template: headers, one example row that validates, and the guide sheet', async () => {
    const buffer = await buildMembersTemplate();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buffer as unknown as ArrayBuffer);
    const [data, guide] = wb.worksheets;
    expect((data.getRow(1).values as unknown[]).slice(1)).toEqual(MEMBER_HEADERS);
    expect(data.actualRowCount).toBe(2);
    expect(guide.name).toBe(GUIDE_SHEET_NAME);
    expect(guide.getCell('A2').value).toBe('Mã sinh viên/học sinh');
    const parsed = await parseImportFile(buffer, 'mau.xlsx', 'members');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(validateMemberRows(parsed.rows).problems).toEqual([]);
  });

  it('results template parses and its example row validates', async () => {
    const buffer = await buildResultsTemplate();
    const parsed = await parseImportFile(buffer, 'mau.xlsx', 'results');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.rows[0].values).toMatchObject({ studentCode: '2101010001', schoolYear: '2024-2025' });
    expect(validateResultRows(parsed.rows).problems).toEqual([]);
    expect(RESULT_COLUMNS.length).toBe(8);
  });
});

describe('messages', () => {
  it('have Vietnamese and English texts for every code', () => {
    for (const code of [...FILE_PROBLEM_CODES, ...ROW_PROBLEM_CODES]) {
      expect(IMPORT_MESSAGES.vi[code], code).toBeTruthy();
      expect(IMPORT_MESSAGES.en[code], code).toBeTruthy();
    }
    expect(Object.keys(IMPORT_MESSAGES.vi).sort()).toEqual(Object.keys(IMPORT_MESSAGES.en).sort());
  });

  it('fill placeholders and say where', () => {
    const problem: ImportProblem = { row: 7, column: 'Ngày sinh', code: 'date_invalid', value: '31/02/2005' };
    expect(formatImportProblem(problem, 'vi')).toBe(
      'Dòng 7, cột Ngày sinh (31/02/2005): Ngày không hợp lệ; ghi theo dạng dd/mm/yyyy (ví dụ 05/09/2006).',
    );
    expect(
      formatImportProblem(
        { row: 9, column: 'Mã sinh viên/học sinh', code: 'duplicate_code', params: { firstRow: 3 } },
        'en',
      ),
    ).toBe('Row 9, column Mã sinh viên/học sinh: Same code as row 3.');
    expect(
      formatImportProblem({ code: 'not_for_school_kind', params: { schoolKind: 'high_school' } }, 'vi'),
    ).toBe('Cột này không dùng cho trường THPT.');
  });
});

describe('static fixtures', () => {
  it('reads the sample CSV exported by Excel (semicolons, BOM, CRLF)', async () => {
    const buffer = readFileSync(new URL('../fixtures/import/members-excel-vn.csv', import.meta.url));
    const parsed = await parseImportFile(buffer, 'members-excel-vn.csv', 'members');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const { records, problems } = validateMemberRows(parsed.rows);
    expect(problems).toEqual([]);
    expect(records.map((r) => r.fullName)).toEqual(['Huỳnh Thị Ngọc Ánh', 'Đinh Văn Đức']);
  });
});
