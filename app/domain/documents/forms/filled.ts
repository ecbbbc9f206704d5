/**
 * The forms whose content is the record's: resolutions and decisions filled from a
 * recorded step (HD 12-HD/BTCTW forms 4, 6, 7, 8, 9, 13 and 15-KNĐ). Each builder refuses
 * when its step is not recorded. 4, 8 and 9-KNĐ are the documents the ready queue's bulk
 * steps record for several candidates under one number (bulk-steps.ts): their builders
 * take the list and refuse a list whose records do not share that number and day.
 */
import { dayNumber, type DateLike } from '../../calendar.ts';
import { voteThreshold } from '../../pipeline/rules.ts';
import type { OfficialVote, PipelineVote } from '../../pipeline/types.ts';
import type { DocumentCandidate, DocumentInput } from '../input.ts';
import {
  blankLines,
  citedNumber,
  isDay,
  nfc,
  para,
  personName,
  run,
  share,
  shortDate,
  centered,
  SHORT_BLANK,
} from '../format.ts';
import type { BuildResult, Paragraph } from '../types.ts';
import { describe, issued, notRecorded, ok, refuse } from './common.ts';

/** A step's reference: the number and day one document carries. */
interface Ref {
  number?: string | null;
  date?: DateLike | null;
}

/**
 * Every candidate has the step (`pick` returns its reference) and all share one number and
 * day. Returns the shared reference, or a refusal naming the first that differs.
 */
function sharedRef(
  inputs: DocumentInput[],
  pick: (c: DocumentCandidate) => Ref | null | undefined,
  form: Parameters<typeof notRecorded>[0],
  stepVi: string,
  stepEn: string,
): { ref: Ref } | { refused: BuildResult } {
  if (inputs.length === 0)
    return { refused: refuse('batch_empty', { vi: 'Chưa chọn hồ sơ nào.', en: 'No record selected.' }) };
  const refs = inputs.map((i) => pick(i.candidate));
  const missing = refs.findIndex((r) => !r || !isDay(r.date));
  if (missing >= 0) {
    const who = personName(inputs[missing].candidate.fullName);
    return { refused: notRecorded(form, `${stepVi} của ${who}`, `${stepEn} of ${who}`) };
  }
  const first = refs[0]!;
  const key = (r: Ref) => `${nfc(r.number)}|${dayNumber(r.date)}`;
  const odd = refs.findIndex((r) => key(r!) !== key(first));
  if (odd >= 0) {
    const who = personName(inputs[odd].candidate.fullName);
    return {
      refused: refuse('batch_mismatch', {
        vi: `Hồ sơ của ${who} mang số hoặc ngày văn bản khác: một văn bản chỉ gồm các hồ sơ ghi cùng một số và ngày.`,
        en: `${who}'s record carries another document number or date: one document covers only records with the same number and date.`,
      }),
    };
  }
  return { ref: first };
}

/** "1. Quần chúng Nguyễn Thị Hồng Nhung, sinh ngày 12/03/2006, Chi đoàn …;" */
function listed(
  inputs: DocumentInput[],
  address: 'quần chúng' | 'đồng chí' | 'đoàn viên',
  extra?: (c: DocumentCandidate) => string,
): Paragraph[] {
  return inputs.map((i, n) => {
    const text = describe(i.candidate, address);
    const more = extra ? extra(i.candidate) : '';
    const last = n === inputs.length - 1;
    return para(`${n + 1}. ${text.charAt(0).toUpperCase()}${text.slice(1)}${more}${last ? '.' : ';'}`);
  });
}

function voteLine(v: PipelineVote, what: string): Paragraph {
  const count = v.officialMemberCount ?? 0;
  const yes = v.yes ?? 0;
  const no = v.no ?? 0;
  return para(
    `Tổng số đảng viên chính thức của chi bộ: ${count} đồng chí; số đảng viên chính thức tán thành ${what}: ${yes} đồng chí, đạt ${share(yes, count)} so với tổng số đảng viên chính thức; số không tán thành: ${no} đồng chí.`,
  );
}

const hasVote = (v: PipelineVote | null | undefined): v is PipelineVote =>
  !!v &&
  isDay(v.meetingDate as Date) &&
  typeof v.yes === 'number' &&
  typeof v.officialMemberCount === 'number';

