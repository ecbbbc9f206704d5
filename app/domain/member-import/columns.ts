/**
 * The columns of the two import templates: header, the other headers people write for
 * it, whether it is required, and what the template's guide sheet says about it.
 */
import type { ImportKind } from './types.ts';

export interface ColumnDef<K extends string = string> {
  key: K;
  header: string;
  /** Other headers people write for the same column (matched the same way). */
  aliases: readonly string[];
  /** The header must be present in the file. */
  required: boolean;
  /** For the "Hướng dẫn" sheet. */
  guide: string;
  allowed: string;
  example: string | Date;
  /** Excel should keep the cell as text (leading zeros of codes, phone numbers, CCCD). */
  text?: boolean;
  /** Sensitive under Law 91/2025: collected only when needed. */
  sensitive?: boolean;
}

const CODE_ALIASES = [
  'Mã sinh viên',
  'Mã học sinh',
  'Mã số sinh viên',
  'Mã số học sinh',
  'Mã SV',
  'Mã HS',
  'Mã SV/HS',
  'MSSV',
  'MSHS',
] as const;

export const MEMBER_COLUMNS = [
  {
    key: 'studentCode',
    header: 'Mã sinh viên/học sinh',
    aliases: CODE_ALIASES,
    required: true,
    guide: 'Mã do trường cấp, duy nhất trong trường; dùng để nhận ra đoàn viên khi nhập lại.',
    allowed: 'Chữ, số, dấu chấm, gạch ngang, gạch dưới; tối đa 30 ký tự',
    example: '2101010001',
    text: true,
  },
  {
    key: 'fullName',
    header: 'Họ và tên',
    aliases: ['Họ tên', 'Họ và tên đoàn viên', 'Tên đoàn viên'],
    required: true,
    guide: 'Họ, tên đệm và tên, có dấu.',
    allowed: 'Chữ cái và khoảng trắng; tối đa 100 ký tự',
    example: 'Nguyễn Thị Ánh',
  },
  {
    key: 'dateOfBirth',
    header: 'Ngày sinh',
    aliases: ['Ngày tháng năm sinh', 'Ngày/tháng/năm sinh'],
    required: false,
    guide: 'Bắt buộc khi thêm đoàn viên mới.',
    allowed: 'dd/mm/yyyy (ví dụ 15/03/2006) hoặc ô kiểu ngày của Excel',
    example: '15/03/2006',
    text: true,
  },
  {
    key: 'gender',
    header: 'Giới tính',
    aliases: ['Phái'],
    required: false,
    guide: 'Bắt buộc khi thêm đoàn viên mới.',
    allowed: 'Nam, Nữ, Khác',
    example: 'Nữ',
  },
  {
    key: 'email',
    header: 'Email',
    aliases: ['E-mail', 'Thư điện tử', 'Địa chỉ email'],
    required: false,
    guide: 'Không bắt buộc.',
    allowed: 'Địa chỉ thư điện tử hợp lệ',
    example: 'anh.nt@example.edu.vn',
  },
  {
    key: 'phone',
    header: 'Số điện thoại',
    aliases: ['Điện thoại', 'SĐT', 'Số ĐT', 'Di động'],
    required: false,
    guide: 'Không bắt buộc.',
    allowed: '10 chữ số bắt đầu bằng 0, hoặc +84…',
    example: '0912345678',
    text: true,
  },
  {
    key: 'branch',
    header: 'Chi đoàn',
    aliases: ['Mã chi đoàn', 'Tên chi đoàn'],
    required: false,
    guide: 'Tên hoặc mã chi đoàn thuộc trường. Bắt buộc khi thêm đoàn viên mới.',
    allowed: 'Tên hoặc mã một chi đoàn đang hoạt động của trường',
    example: 'Chi đoàn K21 Sư phạm Toán',
  },
  {
    key: 'unionJoinedAt',
    header: 'Ngày vào Đoàn',
    aliases: ['Ngày kết nạp Đoàn', 'Ngày vào đoàn TNCS'],
    required: false,
    guide: 'Không bắt buộc; phải sau ngày sinh.',
    allowed: 'dd/mm/yyyy hoặc ô kiểu ngày của Excel',
    example: '26/03/2021',
    text: true,
  },
  {
    key: 'unionCardNumber',
    header: 'Số thẻ đoàn viên',
    aliases: ['Số thẻ đoàn', 'Số thẻ ĐV'],
    required: false,
    guide: 'Không bắt buộc.',
    allowed: 'Tối đa 30 ký tự',
    example: '0123456789',
    text: true,
  },
  {
    key: 'expectedGraduation',
    header: 'Dự kiến tốt nghiệp',
    aliases: ['Tháng tốt nghiệp', 'Dự kiến ra trường', 'Thời gian tốt nghiệp dự kiến'],
    required: false,
    guide:
      'Không bắt buộc. Tháng và năm dự kiến tốt nghiệp: hồ sơ hiện cảnh báo nếu trước ngày dự kiến có quyết định kết nạp.',
    allowed: 'mm/yyyy (ví dụ 06/2027) hoặc yyyy-mm',
    example: '06/2027',
    text: true,
  },
  {
    key: 'schoolYear',
    header: 'Năm học',
    aliases: ['Năm học hiện tại'],
    required: false,
    guide: 'Không bắt buộc. Năm học của hồ sơ; để trống thì đoàn viên mới nhận năm học hiện tại.',
    allowed: 'yyyy-yyyy, hai năm liên tiếp (ví dụ 2025-2026)',
    example: '2025-2026',
    text: true,
  },
  {
    key: 'cohort',
    header: 'Khóa',
    aliases: ['Khoá', 'Khóa học', 'Năm nhập học'],
    required: false,
    guide:
      'Không bắt buộc. Năm nhập học của khóa; để trống thì đoàn viên mới nhận khóa của chi đoàn (hoặc năm học hiện tại).',
    allowed: 'Năm gồm 4 chữ số (ví dụ 2024)',
    example: '2024',
  },
  {
    key: 'ethnicity',
    header: 'Dân tộc',
    aliases: [],
    required: false,
    guide: 'Dữ liệu nhạy cảm (Luật 91/2025): chỉ điền khi quy trình cần.',
    allowed: 'Tối đa 50 ký tự',
    example: 'Kinh',
    sensitive: true,
  },
  {
    key: 'religion',
    header: 'Tôn giáo',
    aliases: [],
    required: false,
    guide: 'Dữ liệu nhạy cảm (Luật 91/2025): chỉ điền khi quy trình cần.',
    allowed: 'Tối đa 50 ký tự',
    example: 'Không',
    sensitive: true,
  },
  {
    key: 'citizenId',
    header: 'Số CCCD',
    aliases: ['CCCD', 'Số căn cước', 'Số căn cước công dân', 'Căn cước công dân', 'Số định danh cá nhân'],
    required: false,
    guide: 'Dữ liệu nhạy cảm (Luật 91/2025). Không tải ảnh thẻ lên hệ thống.',
    allowed: 'Đúng 12 chữ số (định dạng ô là Văn bản để giữ số 0 đầu)',
    example: '051206001234',
    text: true,
    sensitive: true,
  },
] as const satisfies readonly ColumnDef[];

