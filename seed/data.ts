/**
 * Fixed reference data for the demo: the schools of Quảng Ngãi after the
 * 1 July 2025 merger (Kon Tum merged in), name pools and official holidays.
 * Names of schools are real-sounding and mostly real; faculties, classes and
 * counts are illustrative. Nothing here depends on the seed.
 */
import type { SchoolKind } from '../models/unit.ts';

export type Region = 'qn' | 'kt'; // Quảng Ngãi before the merger, or former Kon Tum

export interface MajorDef {
  code: string;
  name: string;
}
export interface FacultyDef {
  code: string;
  name: string;
  majors: MajorDef[];
}
export interface SchoolDef {
  code: string;
  name: string;
  shortName: string;
  kind: SchoolKind;
  region: Region;
  /** Relative share of the province's members. */
  weight: number;
  /** GPA scale the school reports (universities 4, some colleges 10, THPT 10). */
  scale: 4 | 10;
  /** Course number K = cohort - courseBase, as in "Chi đoàn K45 Sư phạm Toán". */
  courseBase?: number;
  faculties?: FacultyDef[];
  /** THPT: classes per grade, or subject classes for a specialised school. */
  classes?: string[];
  /** Share of ethnic-minority students. */
  minorityShare: number;
}

const THPT_CLASSES = (n: number) => Array.from({ length: n }, (_, i) => `A${i + 1}`);
const SPECIALISED_CLASSES = ['Toán', 'Lý', 'Hóa', 'Sinh', 'Tin', 'Văn', 'Anh'];

