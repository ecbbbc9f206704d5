/**
 * The import preview's pure half (issue 18): the column mapping names every file column
 * and the field it feeds (STT, Điểm TB in a members file: ignored); a date written
 * right that names no day is "no such day", a malformed one still asks for dd/mm/yyyy;
 * a row equal to what is stored changes nothing; school year and course are read, and
 * a new member's course defaults to its branch's.
 */
import { describe, expect, it } from 'vitest';
import { IMPORT_MESSAGES, importProblemMessage } from '../../app/domain/import-messages.ts';
import {
  changedColumns,
  changedKeys,
  defaultCohort,
  memberPreviewValues,
  previewColumns,
} from '../../app/domain/import-preview.ts';
import { isDateShaped } from '../../app/domain/member-import/cells.ts';
import { rowsFromSheet } from '../../app/domain/member-import/sheet.ts';
import { validateMemberRows } from '../../app/domain/member-import/validate.ts';

const sheet = (rows: unknown[][]) => rows.map((cells, i) => ({ row: i + 1, cells: cells as never[] }));

describe('column mapping', () => {
  it('names each file column with the field it became, and unknown ones as ignored', () => {
    const parsed = rowsFromSheet(
      sheet([
        ['STT', 'MSSV', 'Họ tên', 'Ngày sinh', 'Điểm TB', 'Khoá', 'Năm học'],
        [1, 'SV1', 'Lê Văn Tám', '05/09/2005', '3,2', '2024', '2025-2026'],
      ]),
      'members',
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.mapping).toEqual([
      { column: 'STT', field: null },
      { column: 'MSSV', field: 'Mã sinh viên/học sinh' },
      { column: 'Họ tên', field: 'Họ và tên' },
      { column: 'Ngày sinh', field: 'Ngày sinh' },
      { column: 'Điểm TB', field: null },
      { column: 'Khoá', field: 'Khóa' },
      { column: 'Năm học', field: 'Năm học' },
    ]);
    const { records } = validateMemberRows(parsed.rows);
    expect(records[0]).toMatchObject({ schoolYear: '2025-2026', cohort: 2024 });
    // The table shows the mapped columns, school year and course, never a sensitive one.
    expect(previewColumns('members', [...parsed.mapping, { column: 'CCCD', field: 'Số CCCD' }])).toEqual([
      'Mã sinh viên/học sinh',
      'Họ và tên',
      'Ngày sinh',
      'Năm học',
      'Khóa',
    ]);
  });
});

describe('dates that name no day', () => {
  it('says "no such day" for 31/02/2005 and 2005-02-29, and asks for dd/mm/yyyy for text', () => {
    const rows = [
      { row: 2, values: { studentCode: 'A1', fullName: 'Lê Văn A', dateOfBirth: '31/02/2005' } },
      { row: 3, values: { studentCode: 'A2', fullName: 'Lê Văn B', dateOfBirth: '2005-02-29' } },
      { row: 4, values: { studentCode: 'A3', fullName: 'Lê Văn C', dateOfBirth: 'hôm qua' } },
      { row: 5, values: { studentCode: 'A4', fullName: 'Lê Văn D', dateOfBirth: '12/13/2005' } },
    ];
    const { problems } = validateMemberRows(rows);
    expect(problems.map((p) => [p.row, p.code])).toEqual([
      [2, 'date_no_such_day'],
      [3, 'date_no_such_day'],
      [4, 'date_invalid'],
      [5, 'date_invalid'],
    ]);
    expect(importProblemMessage(problems[0], 'vi')).toBe('Không có ngày này (31/02/2005).');
    expect(importProblemMessage(problems[0], 'en')).toBe('There is no such day (31/02/2005).');
    expect(importProblemMessage(problems[2], 'vi')).toBe(IMPORT_MESSAGES.vi.date_invalid);
    expect([isDateShaped('29/02/2023'), isDateShaped('1/1/2005'), isDateShaped('32/01/2005')]).toEqual([
      true,
      true,
      false,
    ]);
  });

  it('reports a bad school year and course', () => {
    const { problems } = validateMemberRows([
      {
        row: 2,
        values: { studentCode: 'A1', fullName: 'Lê Văn A', schoolYear: '2025-2027', cohort: 'K45' },
      },
    ]);
    expect(problems.map((p) => [p.column, p.code])).toEqual([
      ['Năm học', 'school_year_invalid'],
      ['Khóa', 'cohort_invalid'],
    ]);
  });
});

describe('unchanged rows', () => {
  const stored = {
    fullName: 'Lê Văn Tám',
    dateOfBirth: new Date(Date.UTC(2005, 8, 5)),
    branchId: { toString: () => '65f0c0ffee0000000000000a' },
    ancestors: [{ toString: () => 'a' }, { toString: () => 'b' }],
    'union.joinedAt': undefined,
    cohort: 2024,
  };

  it('finds no change when every value equals what is stored (dates by instant, ids by text)', () => {
    expect(
      changedKeys(stored, {
        fullName: 'Lê Văn Tám',
        dateOfBirth: new Date(Date.UTC(2005, 8, 5)),
        branchId: '65f0c0ffee0000000000000a',
        ancestors: ['a', 'b'],
        cohort: 2024,
      }),
    ).toEqual([]);
  });

  it('names what differs, as the file columns that set it', () => {
    const keys = changedKeys(stored, {
      fullName: 'Lê Văn Tám',
      dateOfBirth: new Date(Date.UTC(2005, 8, 6)),
      branchId: '65f0c0ffee0000000000000b',
      'union.joinedAt': new Date(Date.UTC(2021, 2, 26)),
      schoolYear: '2025-2026',
    });
    expect(keys).toEqual(['dateOfBirth', 'branchId', 'union.joinedAt', 'schoolYear']);
    expect(changedColumns('members', keys)).toEqual(['Ngày sinh', 'Chi đoàn', 'Ngày vào Đoàn', 'Năm học']);
  });

  it('shows a valid row as it will be written', () => {
    const { records } = validateMemberRows([
      {
        row: 2,
        values: {
          studentCode: 'A1',
          fullName: ' Lê  Văn   Tám ',
          dateOfBirth: '5/9/2005',
          gender: 'nu',
          expectedGraduation: '2027-06',
        },
      },
    ]);
    expect(memberPreviewValues(records[0], 'K45 Toán', { schoolYear: '2026-2027', cohort: 2024 })).toEqual({
      'Mã sinh viên/học sinh': 'A1',
      'Họ và tên': 'Lê Văn Tám',
      'Ngày sinh': '05/09/2005',
      'Giới tính': 'Nữ',
      'Chi đoàn': 'K45 Toán',
      'Dự kiến tốt nghiệp': '06/2027',
      'Năm học': '2026-2027',
      Khóa: '2024',
    });
  });
});

describe('a new member’s course', () => {
  it('is the course most of its branch has, else one starting this school year', () => {
    expect(defaultCohort([2023, 2024, 2024, 2022], '2026-2027')).toBe(2024);
    expect(defaultCohort([2023, 2024], '2026-2027')).toBe(2023);
    expect(defaultCohort([], '2026-2027')).toBe(2026);
  });
});
