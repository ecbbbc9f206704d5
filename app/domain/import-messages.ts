/**
 * Texts for import problem codes, kept beside the import code instead of in the
 * shared catalogue (app/i18n) so the route can render them without this module
 * touching files other engineers own. Same `{name}` placeholders as `t()`.
 * `satisfies` makes both languages carry exactly the codes the importer emits.
 */
import type { ImportProblem, ImportProblemCode } from './member-import/types.ts';

type ImportMessages = Record<ImportProblemCode, string>;

const vi = {
  not_spreadsheet:
    'Tệp không phải tệp .xlsx hoặc .csv đọc được. Hãy dùng tệp .xlsx (Excel) hoặc .csv lưu với bảng mã UTF-8 (“CSV UTF-8”).',
  file_too_large: 'Tệp quá lớn (tối đa {maxMb} MB).',
  empty: 'Tệp không có dòng dữ liệu nào.',
  too_many_rows: 'Tệp có {rows} dòng dữ liệu; mỗi lần chỉ nhập được tối đa {max} dòng. Hãy chia nhỏ tệp.',
  missing_header: 'Thiếu cột bắt buộc: {headers}. Hãy dùng tệp mẫu.',
  duplicate_header: 'Cột “{header}” xuất hiện hai lần.',
  malformed_csv: 'Tệp CSV hỏng từ dòng {row}: dấu ngoặc kép không được đóng.',
  school_not_found: 'Không tìm thấy trường để nhập dữ liệu.',
  write_failed: 'Ghi dữ liệu không thành công do lỗi cơ sở dữ liệu; chưa ghi dòng nào. Hãy nhập lại tệp.',
  write_conflict:
    'Trong lúc ghi, một đoàn viên của tệp vừa được thêm hoặc sửa ở nơi khác; chưa ghi dòng nào. Hãy nhập lại tệp để kiểm tra với dữ liệu mới.',
  write_too_slow:
    'Máy chủ không ghi xong tệp trong {seconds} giây nên đã dừng; chưa ghi dòng nào. Hãy nhập lại lúc ít người dùng, hoặc chia nhỏ tệp.',
  required: 'Chưa điền.',
  required_for_new: 'Bắt buộc khi thêm đoàn viên mới.',
  text_too_long: 'Dài quá {max} ký tự.',
  code_invalid: 'Mã chỉ gồm chữ, số và các dấu . _ / -',
  name_invalid: 'Họ tên chỉ gồm chữ cái và khoảng trắng.',
  date_invalid: 'Ngày không hợp lệ; ghi theo dạng dd/mm/yyyy (ví dụ 05/09/2006).',
  date_no_such_day: 'Không có ngày này ({date}).',
  date_out_of_range: 'Ngày nằm ngoài khoảng cho phép (từ 01/01/1950 đến hôm nay).',
  join_before_birth: 'Ngày vào Đoàn phải sau ngày sinh.',
  gender_invalid: 'Giới tính phải là Nam, Nữ hoặc Khác.',
  email_invalid: 'Email không hợp lệ.',
  phone_invalid: 'Số điện thoại phải có 10 chữ số, bắt đầu bằng 0 (hoặc +84).',
  citizen_id_invalid: 'Số CCCD phải có đúng 12 chữ số.',
  branch_not_found: 'Không có chi đoàn này trong trường.',
  branch_ambiguous: 'Có nhiều chi đoàn trùng tên này; hãy ghi mã chi đoàn.',
  duplicate_code: 'Mã trùng với dòng {firstRow}.',
  school_year_invalid: 'Năm học phải có dạng yyyy-yyyy với hai năm liên tiếp (ví dụ 2024-2025).',
  cohort_invalid: 'Khóa là năm nhập học gồm 4 chữ số (ví dụ 2024).',
  term_invalid: 'Học kỳ phải là 1, 2 hoặc 3.',
  scale_invalid: 'Thang điểm phải là 4 hoặc 10.',
  number_invalid: 'Không phải là số.',
  gpa_out_of_range: 'Điểm trung bình phải từ 0 đến {max}.',
  conduct_score_out_of_range: 'Điểm rèn luyện phải từ 0 đến 100.',
  rating_invalid: 'Phải là Tốt, Khá, Đạt hoặc Chưa đạt.',
  month_invalid: 'Phải là tháng và năm, ví dụ 06/2027.',
  not_for_school_kind: 'Cột này không dùng cho {schoolKind}.',
  result_empty: 'Dòng không có kết quả nào (điểm hoặc xếp loại).',
  member_not_found: 'Không có đoàn viên mang mã này trong trường.',
  duplicate_term: 'Kết quả năm học {year}, học kỳ {term} đã có ở dòng {firstRow}.',
} as const satisfies ImportMessages;