export const SCHOOLS: SchoolDef[] = [
  {
    code: 'PVD',
    name: 'Trường Đại học Phạm Văn Đồng',
    shortName: 'ĐH Phạm Văn Đồng',
    kind: 'university',
    region: 'qn',
    weight: 14,
    scale: 4,
    courseBase: 1977,
    minorityShare: 0.06,
    faculties: [
      {
        code: 'SPTN',
        name: 'Khoa Sư phạm Tự nhiên',
        majors: [
          { code: 'SPT', name: 'Sư phạm Toán' },
          { code: 'SPL', name: 'Sư phạm Vật lý' },
        ],
      },
      {
        code: 'SPXH',
        name: 'Khoa Sư phạm Xã hội',
        majors: [
          { code: 'SPV', name: 'Sư phạm Ngữ văn' },
          { code: 'SPS', name: 'Sư phạm Lịch sử' },
        ],
      },
      {
        code: 'CNTT',
        name: 'Khoa Công nghệ Thông tin',
        majors: [
          { code: 'CNTT', name: 'Công nghệ thông tin' },
          { code: 'KTPM', name: 'Kỹ thuật phần mềm' },
        ],
      },
      {
        code: 'KT',
        name: 'Khoa Kinh tế',
        majors: [
          { code: 'QTKD', name: 'Quản trị kinh doanh' },
          { code: 'KTO', name: 'Kế toán' },
        ],
      },
      { code: 'NN', name: 'Khoa Ngoại ngữ', majors: [{ code: 'NNA', name: 'Ngôn ngữ Anh' }] },
      {
        code: 'KTCN',
        name: 'Khoa Kỹ thuật – Công nghệ',
        majors: [
          { code: 'CK', name: 'Kỹ thuật cơ khí' },
          { code: 'DIEN', name: 'Kỹ thuật điện' },
        ],
      },
    ],
  },
  {
    code: 'TCKT',
    name: 'Trường Đại học Tài chính – Kế toán',
    shortName: 'ĐH Tài chính – Kế toán',
    kind: 'university',
    region: 'qn',
    weight: 10,
    scale: 4,
    courseBase: 2010,
    minorityShare: 0.04,
    faculties: [
      {
        code: 'KTKT',
        name: 'Khoa Kế toán',
        majors: [
          { code: 'KTO', name: 'Kế toán' },
          { code: 'KIT', name: 'Kiểm toán' },
        ],
      },
      {
        code: 'TCNH',
        name: 'Khoa Tài chính – Ngân hàng',
        majors: [{ code: 'TCNH', name: 'Tài chính – Ngân hàng' }],
      },
      {
        code: 'QTKD',
        name: 'Khoa Quản trị kinh doanh',
        majors: [
          { code: 'QTKD', name: 'Quản trị kinh doanh' },
          { code: 'MKT', name: 'Marketing' },
        ],
      },
      {
        code: 'KTL',
        name: 'Khoa Kinh tế – Luật',
        majors: [
          { code: 'LKT', name: 'Luật kinh tế' },
          { code: 'HTTT', name: 'Hệ thống thông tin quản lý' },
        ],
      },
    ],
  },
  {
    code: 'UDCK',
    name: 'Phân hiệu Đại học Đà Nẵng tại Kon Tum',
    shortName: 'Phân hiệu ĐHĐN tại Kon Tum',
    kind: 'university',
    region: 'kt',
    weight: 6,
    scale: 4,
    courseBase: 2008,
    minorityShare: 0.25,
    faculties: [
      {
        code: 'KTE',
        name: 'Khoa Kinh tế',
        majors: [
          { code: 'KTPT', name: 'Kinh tế phát triển' },
          { code: 'KTO', name: 'Kế toán' },
        ],
      },
      {
        code: 'SPDB',
        name: 'Khoa Sư phạm và Dự bị đại học',
        majors: [
          { code: 'GDTH', name: 'Giáo dục tiểu học' },
          { code: 'SPT', name: 'Sư phạm Toán' },
        ],
      },
      {
        code: 'KTNN',
        name: 'Khoa Kỹ thuật – Nông nghiệp',
        majors: [
          { code: 'KTXD', name: 'Kỹ thuật xây dựng' },
          { code: 'CNTT', name: 'Công nghệ thông tin' },
        ],
      },
    ],
  },
  {
    code: 'CDKTCN',
    name: 'Trường Cao đẳng Kỹ thuật Công nghiệp Quảng Ngãi',
    shortName: 'CĐ Kỹ thuật Công nghiệp Quảng Ngãi',
    kind: 'college',
    region: 'qn',
    weight: 5,
    scale: 4,
    courseBase: 2010,
    minorityShare: 0.05,
    faculties: [
      {
        code: 'DDT',
        name: 'Khoa Điện – Điện tử',
        majors: [
          { code: 'DCN', name: 'Điện công nghiệp' },
          { code: 'DTCN', name: 'Điện tử công nghiệp' },
        ],
      },
      {
        code: 'CK',
        name: 'Khoa Cơ khí',
        majors: [
          { code: 'CGKL', name: 'Cắt gọt kim loại' },
          { code: 'HAN', name: 'Hàn' },
        ],
      },
      {
        code: 'CNTT',
        name: 'Khoa Công nghệ thông tin',
        majors: [{ code: 'UDPM', name: 'Ứng dụng phần mềm' }],
      },
    ],
  },
  {
    code: 'VKQN',
    name: 'Trường Cao đẳng Việt Nam – Hàn Quốc – Quảng Ngãi',
    shortName: 'CĐ Việt Nam – Hàn Quốc – Quảng Ngãi',
    kind: 'college',
    region: 'qn',
    weight: 5,
    scale: 10,
    courseBase: 2012,
    minorityShare: 0.06,
    faculties: [
      {
        code: 'CKDL',
        name: 'Khoa Cơ khí – Động lực',
        majors: [
          { code: 'OTO', name: 'Công nghệ ô tô' },
          { code: 'HAN', name: 'Hàn' },
        ],
      },
      { code: 'DDT', name: 'Khoa Điện – Điện tử', majors: [{ code: 'DCN', name: 'Điện công nghiệp' }] },
      {
        code: 'KTDL',
        name: 'Khoa Kinh tế – Du lịch',
        majors: [
          { code: 'KTO', name: 'Kế toán' },
          { code: 'QTKS', name: 'Quản trị khách sạn' },
        ],
      },
    ],
  },
  {
    code: 'CDCDKT',
    name: 'Trường Cao đẳng Cộng đồng Kon Tum',
    shortName: 'CĐ Cộng đồng Kon Tum',
    kind: 'college',
    region: 'kt',
    weight: 4,
    scale: 10,
    courseBase: 2010,
    minorityShare: 0.35,
    faculties: [
      { code: 'SP', name: 'Khoa Sư phạm', majors: [{ code: 'GDMN', name: 'Giáo dục mầm non' }] },
      {
        code: 'KTKT',
        name: 'Khoa Kinh tế – Kỹ thuật',
        majors: [
          { code: 'KTO', name: 'Kế toán' },
          { code: 'CNTT', name: 'Công nghệ thông tin' },
        ],
      },
      { code: 'NL', name: 'Khoa Nông – Lâm', majors: [{ code: 'LS', name: 'Lâm sinh' }] },
    ],
  },
  {
    code: 'LKHIET',
    name: 'Trường THPT chuyên Lê Khiết',
    shortName: 'THPT chuyên Lê Khiết',
    kind: 'high_school',
    region: 'qn',
    weight: 5,
    scale: 10,
    classes: SPECIALISED_CLASSES,
    minorityShare: 0.02,
  },
  {
    code: 'TQTUAN',
    name: 'Trường THPT Trần Quốc Tuấn',
    shortName: 'THPT Trần Quốc Tuấn',
    kind: 'high_school',
    region: 'qn',
    weight: 5,
    scale: 10,
    classes: THPT_CLASSES(8),
    minorityShare: 0.03,
  },
  {
    code: 'SONMY',
    name: 'Trường THPT Sơn Mỹ',
    shortName: 'THPT Sơn Mỹ',
    kind: 'high_school',
    region: 'qn',
    weight: 4,
    scale: 10,
    classes: THPT_CLASSES(6),
    minorityShare: 0.02,
  },
  {
    code: 'BINHSON',
    name: 'Trường THPT Bình Sơn',
    shortName: 'THPT Bình Sơn',
    kind: 'high_school',
    region: 'qn',
    weight: 5,
    scale: 10,
    classes: THPT_CLASSES(8),
    minorityShare: 0.03,
  },
  {
    code: 'TUNGHIA1',
    name: 'Trường THPT số 1 Tư Nghĩa',
    shortName: 'THPT số 1 Tư Nghĩa',
    kind: 'high_school',
    region: 'qn',
    weight: 4,
    scale: 10,
    classes: THPT_CLASSES(7),
    minorityShare: 0.03,
  },
  {
    code: 'DUCPHO1',
    name: 'Trường THPT số 1 Đức Phổ',
    shortName: 'THPT số 1 Đức Phổ',
    kind: 'high_school',
    region: 'qn',
    weight: 4,
    scale: 10,
    classes: THPT_CLASSES(7),
    minorityShare: 0.03,
  },
  {
    code: 'LTDINH',
    name: 'Trường THPT Lê Trung Đình',
    shortName: 'THPT Lê Trung Đình',
    kind: 'high_school',
    region: 'qn',
    weight: 4,
    scale: 10,
    classes: THPT_CLASSES(6),
    minorityShare: 0.02,
  },
  {
    code: 'MINHLONG',
    name: 'Trường THPT Minh Long',
    shortName: 'THPT Minh Long',
    kind: 'high_school',
    region: 'qn',
    weight: 2,
    scale: 10,
    classes: THPT_CLASSES(4),
    minorityShare: 0.6,
  },
  {
    code: 'LYSON',
    name: 'Trường THPT Lý Sơn',
    shortName: 'THPT Lý Sơn',
    kind: 'high_school',
    region: 'qn',
    weight: 2,
    scale: 10,
    classes: THPT_CLASSES(4),
    minorityShare: 0,
  },
  {
    code: 'NTTHANH',
    name: 'Trường THPT chuyên Nguyễn Tất Thành',
    shortName: 'THPT chuyên Nguyễn Tất Thành',
    kind: 'high_school',
    region: 'kt',
    weight: 4,
    scale: 10,
    classes: SPECIALISED_CLASSES,
    minorityShare: 0.1,
  },
  {
    code: 'KONTUM',
    name: 'Trường THPT Kon Tum',
    shortName: 'THPT Kon Tum',
    kind: 'high_school',
    region: 'kt',
    weight: 4,
    scale: 10,
    classes: THPT_CLASSES(7),
    minorityShare: 0.2,
  },
  {
    code: 'NGOMAY',
    name: 'Trường THPT Ngô Mây',
    shortName: 'THPT Ngô Mây',
    kind: 'high_school',
    region: 'kt',
    weight: 3,
    scale: 10,
    classes: THPT_CLASSES(5),
    minorityShare: 0.35,
  },
  {
    code: 'DTNTKT',
    name: 'Trường Phổ thông Dân tộc nội trú tỉnh Kon Tum',
    shortName: 'PT DTNT tỉnh Kon Tum',
    kind: 'high_school',
    region: 'kt',
    weight: 2,
    scale: 10,
    classes: THPT_CLASSES(4),
    minorityShare: 0.95,
  },
];