/** The introducers as 6-KNĐ names them: the Union's resolution and the official members. */
function introducersLine(i: DocumentInput): Paragraph | null {
  const p = i.candidate.pipeline;
  const people = (p?.introducers ?? [])
    .filter((x) => x.kind !== 'union')
    .map((x) => `đồng chí ${personName(x.name)}`);
  const union = (p?.introducers ?? []).find((x) => x.kind === 'union');
  const unionNo = union?.refNo ?? p?.unionResolution?.number;
  const parts = [
    ...(union || p?.unionResolution
      ? [`Nghị quyết số ${citedNumber(unionNo, 'NQ', i.bodies.union.symbol)} của ${i.bodies.union.name}`]
      : []),
    ...people,
  ];
  return parts.length ? para(`Người giới thiệu: ${parts.join('; ')}.`) : null;
}

/** 4-KNĐ: the school Union executive introduces outstanding members (one or a batch). */
export function unionIntroduction(inputs: DocumentInput[]): BuildResult {
  const shared = sharedRef(
    inputs,
    (c) => c.pipeline?.unionResolution,
    '4-KNĐ',
    'nghị quyết chọn đoàn viên ưu tú',
    'the Union resolution selecting outstanding members',
  );
  if ('refused' in shared) return shared.refused;
  const [first] = inputs;
  const { union, cell, committee } = first.bodies;
  const single = inputs.length === 1;
  const date = shared.ref.date!;
  const paragraphs: Paragraph[] = [
    para(
      'Căn cứ Điều lệ Đảng Cộng sản Việt Nam, Điều lệ Đoàn TNCS Hồ Chí Minh và hướng dẫn của Ban Tổ chức Trung ương về nghiệp vụ công tác đảng viên;',
    ),
    para(
      `Ngày ${shortDate(date)}, ${union.name} đã họp xét, lựa chọn đoàn viên ưu tú giới thiệu để chi bộ xem xét, kết nạp vào Đảng.`,
    ),
    para(
      `Tổng số ủy viên Ban Chấp hành: ${SHORT_BLANK}; có mặt: ${SHORT_BLANK}; số tán thành: ${SHORT_BLANK}; số không tán thành: ${SHORT_BLANK}.`,
    ),
    centered('QUYẾT NGHỊ', { bold: true }),
    ...(single
      ? [
          para(
            `Giới thiệu ${describe(first.candidate, 'đoàn viên')}, là đoàn viên ưu tú, để ${cell.name} xem xét, kết nạp vào Đảng Cộng sản Việt Nam.`,
          ),
        ]
      : [
          para(
            `Giới thiệu ${inputs.length} đoàn viên ưu tú có tên sau đây để chi bộ xem xét, kết nạp vào Đảng Cộng sản Việt Nam:`,
          ),
          ...listed(inputs, 'đoàn viên'),
        ]),
  ];
  return ok(
    issued({
      form: '4-KNĐ',
      family: 'union',
      body: union,
      numberKind: 'NQ',
      recordedNumber: shared.ref.number,
      day: date,
      place: first.place,
      title: 'NGHỊ QUYẾT',
      summary: 'giới thiệu đoàn viên ưu tú vào Đảng',
      paragraphs,
      recipients: [
        single ? `- ${cell.name},` : '- Các chi bộ có đoàn viên được giới thiệu,',
        `- ${committee.name},`,
        '- Lưu Văn phòng Đoàn.',
      ],
      candidates: inputs.map((i) => i.candidate),
      filled: true,
    }),
  );
}

/** 6-KNĐ: the chi bộ's resolution proposing admission, from its vote. */
export function cellAdmission(input: DocumentInput): BuildResult {
  const v = input.candidate.pipeline?.branchVote;
  if (!hasVote(v)) return notRecorded('6-KNĐ', 'biểu quyết của chi bộ', 'the chi bộ vote');
  const { cell, committee } = input.bodies;
  const name = personName(input.candidate.fullName);
  const intro = introducersLine(input);
  return ok(
    issued({
      form: '6-KNĐ',
      body: cell,
      numberKind: 'NQ',
      recordedNumber: v.resolutionNo,
      day: v.meetingDate,
      place: input.place,
      title: 'NGHỊ QUYẾT',
      summary: 'đề nghị kết nạp đảng viên',
      paragraphs: [
        para(
          `Ngày ${shortDate(v.meetingDate)}, ${cell.name} đã họp xét đơn xin vào Đảng của ${describe(input.candidate, 'quần chúng')}.`,
        ),
        ...(intro ? [intro] : []),
        para(
          'Sau khi xem xét lý lịch, ý kiến nhận xét của các tổ chức đoàn thể và chi ủy nơi cư trú, ý kiến của người giới thiệu, chi bộ đã thảo luận và biểu quyết.',
        ),
        voteLine(v, 'việc kết nạp'),
        para(
          `Chi bộ đề nghị ${committee.name} xem xét, đề nghị cấp có thẩm quyền quyết định kết nạp quần chúng ${name} vào Đảng Cộng sản Việt Nam.`,
        ),
      ],
      recipients: [`- ${committee.name},`, '- Lưu chi bộ.'],
      candidates: [input.candidate],
      filled: true,
    }),
  );
}

