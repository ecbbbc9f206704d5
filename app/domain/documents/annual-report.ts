/**
 * "Báo cáo năm": the Youth Union's yearly report on developing the Party among pupils and
 * students, in the official layout (a Union document: "ĐOÀN TNCS HỒ CHÍ MINH", number
 * "Số ……-BC/TĐTN" left for the clerk, place and date, title, sections, tables, "Nơi nhận",
 * signature). The figures are `annualFigures` (app/domain/annual-report.ts); the text is
 * Vietnamese legal prose, like the forms, so it lives here and not in the UI catalogue.
 *
 * Names of people are not printed: the report leaves the Union for the Party committee,
 * and counts per school and step say what the report needs (data minimisation).
 */
import type { DateLike } from '../calendar.ts';
import type { AnnualFigures, ReportSchoolKind, Totals } from '../annual-report.ts';
import { STAGE_LABELS, isStage } from '../stages.ts';
import { blankLines, documentNumber, nfcDeep, para, placeDateLine, run } from './format.ts';
import type { BodyBlock, DocumentLayout, IssuerHeading, TableBlock } from './types.ts';

/** Who issues the report: the province's Union, or a school's for its own version. */
export interface ReportIssuer {
  level: 'province' | 'school';
  heading: IssuerHeading;
  /** The symbol after the slash in the number ("TĐTN", "ĐTN"). */
  symbol: string;
  /** "TM. BAN THƯỜNG VỤ", "BÍ THƯ", and the signer's name or null for a blank. */
  authority: string;
  position: string;
  signer: string | null;
  /** The place in the date line ("Quảng Ngãi"). */
  place: string;
  /** The scope the figures cover, as the text names it ("tỉnh Quảng Ngãi", "Trường Đại học …"). */
  scopeName: string;
}

export interface AnnualReportDocument extends DocumentLayout {
  kind: 'annual_report';
  year: number;
}

const KIND_LABEL: Record<ReportSchoolKind, string> = {
  university: 'Đại học',
  college: 'Cao đẳng',
  high_school: 'Trung học phổ thông',
};

/** "1.234": Vietnamese thousands. */
const num = (n: number) => n.toLocaleString('vi-VN');
/** "88,6%", "1.000%": one decimal at most, Vietnamese separators. */
const pct = (x: number | null) =>
  x === null ? '–' : `${(x * 100).toLocaleString('vi-VN', { maximumFractionDigits: 1 })}%`;
const orDash = (n: number | null) => (n === null ? '–' : num(n));
const stageName = (s: string) => (isStage(s) ? STAGE_LABELS[s].vi : s);
const heading = (text: string) => para([run(text, { bold: true })], { spaceBefore: 6 });

const figureRow = (label: string, t: Totals) => [
  label,
  num(t.schools),
  num(t.members),
  num(t.selected),
  num(t.admitted),
  orDash(t.target),
  pct(t.achievement),
  num(t.official),
];

function kindTable(f: AnnualFigures): TableBlock {
  return {
    kind: 'table',
    columns: [
      { header: 'Loại hình', width: 2.6 },
      { header: 'Số trường', width: 1.1, align: 'right' },
      { header: 'Đoàn viên', width: 1.4, align: 'right' },
      { header: 'Giới thiệu', width: 1.3, align: 'right' },
      { header: 'Kết nạp', width: 1.2, align: 'right' },
      { header: 'Chỉ tiêu', width: 1.2, align: 'right' },
      { header: 'Đạt', width: 1.2, align: 'right' },
      { header: 'Chính thức', width: 1.4, align: 'right' },
    ],
    rows: f.kinds.map((k) => figureRow(KIND_LABEL[k.kind], k)),
    totals: figureRow('Tổng cộng', f.total),
  };
}

function schoolTable(f: AnnualFigures): TableBlock {
  return {
    kind: 'table',
    columns: [
      { header: 'TT', width: 0.6, align: 'center' },
      { header: 'Trường', width: 3.3 },
      { header: 'Giới thiệu', width: 1.2, align: 'right' },
      { header: 'Kết nạp', width: 1.1, align: 'right' },
      { header: 'Chỉ tiêu', width: 1.1, align: 'right' },
      // Wide enough for "100,0%" in bold on one line.
      { header: 'Đạt', width: 1.4, align: 'right' },
      { header: 'Chính thức', width: 1.3, align: 'right' },
      { header: 'Quá hạn', width: 1.1, align: 'right' },
    ],
    rows: f.schools.map((s, i) => [
      String(i + 1),
      s.name,
      num(s.selected),
      num(s.admitted),
      orDash(s.target),
      pct(s.target ? s.admitted / s.target : null),
      num(s.official),
      num(s.overdue),
    ]),
    totals: [
      '',
      'Tổng cộng',
      num(f.total.selected),
      num(f.total.admitted),
      orDash(f.total.target),
      pct(f.total.achievement),
      num(f.total.official),
      num(f.total.overdue),
    ],
  };
}

function overdueTable(f: AnnualFigures): TableBlock {
  return {
    kind: 'table',
    columns: [
      { header: 'TT', width: 0.6, align: 'center' },
      { header: 'Trường', width: 3.6 },
      { header: 'Bước đang chờ', width: 2.8 },
      { header: 'Số hồ sơ', width: 1.2, align: 'right' },
      { header: 'Hạn sớm nhất', width: 1.6, align: 'center' },
    ],
    rows: f.overdue.map((o, i) => [
      String(i + 1),
      o.school,
      stageName(o.stage),
      num(o.count),
      o.oldestDue ? o.oldestDue.split('-').reverse().join('/') : '',
    ]),
    totals: ['', 'Tổng cộng', '', num(f.overdue.reduce((a, o) => a + o.count, 0)), ''],
  };
}