/** Family names with rough national frequencies (per mille); central Vietnam has more Huỳnh, Võ, Phan. */
export const FAMILY_NAMES: [string, number][] = [
  ['Nguyễn', 350],
  ['Trần', 105],
  ['Lê', 95],
  ['Phạm', 65],
  ['Huỳnh', 50],
  ['Võ', 50],
  ['Phan', 45],
  ['Hoàng', 20],
  ['Vũ', 15],
  ['Đặng', 20],
  ['Bùi', 20],
  ['Đỗ', 15],
  ['Hồ', 25],
  ['Ngô', 15],
  ['Dương', 10],
  ['Đinh', 15],
  ['Trương', 15],
  ['Đoàn', 10],
  ['Lý', 5],
  ['Lương', 5],
  ['Mai', 5],
  ['Cao', 5],
  ['Châu', 5],
  ['Tạ', 3],
  ['Hà', 5],
  ['Văn', 3],
  ['Tô', 3],
  ['Thái', 3],
  ['Lâm', 4],
  ['Kiều', 2],
];

export const MALE_MIDDLE: [string, number][] = [
  ['Văn', 30],
  ['Minh', 10],
  ['Quốc', 8],
  ['Đức', 8],
  ['Hữu', 7],
  ['Công', 6],
  ['Thanh', 6],
  ['Tuấn', 4],
  ['Hoàng', 5],
  ['Ngọc', 4],
  ['Anh', 4],
  ['Gia', 4],
  ['Nhật', 4],
  ['Trọng', 4],
  ['Xuân', 4],
  ['Đình', 5],
  ['Bá', 3],
];
export const FEMALE_MIDDLE: [string, number][] = [
  ['Thị', 35],
  ['Ngọc', 8],
  ['Thu', 6],
  ['Thanh', 6],
  ['Minh', 5],
  ['Hoài', 4],
  ['Bảo', 5],
  ['Phương', 4],
  ['Khánh', 4],
  ['Thùy', 5],
  ['Mỹ', 5],
  ['Kim', 4],
  ['Diệu', 3],
  ['Hồng', 4],
  ['Thị Thu', 3],
  ['Thị Ngọc', 3],
  ['Thị Kim', 2],
  ['Thị Mỹ', 2],
];
export const MALE_GIVEN = [
  'An',
  'Bảo',
  'Bình',
  'Cường',
  'Danh',
  'Duy',
  'Dũng',
  'Đạt',
  'Đức',
  'Hải',
  'Hào',
  'Hiếu',
  'Hoàng',
  'Huy',
  'Hùng',
  'Khang',
  'Khánh',
  'Khoa',
  'Kiên',
  'Lâm',
  'Long',
  'Lộc',
  'Minh',
  'Nam',
  'Nghĩa',
  'Nhân',
  'Phát',
  'Phong',
  'Phúc',
  'Quân',
  'Quang',
  'Quốc',
  'Sang',
  'Sơn',
  'Tài',
  'Tâm',
  'Thắng',
  'Thành',
  'Thịnh',
  'Toàn',
  'Trí',
  'Trung',
  'Tuấn',
  'Tùng',
  'Việt',
  'Vinh',
  'Vũ',
  'Ân',
  'Đông',
  'Khải',
  'Nhật',
  'Thiện',
  'Tín',
];
export const FEMALE_GIVEN = [
  'Anh',
  'Ánh',
  'Châu',
  'Chi',
  'Diễm',
  'Dung',
  'Duyên',
  'Giang',
  'Hà',
  'Hạnh',
  'Hằng',
  'Hân',
  'Hiền',
  'Hoa',
  'Hương',
  'Huyền',
  'Lan',
  'Linh',
  'Loan',
  'Ly',
  'Mai',
  'My',
  'Nga',
  'Ngân',
  'Ngọc',
  'Nhi',
  'Nhung',
  'Oanh',
  'Phương',
  'Quyên',
  'Quỳnh',
  'Tâm',
  'Thảo',
  'Thu',
  'Thư',
  'Thủy',
  'Trang',
  'Trâm',
  'Trinh',
  'Trúc',
  'Tuyết',
  'Uyên',
  'Vân',
  'Vy',
  'Xuân',
  'Yến',
  'Ánh Dương',
  'Ý',
  'Ngà',
];

