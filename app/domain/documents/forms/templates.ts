/**
 * Forms whose body a person writes (3, 5, 10, 11, 12-KNĐ): templates pre-filled with
 * every field the record knows and dotted blanks for the rest; and the candidate's own
 * papers (1-KNĐ application, 2-KNĐ personal history), given blank. These never refuse:
 * a template with blanks is always printable. The personal history is never filled:
 * the app keeps no relatives' details (Law 91/2025, domain.md §7).
 */
import type { DocumentInput } from '../input.ts';
import {
  BLANK,
  SHORT_BLANK,
  blankLines,
  centered,
  field,
  nfc,
  para,
  personName,
  placeDateLine,
  run,
  shortDate,
} from '../format.ts';
import type { FormCode, OfficialDocument, Paragraph, SignatureBlock } from '../types.ts';
import { PARTY_MOTTO, issued } from './common.ts';

/** A paper a person signs for themself: no issuing body, the motto centred, no number. */
function personal(
  form: FormCode,
  input: DocumentInput | null,
  title: string,
  body: Paragraph[],
  signature: SignatureBlock,
  summary: string | null = null,
): OfficialDocument {
  return {
    form,
    family: 'party',
    formLabel: `Mẫu ${form}`,
    issuer: null,
    motto: PARTY_MOTTO,
    number: null,
    placeDate: placeDateLine(input?.place ?? '', null),
    title,
    summary,
    body,
    recipients: [],
    signature,
    filled: false,
    source: { memberIds: input ? [input.candidate.id] : [], refNo: null, refDay: null },
  };
}

const to = (who: string): Paragraph => ({
  runs: [run('Kính gửi: ', { bold: true }), run(who)],
  align: 'center',
});

/** 1-KNĐ: the application letter, blank (the candidate writes it by hand). */
export function applicationTemplate(): OfficialDocument {
  return personal(
    '1-KNĐ',
    null,
    'ĐƠN XIN VÀO ĐẢNG',
    [
      to(`Chi bộ ${BLANK}`),
      field('Tôi là', null),
      field('Sinh ngày', null),
      field('Quê quán', null),
      field('Nơi ở hiện nay', null),
      field('Nghề nghiệp', null),
      para(
        'Được học tập, nghiên cứu Điều lệ Đảng Cộng sản Việt Nam, Cương lĩnh chính trị, đường lối, chính sách của Đảng, tôi tự nguyện làm đơn này xin vào Đảng Cộng sản Việt Nam.',
      ),
      para('Tôi xin trình bày những nhận thức, động cơ vào Đảng như sau:'),
      ...blankLines(6),
      para(
        'Tôi xin hứa: tuyệt đối trung thành với Đảng, phấn đấu cho mục đích, lý tưởng của Đảng; chấp hành nghiêm Cương lĩnh chính trị, Điều lệ Đảng và pháp luật của Nhà nước.',
      ),
    ],
    { authority: null, position: 'NGƯỜI LÀM ĐƠN', name: null },
  );
}

/** 2-KNĐ: the personal history, blank: its headings only (the candidate fills it by hand). */
export function personalHistoryTemplate(): OfficialDocument {
  const sections = [
    '1. Lịch sử bản thân',
    '2. Những công tác và chức vụ đã qua',
    '3. Đặc điểm lịch sử',
    '4. Những lớp đào tạo, bồi dưỡng đã qua',
    '5. Đi nước ngoài',
    '6. Khen thưởng',
    '7. Kỷ luật',
    '8. Hoàn cảnh gia đình',
    '9. Tự nhận xét',
  ];
  return personal(
    '2-KNĐ',
    null,
    'LÝ LỊCH CỦA NGƯỜI XIN VÀO ĐẢNG',
    [
      field('Họ và tên đang dùng', null),
      field('Họ và tên khai sinh', null),
      field('Nam, nữ', null),
      field('Sinh ngày', null),
      field('Nơi sinh', null),
      field('Quê quán', null),
      field('Nơi thường trú', null),
      field('Nơi tạm trú', null),
      field('Nghề nghiệp hiện nay', null),
      field('Trình độ hiện nay', null),
      ...sections.flatMap((s) => [
        para([run(s, { bold: true })], { indent: false, align: 'left', spaceBefore: 6 }),
        ...blankLines(3),
      ]),
      centered('LỜI CAM ĐOAN', { bold: true }),
      para(
        'Tôi cam đoan đã khai đầy đủ, rõ ràng và chịu trách nhiệm về những nội dung đã khai trong lý lịch.',
      ),
    ],
    { authority: null, position: 'NGƯỜI KHAI LÝ LỊCH', name: null },
  );
}