/** 7-KNĐ: the partial committee's appraisal of the chi bộ's resolution; its findings are written by hand. */
export function partialAppraisal(input: DocumentInput): BuildResult {
  const v = input.candidate.pipeline?.branchVote;
  if (!hasVote(v))
    return notRecorded('7-KNĐ', 'nghị quyết của chi bộ (6-KNĐ)', 'the chi bộ resolution (6-KNĐ)');
  const { cell, partial, committee } = input.bodies;
  return ok(
    issued({
      form: '7-KNĐ',
      body: partial,
      numberKind: 'BC',
      recordedNumber: null,
      day: null,
      place: input.place,
      title: 'BÁO CÁO',
      summary: 'thẩm định đối với người vào Đảng',
      paragraphs: [
        para(
          `Xét Nghị quyết số ${citedNumber(v.resolutionNo, 'NQ', cell.symbol)} ngày ${shortDate(v.meetingDate)} của ${cell.name} đề nghị kết nạp ${describe(input.candidate, 'quần chúng')}, ${partial.name} đã thẩm định hồ sơ người vào Đảng.`,
        ),
        voteLine(v, 'việc kết nạp'),
        para([run('Kết quả thẩm định lý lịch, hồ sơ:', { bold: true })], { indent: false, align: 'left' }),
        ...blankLines(3),
        para(
          `Tổng số cấp ủy viên: ${SHORT_BLANK}; số tán thành: ${SHORT_BLANK}; số không tán thành: ${SHORT_BLANK}.`,
        ),
        para(
          `${partial.name} đề nghị ${committee.name} xem xét, đề nghị cấp có thẩm quyền quyết định kết nạp quần chúng ${personName(input.candidate.fullName)} vào Đảng Cộng sản Việt Nam.`,
        ),
      ],
      recipients: [`- ${committee.name},`, '- Lưu đảng ủy bộ phận.'],
      candidates: [input.candidate],
      filled: true,
    }),
  );
}

/** 8-KNĐ: the grassroots committee's resolution proposing admission (one or a batch). */
export function committeeAdmission(inputs: DocumentInput[]): BuildResult {
  const shared = sharedRef(
    inputs,
    (c) => c.pipeline?.committeeResolution,
    '8-KNĐ',
    'nghị quyết của đảng ủy',
    'the committee resolution',
  );
  if ('refused' in shared) return shared.refused;
  const [first] = inputs;
  const { cell, committee, deciding } = first.bodies;
  const date = shared.ref.date!;
  const cellRef = (c: DocumentCandidate) => {
    const v = c.pipeline?.branchVote;
    return ` (Nghị quyết số ${citedNumber(v?.resolutionNo, 'NQ', cell.symbol)} ngày ${shortDate(v?.meetingDate)} của chi bộ)`;
  };
  const single = inputs.length === 1;
  return ok(
    issued({
      form: '8-KNĐ',
      body: committee,
      numberKind: 'NQ',
      recordedNumber: shared.ref.number,
      day: date,
      place: first.place,
      title: 'NGHỊ QUYẾT',
      summary: 'đề nghị kết nạp đảng viên',
      paragraphs: [
        para(
          `Ngày ${shortDate(date)}, ${committee.name} đã họp xét hồ sơ đề nghị kết nạp đảng viên của chi bộ.`,
        ),
        para(
          `Tổng số cấp ủy viên: ${SHORT_BLANK}; có mặt: ${SHORT_BLANK}; số tán thành việc kết nạp: ${SHORT_BLANK}; số không tán thành: ${SHORT_BLANK}.`,
        ),
        centered('QUYẾT NGHỊ', { bold: true }),
        ...(single
          ? [
              para(
                `Đề nghị ${deciding.name} xem xét, quyết định kết nạp ${describe(first.candidate, 'quần chúng')}${cellRef(first.candidate)} vào Đảng Cộng sản Việt Nam.`,
              ),
            ]
          : [
              para(
                `Đề nghị ${deciding.name} xem xét, quyết định kết nạp vào Đảng Cộng sản Việt Nam ${inputs.length} quần chúng có tên sau đây:`,
              ),
              ...listed(inputs, 'quần chúng', cellRef),
            ]),
      ],
      recipients: [
        `- ${deciding.name},`,
        single ? `- ${cell.name},` : '- Các chi bộ có liên quan,',
        '- Lưu Văn phòng Đảng ủy.',
      ],
      candidates: inputs.map((i) => i.candidate),
      filled: true,
    }),
  );
}

