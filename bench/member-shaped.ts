/**
 * Member-shaped documents of about 3 KB for database benchmarks, deterministic.
 * Not the demo generator: only the shape and size matter here.
 */
import { ObjectId } from 'bson';
import { searchKey } from '../app/domain/text.ts';

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Huỳnh', 'Võ', 'Phan', 'Trương', 'Bùi', 'Đặng'];
const MIDDLE = ['Văn', 'Thị', 'Minh', 'Ngọc', 'Quốc', 'Thanh', 'Hoàng', 'Thu'];
const GIVEN = [
  'An',
  'Bình',
  'Chi',
  'Dũng',
  'Hà',
  'Hải',
  'Khánh',
  'Linh',
  'Nam',
  'Phúc',
  'Quân',
  'Trang',
  'Vy',
  'Yến',
];
const STAGES = [
  'member',
  'member',
  'member',
  'outstanding',
  'awareness_class',
  'dossier',
  'branch_vote',
  'probation',
];

function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function memberShapedDocs(count: number, seed: number) {
  const random = rng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
  const province = new ObjectId();
  const schools = Array.from({ length: 20 }, () => new ObjectId());
  const docs = Array.from({ length: count }, (_, i) => {
    const fullName = `${pick(FAMILY)} ${pick(MIDDLE)} ${pick(GIVEN)}`;
    const schoolId = schools[i % schools.length];
    const branchId = new ObjectId();
    const code = `SV${String(i).padStart(7, '0')}`;
    return {
      fullName,
      searchKey: `${searchKey(fullName)} ${code.toLowerCase()}`,
      nameSortKey: searchKey(fullName).split(' ').reverse().join(' '),
      studentCode: code,
      email: `${code.toLowerCase()}@st.demo.vn`,
      schoolId,
      branchId,
      ancestors: [province, schoolId, branchId],
      dateOfBirth: new Date(2003, Math.floor(random() * 12), 1 + Math.floor(random() * 28)),
      gender: random() < 0.55 ? 'female' : 'male',
      stage: pick(STAGES),
      academicTerms: Array.from({ length: 6 }, (_, t) => ({
        year: `${2022 + Math.floor(t / 2)}-${2023 + Math.floor(t / 2)}`,
        term: (t % 2) + 1,
        scale: 4,
        gpa: Math.round((2 + random() * 2) * 100) / 100,
        conductScore: 60 + Math.floor(random() * 40),
      })),
      awards: Array.from({ length: 3 }, () => ({
        title: 'Giấy khen của Ban Chấp hành Đoàn trường về thành tích xuất sắc trong công tác Đoàn',
        kind: 'giay_khen',
        level: pick(['school', 'province', 'central']),
        date: new Date(2024, Math.floor(random() * 12), 1),
        decisionNo: `${Math.floor(random() * 900) + 100}/QĐ-ĐTN`,
        issuer: 'Ban Chấp hành Đoàn trường',
      })),
      activities: Array.from({ length: 4 }, () => ({
        campaign: pick([
          'Mùa hè xanh',
          'Xuân tình nguyện',
          'Tiếp sức mùa thi',
          'Hiến máu tình nguyện',
          'Chủ nhật xanh',
        ]),
        role: 'Tình nguyện viên',
        days: 1 + Math.floor(random() * 10),
        startDate: new Date(2025, 5, 1),
        endDate: new Date(2025, 6, 1),
      })),
      unionRatings: ['2022-2023', '2023-2024', '2024-2025'].map((year) => ({
        year,
        level: pick(['excellent', 'good', 'complete']),
      })),
      notes: 'Đoàn viên tích cực tham gia các hoạt động phong trào của chi đoàn và nhà trường. '.repeat(6),
    };
  });
  return { docs, schools };
}