/** 3-KNĐ: an official member's introduction, pre-filled with the candidate and introducer. */
export function introducerTemplate(input: DocumentInput): OfficialDocument {
  const c = input.candidate;
  const introducer = (c.pipeline?.introducers ?? []).find((x) => x.kind !== 'union');
  const name = personName(c.fullName);
  return personal(
    '3-KNĐ',
    input,
    'GIẤY GIỚI THIỆU NGƯỜI VÀO ĐẢNG',
    [
      to(input.bodies.cell.name),
      field('Tôi là', introducer?.name),
      field('Là đảng viên chính thức, sinh hoạt tại', null),
      field(
        'Thời gian cùng công tác, học tập với người vào Đảng',
        introducer?.monthsTogether ? `${introducer.monthsTogether} tháng` : null,
      ),
      para(
        `Tôi giới thiệu quần chúng ${name}, sinh ngày ${shortDate(c.dateOfBirth)}${nfc(c.branchName) ? `, ${nfc(c.branchName)}` : ''}, vào Đảng Cộng sản Việt Nam.`,
      ),
      para([run('Ưu điểm: ', { bold: true })], { indent: false, align: 'left' }),
      ...blankLines(3),
      para([run('Khuyết điểm: ', { bold: true })], { indent: false, align: 'left' }),
      ...blankLines(3),
      para(
        `Tôi xin chịu trách nhiệm trước Đảng về sự giới thiệu của mình và tiếp tục giúp đỡ quần chúng ${name} phấn đấu trở thành đảng viên.`,
      ),
    ],
    { authority: null, position: 'NGƯỜI GIỚI THIỆU', name: nfc(introducer?.name) || null },
  );
}

/** A summary of opinions the chi ủy compiles (5-KNĐ, 12-KNĐ): issued by the chi bộ, unnumbered. */
function opinionsSummary(
  form: '5-KNĐ' | '12-KNĐ',
  input: DocumentInput,
  title: string,
  summary: string,
  lead: Paragraph[],
): OfficialDocument {
  const sources = (input.candidate.pipeline?.opinions ?? [])
    .map((o) => `- ${nfc(o.source) || BLANK}${o.date ? ` (ngày ${shortDate(o.date)})` : ''}: ${BLANK}`)
    .map((t) => para(t, { indent: false, align: 'left' }));
  return issued({
    form,
    body: input.bodies.cell,
    numberKind: null,
    day: null,
    place: input.place,
    title,
    summary,
    paragraphs: [
      ...lead,
      para(
        [
          run('Ý kiến nhận xét của các tổ chức đoàn thể chính trị - xã hội và chi ủy nơi cư trú:', {
            bold: true,
          }),
        ],
        { indent: false, align: 'left' },
      ),
      ...(sources.length ? sources : blankLines(3)),
      para([run('Ưu điểm: ', { bold: true })], { indent: false, align: 'left' }),
      ...blankLines(2),
      para([run('Khuyết điểm: ', { bold: true })], { indent: false, align: 'left' }),
      ...blankLines(2),
      field(
        'Tổng số người được hỏi ý kiến',
        `${SHORT_BLANK}; số đồng ý: ${SHORT_BLANK}; số không đồng ý: ${SHORT_BLANK}`,
      ),
    ],
    recipients: ['- Lưu chi bộ.'],
    candidates: [input.candidate],
    filled: false,
  });
}