/** Ethnic minorities by region; Kinh are the majority everywhere. */
export const MINORITIES: Record<Region, [string, number][]> = {
  qn: [
    ['Hrê', 70],
    ['Cor', 15],
    ['Ca Dong', 15],
  ],
  kt: [
    ['Xơ Đăng', 45],
    ['Ba Na', 25],
    ['Gia Rai', 15],
    ['Giẻ Triêng', 10],
    ['Brâu', 3],
    ['Rơ Măm', 2],
  ],
};
/** Family names common among the Hrê, Cor and Ca Dong of Quảng Ngãi. */
export const QN_MINORITY_FAMILY: [string, number][] = [
  ['Đinh', 50],
  ['Phạm', 15],
  ['Hồ', 15],
  ['Bùi', 10],
  ['Nguyễn', 10],
];
/** Gia Rai family names; Xơ Đăng and Ba Na often use "A" (men) and "Y" (women) before the given name. */
export const GIA_RAI_FAMILY = ['Siu', 'Rơ Châm', 'Ksor', 'Nay', 'Rơ Mah'];

export const RELIGIONS: [string, number][] = [
  ['Không', 86],
  ['Phật giáo', 7],
  ['Công giáo', 5],
  ['Tin Lành', 1.5],
  ['Cao Đài', 0.5],
];

