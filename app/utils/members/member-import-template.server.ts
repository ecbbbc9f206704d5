/**
 * The import templates (.xlsx): the data sheet with its header row, one example row and
 * drop-down lists, and the "Hướng dẫn" sheet that explains every column.
 */
import ExcelJS from 'exceljs';
import { columnsOf } from '~/domain/member-import/columns.ts';
import { MAX_DATA_ROWS, type ImportKind } from '~/domain/member-import/types.ts';

export const GUIDE_SHEET_NAME = 'Hướng dẫn';
const DATA_SHEET_NAME: Record<ImportKind, string> = { members: 'Đoàn viên', results: 'Kết quả học tập' };

async function buildTemplate(kind: ImportKind): Promise<Buffer> {
  const columns = columnsOf(kind);
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Đoàn viên ưu tú';
  const sheet = workbook.addWorksheet(DATA_SHEET_NAME[kind], { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({
    header: c.header,
    key: c.key,
    width: Math.max(14, c.header.length + 4),
    // Text format keeps leading zeros (codes, phones, CCCD) and stops Excel reading 05/09 as a US date.
    style: c.text ? { numFmt: '@' } : {},
  }));
  sheet.getRow(1).font = { bold: true };
  const example = sheet.addRow(
    Object.fromEntries(columns.map((c) => [c.key, c.example === '' ? null : c.example])),
  );
  // Grey italics mark the example as something to replace, not a real member.
  example.font = { italic: true, color: { argb: 'FF808080' } };
  // One range per column: exceljs's per-cell validations get merged into overlapping
  // ranges (it sorts "D10" before "D2"), which Excel then offers to "repair".
  const validations = (
    sheet as unknown as { dataValidations: { add(range: string, v: ExcelJS.DataValidation): void } }
  ).dataValidations;
  const listValidation = (col: number, values: string[]) => {
    const letter = sheet.getColumn(col).letter;
    validations.add(`${letter}2:${letter}1000`, {
      type: 'list',
      allowBlank: true,
      formulae: [`"${values.join(',')}"`],
      showErrorMessage: true,
    });
  };
  // Drop-down lists where the allowed values are a short fixed set.
  columns.forEach((c, i) => {
    if (c.key === 'gender') listValidation(i + 1, ['Nam', 'Nữ', 'Khác']);
    if (c.key === 'term') listValidation(i + 1, ['1', '2', '3']);
    if (c.key === 'scale') listValidation(i + 1, ['4', '10']);
    if (c.key === 'conductRating' || c.key === 'studyRating')
      listValidation(i + 1, ['Tốt', 'Khá', 'Đạt', 'Chưa đạt']);
  });

  const guide = workbook.addWorksheet(GUIDE_SHEET_NAME);
  guide.columns = [
    { header: 'Cột', key: 'header', width: 30 },
    { header: 'Bắt buộc', key: 'required', width: 12 },
    { header: 'Giá trị hợp lệ', key: 'allowed', width: 55 },
    { header: 'Ghi chú', key: 'guide', width: 70 },
    { header: 'Tên cột khác được chấp nhận', key: 'aliases', width: 50 },
  ];
  guide.getRow(1).font = { bold: true };
  for (const c of columns) {
    guide.addRow({
      header: c.header,
      required: c.required ? 'Có' : 'Không',
      allowed: c.allowed,
      guide: c.guide,
      aliases: c.aliases.join('; '),
    });
  }
  guide.addRow({});
  const notes =
    kind === 'members'
      ? [
          'Dòng 1 là tiêu đề cột; mỗi dòng sau là một đoàn viên. Xóa dòng ví dụ (dòng 2) trước khi nhập.',
          'Tên cột không phân biệt hoa thường, có dấu hay không dấu; cột thừa được bỏ qua.',
          'Đoàn viên được nhận ra theo mã sinh viên/học sinh: mã đã có thì cập nhật, chưa có thì thêm mới.',
          'Ô để trống không xóa dữ liệu đã có.',
          `Mỗi lần nhập tối đa ${MAX_DATA_ROWS.toLocaleString('vi-VN')} dòng. Có thể lưu dạng .xlsx hoặc CSV UTF-8 (dấu phân cách , hoặc ;).`,
          'Nếu có dòng lỗi, hệ thống không ghi dòng nào và liệt kê mọi lỗi theo số dòng, tên cột.',
        ]
      : [
          'Mỗi dòng là kết quả một học kỳ của một đoàn viên đã có trong hệ thống. Xóa dòng ví dụ (dòng 2) trước khi nhập.',
          'Đại học, cao đẳng: điền Thang điểm, Điểm TB, Điểm rèn luyện. THPT: điền Hạnh kiểm / Kết quả rèn luyện và Kết quả học tập (có thể thêm Điểm TB thang 10).',
          'Nhập lại cùng năm học và học kỳ sẽ cập nhật kết quả cũ, không tạo bản ghi trùng.',
          'Ô để trống không xóa dữ liệu đã có.',
          `Mỗi lần nhập tối đa ${MAX_DATA_ROWS.toLocaleString('vi-VN')} dòng.`,
        ];
  for (const note of notes) guide.addRow({ header: note });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The members template: header row, one example row, and the "Hướng dẫn" sheet. */
export function buildMembersTemplate(): Promise<Buffer> {
  return buildTemplate('members');
}

/** The academic results template (one row per member and term). */
export function buildResultsTemplate(): Promise<Buffer> {
  return buildTemplate('results');
}

export function templateFilename(kind: ImportKind): string {
  return kind === 'members' ? 'mau-nhap-doan-vien.xlsx' : 'mau-nhap-ket-qua-hoc-tap.xlsx';
}