/** 5-KNĐ: opinions on the candidate, with the sources the record lists. */
export function opinionsTemplate(input: DocumentInput): OfficialDocument {
  const c = input.candidate;
  return opinionsSummary(
    '5-KNĐ',
    input,
    'TỔNG HỢP Ý KIẾN NHẬN XÉT',
    'của tổ chức đoàn thể chính trị - xã hội nơi làm việc và chi ủy nơi cư trú đối với người vào Đảng',
    [
      field('Họ và tên người vào Đảng', c.fullName),
      field('Sinh ngày', shortDate(c.dateOfBirth)),
      field('Đơn vị', c.branchName),
    ],
  );
}

/** 10-KNĐ: the probationary member's self-review, pre-filled with the admission facts. */
export function selfReviewTemplate(input: DocumentInput): OfficialDocument {
  const c = input.candidate;
  const p = c.pipeline;
  return personal(
    '10-KNĐ',
    input,
    'BẢN TỰ KIỂM ĐIỂM',
    [
      to(input.bodies.cell.name),
      field('Họ và tên', c.fullName),
      field('Sinh ngày', shortDate(c.dateOfBirth)),
      field('Ngày vào Đảng', shortDate(p?.ceremonyDate)),
      field(
        'Thời gian dự bị',
        `từ ngày ${shortDate(p?.probation?.start)} đến ngày ${shortDate(p?.probation?.end)}`,
      ),
      para([run('Ưu điểm:', { bold: true })], { indent: false, align: 'left' }),
      ...blankLines(4),
      para([run('Khuyết điểm, hạn chế và biện pháp khắc phục:', { bold: true })], {
        indent: false,
        align: 'left',
      }),
      ...blankLines(4),
      para('Tôi đề nghị chi bộ xem xét, đề nghị cấp ủy có thẩm quyền công nhận tôi là đảng viên chính thức.'),
    ],
    { authority: null, position: 'NGƯỜI TỰ KIỂM ĐIỂM', name: nfc(c.fullName) || null },
    'của đảng viên dự bị',
  );
}

/** 11-KNĐ: the helping member's review of the probationary member. */
export function helperReviewTemplate(input: DocumentInput): OfficialDocument {
  const c = input.candidate;
  const p = c.pipeline;
  return personal(
    '11-KNĐ',
    input,
    'BẢN NHẬN XÉT ĐẢNG VIÊN DỰ BỊ',
    [
      to(input.bodies.cell.name),
      field('Tôi là', p?.helperName),
      para(
        `Được chi bộ phân công giúp đỡ đảng viên dự bị ${personName(c.fullName)}, sinh ngày ${shortDate(c.dateOfBirth)}, vào Đảng ngày ${shortDate(p?.ceremonyDate)}. Tôi nhận xét như sau:`,
      ),
      para([run('Ưu điểm:', { bold: true })], { indent: false, align: 'left' }),
      ...blankLines(3),
      para([run('Khuyết điểm:', { bold: true })], { indent: false, align: 'left' }),
      ...blankLines(3),
      para(`Đề nghị chi bộ xem xét, công nhận đồng chí ${personName(c.fullName)} là đảng viên chính thức.`),
    ],
    { authority: null, position: 'ĐẢNG VIÊN GIÚP ĐỠ', name: nfc(p?.helperName) || null },
  );
}

/** 12-KNĐ: opinions on the probationary member. */
export function probationOpinionsTemplate(input: DocumentInput): OfficialDocument {
  const c = input.candidate;
  return opinionsSummary(
    '12-KNĐ',
    input,
    'TỔNG HỢP Ý KIẾN NHẬN XÉT',
    'của tổ chức đoàn thể chính trị - xã hội nơi làm việc và chi ủy nơi cư trú đối với đảng viên dự bị',
    [
      field('Họ và tên đảng viên dự bị', c.fullName),
      field('Sinh ngày', shortDate(c.dateOfBirth)),
      field('Ngày vào Đảng', shortDate(c.pipeline?.ceremonyDate)),
    ],
  );
}