export const HELPER_TITLES = ['ThS.', 'TS.', 'CN.', 'ThS.', 'ThS.'];

export interface HolidaySeed {
  date: string; // YYYY-MM-DD
  name: string;
}

/** A make-up working day (ngày làm bù): a Saturday the schedule turns into a working day. */
export type WorkdaySeed = HolidaySeed;

/** The days off on the same date every year, as MM-DD and name. */
const FIXED_DAYS_OFF: [string, string][] = [
  ['01-01', 'Tết Dương lịch'],
  ['04-30', 'Ngày Chiến thắng (30/4)'],
  ['05-01', 'Ngày Quốc tế Lao động (1/5)'],
  ['09-02', 'Quốc khánh (2/9)'],
];
const HUNG_KINGS = 'Giỗ Tổ Hùng Vương (10/3 âm lịch)';
const NATIONAL_DAY_NEXT = 'Quốc khánh (ngày liền kề)';

/** A year's days off in date order: the fixed ones (but those `skipped`, MM-DD) and its own. */
function daysOff(year: number, own: HolidaySeed[], skipped: string[] = []): HolidaySeed[] {
  const fixed = FIXED_DAYS_OFF.filter(([monthDay]) => !skipped.includes(monthDay)).map(
    ([monthDay, name]) => ({ date: `${year}-${monthDay}`, name }),
  );
  return [...fixed, ...own].sort((a, b) => a.date.localeCompare(b.date));
}