/** 9-KNĐ: the decision admitting the candidate(s). */
export function admissionDecision(inputs: DocumentInput[]): BuildResult {
  const shared = sharedRef(
    inputs,
    (c) => c.pipeline?.decision,
    '9-KNĐ',
    'quyết định kết nạp',
    'the admission decision',
  );
  if ('refused' in shared) return shared.refused;
  const [first] = inputs;
  const { cell, committee, deciding } = first.bodies;
  const date = shared.ref.date!;
  const issuer = nfc(first.candidate.pipeline?.decision?.issuer) || deciding.name;
  const single = inputs.length === 1;
  const committeeRef = (c: DocumentCandidate) => {
    const r = c.pipeline?.committeeResolution;
    return `Nghị quyết số ${citedNumber(r?.number, 'NQ', committee.symbol)} ngày ${shortDate(r?.date as Date)} của ${committee.name}`;
  };
  const refs = [...new Set(inputs.map((i) => committeeRef(i.candidate)))];
  return ok(
    issued({
      form: '9-KNĐ',
      body: deciding,
      numberKind: 'QĐ',
      recordedNumber: shared.ref.number,
      day: date,
      place: first.place,
      title: 'QUYẾT ĐỊNH',
      summary: 'kết nạp đảng viên',
      paragraphs: [
        centered(issuer.toLocaleUpperCase('vi'), { bold: true }),
        para('- Căn cứ Điều lệ Đảng Cộng sản Việt Nam;', { indent: true }),
        para(
          '- Căn cứ Quy định số 232-QĐ/TW ngày 20/01/2025 của Ban Chấp hành Trung ương về thi hành Điều lệ Đảng;',
        ),
        para(`- Xét đề nghị của chi bộ và ${refs.join('; ')},`),
        centered('QUYẾT ĐỊNH', { bold: true }),
        ...(single
          ? [
              para([
                run('Điều 1. ', { bold: true }),
                run(`Kết nạp ${describe(first.candidate, 'quần chúng')} vào Đảng Cộng sản Việt Nam.`),
              ]),
            ]
          : [
              para([
                run('Điều 1. ', { bold: true }),
                run(`Kết nạp vào Đảng Cộng sản Việt Nam ${inputs.length} quần chúng có tên sau đây:`),
              ]),
              ...listed(inputs, 'quần chúng'),
            ]),
        para('Thời gian dự bị 12 tháng, kể từ ngày chi bộ tổ chức lễ kết nạp.'),
        para([
          run('Điều 2. ', { bold: true }),
          run(
            `${single ? cell.name : 'Các chi bộ có người được kết nạp'} tổ chức lễ kết nạp trong thời hạn 30 ngày làm việc kể từ ngày nhận được Quyết định này; ${committee.name}, chi bộ và ${single ? `quần chúng ${personName(first.candidate.fullName)}` : 'các quần chúng có tên tại Điều 1'} chịu trách nhiệm thi hành Quyết định này.`,
          ),
        ]),
      ],
      recipients: ['- Như Điều 2,', '- Lưu hồ sơ đảng viên,', '- Lưu Văn phòng.'],
      candidates: inputs.map((i) => i.candidate),
      filled: true,
    }),
  );
}

/** The chi bộ's vote that carried official membership: the last one reaching two thirds. */
export function passingOfficialVote(votes: readonly OfficialVote[] | null | undefined): OfficialVote | null {
  const passed = (votes ?? []).filter(
    (v) => hasVote(v) && (v.yes ?? 0) >= voteThreshold(v.officialMemberCount ?? 0),
  );
  return passed.at(-1) ?? null;
}