const en = {
  not_spreadsheet:
    'The file is not a readable .xlsx or .csv file. Use an .xlsx (Excel) file or a .csv saved as UTF-8 (“CSV UTF-8”).',
  file_too_large: 'The file is too large (at most {maxMb} MB).',
  empty: 'The file has no data rows.',
  too_many_rows: 'The file has {rows} data rows; at most {max} can be imported at once. Split the file.',
  missing_header: 'Required columns are missing: {headers}. Use the template.',
  duplicate_header: 'The column “{header}” appears twice.',
  malformed_csv: 'The CSV file is broken from row {row}: a quotation mark is never closed.',
  school_not_found: 'The school to import into was not found.',
  write_failed: 'Writing failed because of a database error; nothing was written. Import the file again.',
  write_conflict:
    'While writing, a member of the file was added or changed elsewhere; nothing was written. Import the file again to check it against the new data.',
  write_too_slow:
    'The server could not finish writing the file within {seconds} seconds and stopped; nothing was written. Import it again when fewer people are working, or split the file.',
  required: 'Missing.',
  required_for_new: 'Required when adding a new member.',
  text_too_long: 'Longer than {max} characters.',
  code_invalid: 'Codes may contain only letters, digits and . _ / -',
  name_invalid: 'Names may contain only letters and spaces.',
  date_invalid: 'Not a valid date; write it as dd/mm/yyyy (e.g. 05/09/2006).',
  date_no_such_day: 'There is no such day ({date}).',
  date_out_of_range: 'The date is outside the allowed range (01/01/1950 to today).',
  join_before_birth: 'The Union join date must be after the date of birth.',
  gender_invalid: 'Gender must be Nam, Nữ or Khác.',
  email_invalid: 'Not a valid email address.',
  phone_invalid: 'Phone numbers have 10 digits starting with 0 (or +84).',
  citizen_id_invalid: 'The citizen ID (CCCD) must have exactly 12 digits.',
  branch_not_found: 'No such Union branch in this school.',
  branch_ambiguous: 'Several branches have this name; use the branch code.',
  duplicate_code: 'Same code as row {firstRow}.',
  school_year_invalid: 'The school year must look like 2024-2025 (two consecutive years).',
  cohort_invalid: 'The course (Khóa) is its four-digit entry year (e.g. 2024).',
  term_invalid: 'The term must be 1, 2 or 3.',
  scale_invalid: 'The grading scale must be 4 or 10.',
  number_invalid: 'Not a number.',
  gpa_out_of_range: 'The GPA must be between 0 and {max}.',
  conduct_score_out_of_range: 'The conduct score must be between 0 and 100.',
  rating_invalid: 'Must be Tốt, Khá, Đạt or Chưa đạt.',
  month_invalid: 'Must be a month and year, e.g. 06/2027.',
  not_for_school_kind: 'This column does not apply to {schoolKind}.',
  result_empty: 'The row has no result (score or rating).',
  member_not_found: 'No member with this code in the school.',
  duplicate_term: 'The result for {year}, term {term} is already on row {firstRow}.',
} as const satisfies ImportMessages;

export const IMPORT_MESSAGES: { vi: ImportMessages; en: ImportMessages } = { vi, en };

/** Labels for `{schoolKind}` in `not_for_school_kind`. */
const SCHOOL_KIND_LABELS = {
  vi: { university: 'trường đại học', college: 'trường cao đẳng', high_school: 'trường THPT' },
  en: { university: 'universities', college: 'colleges', high_school: 'upper-secondary schools' },
} as const;

/** Said first when a refused file is recognised as another kind of file (a PDF, a program). */
const FORMAT_NOTE = { vi: 'Đây là tệp {format}. ', en: 'This is a {format} file. ' } as const;

/** The message of one problem with its placeholders filled. */
export function importProblemMessage(problem: ImportProblem, locale: 'vi' | 'en'): string {
  const params: Record<string, string | number> = { ...problem.params };
  const note = problem.code === 'not_spreadsheet' && params.format ? FORMAT_NOTE[locale] : '';
  const kind = params.schoolKind;
  if (typeof kind === 'string' && kind in SCHOOL_KIND_LABELS[locale]) {
    params.schoolKind = SCHOOL_KIND_LABELS[locale][kind as keyof (typeof SCHOOL_KIND_LABELS)['vi']];
  }
  return (note + IMPORT_MESSAGES[locale][problem.code]).replace(/\{(\w+)\}/g, (match, name: string) =>
    name in params ? String(params[name]) : match,
  );
}

/** "Dòng 7, cột Ngày sinh (31/02/2005): …" — one line of the report, for logs, toasts and CSV error reports. */
export function formatImportProblem(problem: ImportProblem, locale: 'vi' | 'en'): string {
  const where: string[] = [];
  if (problem.row !== undefined) where.push(locale === 'vi' ? `Dòng ${problem.row}` : `Row ${problem.row}`);
  if (problem.column) where.push(locale === 'vi' ? `cột ${problem.column}` : `column ${problem.column}`);
  const place = where.join(', ') + (problem.value ? ` (${problem.value})` : '');
  const message = importProblemMessage(problem, locale);
  return place ? `${place}: ${message}` : message;
}