export const RESULT_COLUMNS = [
  {
    key: 'studentCode',
    header: 'Mã sinh viên/học sinh',
    aliases: CODE_ALIASES,
    required: true,
    guide: 'Mã của đoàn viên đã có trong hệ thống.',
    allowed: 'Mã sinh viên/học sinh của trường',
    example: '2101010001',
    text: true,
  },
  {
    key: 'schoolYear',
    header: 'Năm học',
    aliases: [],
    required: true,
    guide: 'Năm học của kết quả.',
    allowed: 'yyyy-yyyy, hai năm liên tiếp (ví dụ 2024-2025)',
    example: '2024-2025',
    text: true,
  },
  {
    key: 'term',
    header: 'Học kỳ',
    aliases: ['HK', 'Kỳ'],
    required: true,
    guide: 'Học kỳ trong năm học. Nhập lại cùng năm học và học kỳ sẽ cập nhật, không tạo bản ghi mới.',
    allowed: '1, 2 hoặc 3 (học kỳ hè)',
    example: '1',
  },
  {
    key: 'scale',
    header: 'Thang điểm',
    aliases: ['Hệ điểm'],
    required: false,
    guide: 'Bắt buộc khi có Điểm TB.',
    allowed: '4 hoặc 10',
    example: '4',
  },
  {
    key: 'gpa',
    header: 'Điểm TB',
    aliases: ['Điểm trung bình', 'Điểm TBC', 'ĐTB', 'GPA', 'Điểm trung bình học kỳ', 'Điểm TBHK'],
    required: false,
    guide: 'Điểm trung bình học kỳ theo thang điểm đã chọn.',
    allowed: 'Số từ 0 đến 4 (thang 4) hoặc 0 đến 10 (thang 10); dấu thập phân là . hoặc ,',
    example: '3.45',
  },
  {
    key: 'conductScore',
    header: 'Điểm rèn luyện',
    aliases: ['ĐRL', 'Điểm RL'],
    required: false,
    guide: 'Đại học, cao đẳng (Thông tư 16/2015).',
    allowed: 'Số từ 0 đến 100',
    example: '85',
  },
  {
    key: 'conductRating',
    header: 'Hạnh kiểm / Kết quả rèn luyện',
    aliases: ['Hạnh kiểm', 'Kết quả rèn luyện'],
    required: false,
    guide: 'THPT (Thông tư 22/2021).',
    allowed: 'Tốt, Khá, Đạt, Chưa đạt',
    example: '',
  },
  {
    key: 'studyRating',
    header: 'Kết quả học tập',
    aliases: ['Học lực'],
    required: false,
    guide: 'THPT (Thông tư 22/2021).',
    allowed: 'Tốt, Khá, Đạt, Chưa đạt',
    example: '',
  },
] as const satisfies readonly ColumnDef[];

export type MemberColumnKey = (typeof MEMBER_COLUMNS)[number]['key'];
export type ResultColumnKey = (typeof RESULT_COLUMNS)[number]['key'];

export function columnsOf(kind: ImportKind): readonly ColumnDef[] {
  return kind === 'members' ? MEMBER_COLUMNS : RESULT_COLUMNS;
}