function results(f: AnnualFigures, issuer: ReportIssuer): BodyBlock[] {
  const t = f.total;
  const target =
    t.target === null
      ? 'chưa giao chỉ tiêu kết nạp cho năm này'
      : `đạt ${pct(t.achievement)} chỉ tiêu được giao (${num(t.target)} đảng viên)`;
  return [
    heading('II. KẾT QUẢ THỰC HIỆN'),
    para(
      `Trong năm ${f.year}, ${issuer.level === 'province' ? 'các cơ sở Đoàn' : 'Đoàn trường'} đã giới thiệu ${num(t.selected)} đoàn viên ưu tú cho Đảng xem xét, kết nạp; ` +
        `${num(t.admitted)} đoàn viên ưu tú là học sinh, sinh viên được kết nạp vào Đảng, ${target}; ` +
        `${num(t.official)} đảng viên trẻ được công nhận đảng viên chính thức.`,
    ),
    para([run('1. Theo loại hình trường', { italic: true })]),
    kindTable(f),
    ...(issuer.level === 'province' || f.schools.length > 1
      ? [para([run('2. Theo từng trường', { italic: true })]), schoolTable(f)]
      : []),
  ];
}

function bottlenecks(f: AnnualFigures): BodyBlock[] {
  const out: BodyBlock[] = [heading('III. HẠN CHẾ, VƯỚNG MẮC')];
  if (f.belowTarget.length)
    out.push(
      para(
        `Có ${num(f.belowTarget.length)} trường chưa đạt chỉ tiêu kết nạp: ` +
          f.belowTarget.map((b) => `${b.name} (${num(b.admitted)}/${num(b.target)})`).join('; ') +
          '.',
      ),
    );
  const worst = f.stages[0];
  if (worst)
    out.push(
      para(
        `Hiện có ${num(f.total.open)} hồ sơ đang trong quy trình; bước tồn đọng nhiều nhất là “${stageName(worst.stage)}” ` +
          `với ${num(worst.open)} hồ sơ${worst.overdue ? `, trong đó ${num(worst.overdue)} hồ sơ quá hạn` : ''}.`,
      ),
    );
  if (f.overdue.length) {
    out.push(para(`Các hồ sơ quá hạn theo quy định (${num(f.total.overdue)} hồ sơ), theo trường và bước:`));
    out.push(overdueTable(f));
  } else out.push(para('Không có hồ sơ quá hạn theo quy định.'));
  return out;
}

/** Section I: how many schools of which kinds, and the students and pupils followed. */
function situation(f: AnnualFigures, issuer: ReportIssuer): BodyBlock {
  const one = f.schools.length === 1 ? f.schools[0] : null;
  if (one && issuer.level === 'school') {
    const who = one.kind === 'high_school' ? 'học sinh' : 'sinh viên';
    return para(
      `Năm ${f.year}, ${issuer.scopeName} có ${num(one.members)} đoàn viên là ${who} đang được theo dõi trên hệ thống.`,
    );
  }
  const kinds = f.kinds.map((k) => `${num(k.schools)} trường ${KIND_LABEL[k.kind].toLowerCase()}`).join(', ');
  return para(
    `Năm ${f.year}, ${issuer.scopeName} có ${num(f.total.schools)} trường${kinds ? ` (${kinds})` : ''}; ` +
      `hệ thống đang theo dõi ${num(f.students.higher)} đoàn viên là sinh viên các trường đại học, cao đẳng ` +
      `và ${num(f.students.upperSecondary)} đoàn viên là học sinh trung học phổ thông.`,
  );
}

/** The annual report for `figures`, issued by `issuer`, dated `day`. */
export function buildAnnualReport(
  figures: AnnualFigures,
  issuer: ReportIssuer,
  day: DateLike,
): AnnualReportDocument {
  const f = figures;
  const province = issuer.level === 'province';
  const doc: AnnualReportDocument = {
    kind: 'annual_report',
    year: f.year,
    family: 'union',
    formLabel: null,
    issuer: issuer.heading,
    motto: 'ĐOÀN TNCS HỒ CHÍ MINH',
    number: documentNumber(null, 'BC', issuer.symbol),
    placeDate: placeDateLine(issuer.place, day),
    title: 'BÁO CÁO',
    summary: `Kết quả công tác phát triển đảng viên trong học sinh, sinh viên năm ${f.year}`,
    body: [
      heading('I. ĐẶC ĐIỂM TÌNH HÌNH'),
      situation(f, issuer),
      ...results(f, issuer),
      ...bottlenecks(f),
      heading('IV. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM TỚI'),
      ...blankLines(4),
    ],
    recipients: province
      ? [
          '- Ban Bí thư Trung ương Đoàn (b/c);',
          '- Thường trực Tỉnh ủy (b/c);',
          '- Ban Tổ chức Tỉnh ủy;',
          '- Các cơ sở Đoàn trường học;',
          '- Lưu VP, TNTH.',
        ]
      : ['- Ban Thường vụ Tỉnh đoàn (b/c);', '- Đảng ủy nhà trường (b/c);', '- Lưu VP.'],
    signature: { authority: issuer.authority, position: issuer.position, name: issuer.signer },
  };
  return nfcDeep(doc);
}

/** A download name without diacritics: "Bao-cao-nam-2026.pdf". */
export const annualReportFileName = (year: number, extension: string) => `Bao-cao-nam-${year}${extension}`;