/** 13-KNĐ: the chi bộ's resolution proposing official membership. */
export function cellOfficial(input: DocumentInput): BuildResult {
  const p = input.candidate.pipeline;
  const v = passingOfficialVote(p?.officialVotes);
  if (!v)
    return notRecorded(
      '13-KNĐ',
      'biểu quyết công nhận đảng viên chính thức đạt tỷ lệ',
      'a passing official-membership vote',
    );
  const { cell, committee, deciding } = input.bodies;
  const name = personName(input.candidate.fullName);
  return ok(
    issued({
      form: '13-KNĐ',
      body: cell,
      numberKind: 'NQ',
      recordedNumber: v.resolutionNo,
      day: v.meetingDate,
      place: input.place,
      title: 'NGHỊ QUYẾT',
      summary: 'đề nghị công nhận đảng viên chính thức',
      paragraphs: [
        para(
          `Ngày ${shortDate(v.meetingDate)}, ${cell.name} đã họp xét đề nghị công nhận đảng viên chính thức cho ${describe(input.candidate, 'đồng chí')}.`,
        ),
        para(
          `Đồng chí ${name} được kết nạp vào Đảng ngày ${shortDate(p?.ceremonyDate)} theo Quyết định số ${citedNumber(p?.decision?.number, 'QĐ', deciding.symbol)} ngày ${shortDate(p?.decision?.date)} của ${nfc(p?.decision?.issuer) || deciding.name}; thời gian dự bị từ ngày ${shortDate(p?.probation?.start)} đến ngày ${shortDate(p?.probation?.end)}.`,
        ),
        para(
          'Sau khi nghe bản tự kiểm điểm của đảng viên dự bị, ý kiến nhận xét của đảng viên chính thức được phân công giúp đỡ và của các tổ chức đoàn thể, chi bộ đã thảo luận và biểu quyết.',
        ),
        voteLine(v, 'việc công nhận đảng viên chính thức'),
        para(
          `Chi bộ đề nghị ${committee.name} xem xét, đề nghị cấp có thẩm quyền quyết định công nhận đảng viên chính thức cho đồng chí ${name}.`,
        ),
      ],
      recipients: [`- ${committee.name},`, '- Lưu chi bộ.'],
      candidates: [input.candidate],
      filled: true,
    }),
  );
}

/** 15-KNĐ: the decision recognising official membership. */
export function officialDecision(input: DocumentInput): BuildResult {
  const p = input.candidate.pipeline;
  const d = p?.officialDecision;
  if (!d || !isDay(d.date as Date))
    return notRecorded(
      '15-KNĐ',
      'quyết định công nhận đảng viên chính thức',
      'the official-membership decision',
    );
  const { cell, committee, deciding } = input.bodies;
  const name = personName(input.candidate.fullName);
  const issuer = nfc(d.issuer) || deciding.name;
  const vote = passingOfficialVote(p?.officialVotes);
  return ok(
    issued({
      form: '15-KNĐ',
      body: deciding,
      numberKind: 'QĐ',
      recordedNumber: d.number,
      day: d.date,
      place: input.place,
      title: 'QUYẾT ĐỊNH',
      summary: 'công nhận đảng viên chính thức',
      paragraphs: [
        centered(issuer.toLocaleUpperCase('vi'), { bold: true }),
        para('- Căn cứ Điều lệ Đảng Cộng sản Việt Nam;'),
        para(
          '- Căn cứ Quy định số 232-QĐ/TW ngày 20/01/2025 của Ban Chấp hành Trung ương về thi hành Điều lệ Đảng;',
        ),
        para(
          `- Xét Nghị quyết số ${citedNumber(vote?.resolutionNo, 'NQ', cell.symbol)} ngày ${shortDate(vote?.meetingDate)} của ${cell.name} và đề nghị của ${committee.name},`,
        ),
        centered('QUYẾT ĐỊNH', { bold: true }),
        para([
          run('Điều 1. ', { bold: true }),
          run(
            `Công nhận ${describe(input.candidate, 'đồng chí')}, đảng viên dự bị, là đảng viên chính thức kể từ ngày ${shortDate(p?.officialDate)}. Tuổi đảng của đồng chí ${name} được tính từ ngày ${shortDate(p?.ceremonyDate)}.`,
          ),
        ]),
        para([
          run('Điều 2. ', { bold: true }),
          run(
            `${committee.name}, ${cell.name} và đồng chí ${name} chịu trách nhiệm thi hành Quyết định này.`,
          ),
        ]),
      ],
      recipients: ['- Như Điều 2,', '- Lưu hồ sơ đảng viên,', '- Lưu Văn phòng.'],
      candidates: [input.candidate],
      filled: true,
    }),
  );
}