/**
 * Official days off, best knowledge at the time of writing. 2024 and 2025 follow
 * the published government schedules; 2026 and 2027 partly follow published
 * plans and partly the Labour Code rules (Tết: 5 days around New Year's Day of
 * the lunar calendar, plus adjacent weekends; 2/9 with one adjacent day since
 * 2025). This is editable data: admins correct it in the holiday table. The
 * make-up working Saturdays that repay swapped bridge days are in
 * MAKE_UP_WORKING_DAYS below.
 */
export const HOLIDAYS: HolidaySeed[] = [
  ...daysOff(2024, [
    ...range('2024-02-08', '2024-02-14', 'Tết Nguyên đán Giáp Thìn'),
    { date: '2024-04-18', name: HUNG_KINGS },
    { date: '2024-04-29', name: 'Nghỉ bù, hoán đổi ngày làm việc (làm bù thứ Bảy 04/5)' },
    { date: '2024-09-03', name: NATIONAL_DAY_NEXT },
  ]),
  ...daysOff(2025, [
    ...range('2025-01-25', '2025-02-02', 'Tết Nguyên đán Ất Tỵ'),
    { date: '2025-04-07', name: HUNG_KINGS },
    { date: '2025-05-02', name: 'Nghỉ bù, hoán đổi ngày làm việc (làm bù thứ Bảy 26/4)' },
    { date: '2025-09-01', name: NATIONAL_DAY_NEXT },
  ]),
  ...daysOff(2026, [
    { date: '2026-01-02', name: 'Nghỉ hoán đổi Tết Dương lịch (làm bù thứ Bảy 10/01)' },
    ...range('2026-02-14', '2026-02-22', 'Tết Nguyên đán Bính Ngọ'),
    { date: '2026-04-27', name: 'Nghỉ bù Giỗ Tổ Hùng Vương (10/3 âm lịch là Chủ nhật 26/4)' },
    { date: '2026-09-01', name: NATIONAL_DAY_NEXT },
  ]),
  // 2027 (estimated from the Labour Code rules; check against the official schedule).
  // 1/5 is a Saturday: its day off is the Monday after.
  ...daysOff(
    2027,
    [
      ...range('2027-02-05', '2027-02-10', 'Tết Nguyên đán Đinh Mùi (dự kiến)'),
      { date: '2027-04-16', name: HUNG_KINGS },
      { date: '2027-05-03', name: 'Nghỉ bù Ngày Quốc tế Lao động (1/5 là thứ Bảy)' },
      { date: '2027-09-03', name: 'Quốc khánh (ngày liền kề, dự kiến)' },
    ],
    ['05-01'],
  ),
];

/**
 * Make-up working days of the seeded years: each repays a weekday the government
 * schedule swapped into a day off (listed in HOLIDAYS). 2024: Mon 29/4 off, Sat 4/5
 * worked; 2025: Fri 2/5 off, Sat 26/4 worked; 2026: Fri 2/1 off, Sat 10/1 worked
 * (VPCP letter 12729/VPCP-KGVX of 25/12/2025). No other swap is known for 2026, and
 * none is planned for 2027 yet.
 */
export const MAKE_UP_WORKING_DAYS: WorkdaySeed[] = [
  { date: '2024-05-04', name: 'Làm bù cho ngày nghỉ thứ Hai 29/4/2024' },
  { date: '2025-04-26', name: 'Làm bù cho ngày nghỉ thứ Sáu 02/5/2025' },
  { date: '2026-01-10', name: 'Làm bù cho ngày nghỉ thứ Sáu 02/01/2026' },
];

function range(from: string, to: string, name: string): HolidaySeed[] {
  const out: HolidaySeed[] = [];
  for (
    let d = new Date(`${from}T00:00:00Z`);
    d <= new Date(`${to}T00:00:00Z`);
    d = new Date(d.getTime() + 86_400_000)
  ) {
    out.push({ date: d.toISOString().slice(0, 10), name });
  }
  return out;
}
