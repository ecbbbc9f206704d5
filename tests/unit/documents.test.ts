/**
 * Official documents' content (issue 20): every field in its region, Vietnamese dates,
 * numbers and symbols, names as recorded (NFC, family name first), refusals for steps
 * not recorded, and batches under one number.
 */
import { describe, expect, it } from 'vitest';
import {
  FORM_CODES,
  buildBatch,
  buildDocument,
  documentNumber,
  passingOfficialVote,
  placeDateLine,
  vietnameseDate,
  type BuildResult,
  type OfficialDocument,
} from '../../app/domain/documents/index.ts';
import { batchInputs, documentInput, recordedPipeline } from '../fixtures/documents.ts';

function built(r: BuildResult): OfficialDocument {
  if (!r.ok) throw new Error(`refused: ${r.refusal.message.en}`);
  return r.doc;
}
const bodyText = (doc: OfficialDocument) =>
  doc.body.map((p) => p.runs.map((r) => r.text).join('')).join('\n');

/** Every string anywhere in the document. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

describe('dates and numbers as the rules write them', () => {
  it('writes day and month on two digits', () => {
    expect(vietnameseDate(new Date('2026-12-05T00:00:00Z'))).toBe('ngày 05 tháng 12 năm 2026');
    expect(vietnameseDate(new Date('2026-02-03T00:00:00Z'))).toBe('ngày 03 tháng 02 năm 2026');
    expect(placeDateLine('Quảng Ngãi', new Date('2026-12-05T00:00:00Z'))).toBe(
      'Quảng Ngãi, ngày 05 tháng 12 năm 2026',
    );
  });

  it('takes the day in Vietnam (UTC+7), not UTC', () => {
    expect(vietnameseDate(new Date('2026-12-04T18:00:00Z'))).toBe('ngày 05 tháng 12 năm 2026');
  });

  it('leaves dotted blanks for a missing day', () => {
    expect(vietnameseDate(null)).toBe('ngày …… tháng …… năm ……');
  });

  it('adds the kind and symbol to a bare number and keeps a full one as recorded', () => {
    expect(documentNumber('12', 'NQ', 'ĐU')).toBe('Số 12-NQ/ĐU');
    expect(documentNumber('12-NQ/ĐU', 'NQ', 'ĐU')).toBe('Số 12-NQ/ĐU');
    expect(documentNumber('Số: 12-NQ/ĐU', 'NQ', 'ĐU')).toBe('Số 12-NQ/ĐU');
    expect(documentNumber(null, 'QĐ', 'ĐU')).toBe('Số ……-QĐ/ĐU');
  });
});

describe('6-KNĐ, the chi bộ resolution', () => {
  const doc = built(buildDocument('6-KNĐ', documentInput()));

  it('puts each field in its region', () => {
    expect(doc.formLabel).toBe('Mẫu 6-KNĐ');
    expect(doc.issuer).toEqual({
      superior: 'ĐẢNG ỦY TRƯỜNG ĐẠI HỌC PHẠM VĂN ĐỒNG',
      name: 'CHI BỘ SINH VIÊN',
    });
    expect(doc.motto).toBe('ĐẢNG CỘNG SẢN VIỆT NAM');
    expect(doc.number).toBe('Số 07-NQ/CB');
    expect(doc.placeDate).toBe('Quảng Ngãi, ngày 03 tháng 11 năm 2025');
    expect(doc.title).toBe('NGHỊ QUYẾT');
    expect(doc.summary).toBe('đề nghị kết nạp đảng viên');
    expect(doc.recipients).toEqual(['- Đảng ủy Trường Đại học Phạm Văn Đồng,', '- Lưu chi bộ.']);
    expect(doc.signature).toEqual({ authority: 'T/M CHI BỘ', position: 'BÍ THƯ', name: null });
    expect(doc.source).toEqual({
      memberIds: ['650000000000000000000001'],
      refNo: '07',
      refDay: '2025-11-03',
    });
  });

  it('states the candidate, the introducers and the vote over the official members', () => {
    const text = bodyText(doc);
    expect(text).toContain(
      'quần chúng Nguyễn Thị Hồng Nhung, sinh ngày 12/03/2005, Chi đoàn lớp K45 Kinh tế',
    );
    expect(text).toContain(
      'Nghị quyết số 05-NQ/ĐTN của Ban Chấp hành Đoàn Trường Đại học Phạm Văn Đồng; đồng chí Lê Thị Mỹ Duyên',
    );
    expect(text).toContain('Tổng số đảng viên chính thức của chi bộ: 18 đồng chí');
    expect(text).toContain('tán thành việc kết nạp: 14 đồng chí, đạt 77,8%');
    expect(text).toContain('số không tán thành: 1 đồng chí');
  });
});

describe('names', () => {
  it('prints the name as recorded, family name first, in NFC with spaces collapsed', () => {
    const input = documentInput('  Nguyễn   Thị Hồng Nhung '.normalize('NFD'));
    const doc = built(buildDocument('9-KNĐ', input));
    expect(bodyText(doc)).toContain('quần chúng Nguyễn Thị Hồng Nhung, sinh ngày 12/03/2005');
    expect(bodyText(doc)).not.toContain('Nhung Nguyễn');
  });

  it('has only NFC text in every form, whatever the record holds', () => {
    const input = documentInput('Nguyễn Thị Hồng Nhung'.normalize('NFD'));
    input.bodies.cell.name = 'Chi bộ Sinh viên khóa 45'.normalize('NFD');
    for (const form of FORM_CODES) {
      const r = buildDocument(form, input);
      const doc = built(r);
      for (const s of strings(doc)) expect(s, `${form}: ${s}`).toBe(s.normalize('NFC'));
    }
  });
});

describe('filled forms refuse a step that is not recorded', () => {
  const without = (omit: Partial<ReturnType<typeof recordedPipeline>>) =>
    documentInput(undefined, undefined, recordedPipeline(omit));
  const cases = [
    ['4-KNĐ', { unionResolution: null }],
    ['6-KNĐ', { branchVote: null }],
    ['7-KNĐ', { branchVote: { yes: 3 } }],
    ['8-KNĐ', { committeeResolution: { number: '12' } }],
    ['9-KNĐ', { decision: null }],
    [
      '13-KNĐ',
      { officialVotes: [{ meetingDate: new Date('2026-12-21'), yes: 10, no: 9, officialMemberCount: 19 }] },
    ],
    ['15-KNĐ', { officialDecision: null }],
  ] as const;
  for (const [form, omit] of cases) {
    it(form, () => {
      const r = buildDocument(form, without(omit));
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.refusal.code).toBe('step_not_recorded');
        expect(r.refusal.message.vi).toContain(form);
      }
    });
  }

  it('templates never refuse, and the candidate’s own papers stay blank', () => {
    const bare = documentInput(undefined, undefined, { stage: 'outstanding' });
    for (const form of ['1-KNĐ', '2-KNĐ', '3-KNĐ', '5-KNĐ', '10-KNĐ', '11-KNĐ', '12-KNĐ'] as const) {
      const doc = built(buildDocument(form, bare));
      expect(doc.filled).toBe(false);
    }
    for (const form of ['1-KNĐ', '2-KNĐ'] as const) {
      const doc = built(buildDocument(form, documentInput()));
      expect(strings(doc).join(' ')).not.toContain('Nhung');
      expect(doc.issuer).toBeNull();
      expect(doc.number).toBeNull();
      expect(doc.body.some((p) => p.leader)).toBe(true);
    }
  });
});

describe('decisions', () => {
  it('9-KNĐ: number, date, issuer and articles from the recorded decision', () => {
    const doc = built(buildDocument('9-KNĐ', documentInput()));
    expect(doc.number).toBe('Số 245-QĐ/ĐU');
    expect(doc.placeDate).toBe('Quảng Ngãi, ngày 05 tháng 12 năm 2025');
    expect(doc.title).toBe('QUYẾT ĐỊNH');
    expect(doc.signature?.authority).toBe('T/M BAN THƯỜNG VỤ');
    const text = bodyText(doc);
    expect(text).toContain('BAN THƯỜNG VỤ ĐẢNG ỦY TRƯỜNG ĐẠI HỌC PHẠM VĂN ĐỒNG');
    expect(text).toContain('Nghị quyết số 12-NQ/ĐU ngày 20/11/2025 của Đảng ủy Trường Đại học Phạm Văn Đồng');
    expect(text).toContain('Điều 1. Kết nạp quần chúng Nguyễn Thị Hồng Nhung');
    expect(text).toContain('Thời gian dự bị 12 tháng');
  });

  it('15-KNĐ: official from the official date, party age from the ceremony', () => {
    const doc = built(buildDocument('15-KNĐ', documentInput()));
    expect(doc.number).toBe('Số 318-QĐ/ĐU');
    expect(doc.placeDate).toBe('Quảng Ngãi, ngày 08 tháng 01 năm 2027');
    const text = bodyText(doc);
    expect(text).toContain('là đảng viên chính thức kể từ ngày 19/12/2026');
    expect(text).toContain('được tính từ ngày 19/12/2025');
    expect(text).toContain('Nghị quyết số 21-NQ/CB ngày 21/12/2026 của Chi bộ Sinh viên');
  });

  it('13-KNĐ uses the vote that reached two thirds, not a failed one after or before it', () => {
    const failed = {
      meetingDate: new Date('2026-12-20'),
      yes: 5,
      no: 10,
      officialMemberCount: 19,
      resolutionNo: '20',
    };
    const passed = {
      meetingDate: new Date('2026-12-28'),
      yes: 13,
      no: 6,
      officialMemberCount: 19,
      resolutionNo: '22',
    };
    expect(passingOfficialVote([failed, passed])?.resolutionNo).toBe('22');
    expect(passingOfficialVote([failed])).toBeNull();
    const doc = built(
      buildDocument(
        '13-KNĐ',
        documentInput(undefined, undefined, recordedPipeline({ officialVotes: [failed, passed] })),
      ),
    );
    expect(doc.number).toBe('Số 22-NQ/CB');
    expect(doc.placeDate).toContain('ngày 28 tháng 12 năm 2026');
  });
});

describe('Union and templates', () => {
  it('4-KNĐ is a Union document', () => {
    const doc = built(buildDocument('4-KNĐ', documentInput()));
    expect(doc.family).toBe('union');
    expect(doc.motto).toBe('ĐOÀN TNCS HỒ CHÍ MINH');
    expect(doc.issuer).toEqual({
      superior: 'BCH ĐOÀN TỈNH QUẢNG NGÃI',
      name: 'BCH ĐOÀN TRƯỜNG ĐẠI HỌC PHẠM VĂN ĐỒNG',
    });
    expect(doc.number).toBe('Số 05-NQ/ĐTN');
    expect(doc.signature?.authority).toBe('TM. BAN CHẤP HÀNH');
    expect(bodyText(doc)).toContain('Giới thiệu đoàn viên Nguyễn Thị Hồng Nhung');
  });

  it('3-KNĐ and 11-KNĐ are pre-filled with the introducer and the helper', () => {
    const intro = built(buildDocument('3-KNĐ', documentInput()));
    expect(bodyText(intro)).toContain('Tôi là: Lê Thị Mỹ Duyên');
    expect(bodyText(intro)).toContain('Thời gian cùng công tác, học tập với người vào Đảng: 18 tháng');
    expect(intro.signature).toEqual({
      authority: null,
      position: 'NGƯỜI GIỚI THIỆU',
      name: 'Lê Thị Mỹ Duyên',
    });
    const helper = built(buildDocument('11-KNĐ', documentInput()));
    expect(bodyText(helper)).toContain('Tôi là: Trần Văn Hùng');
    expect(bodyText(helper)).toContain('vào Đảng ngày 19/12/2025');
  });

  it('5-KNĐ lists the recorded opinion sources', () => {
    const doc = built(buildDocument('5-KNĐ', documentInput()));
    expect(bodyText(doc)).toContain('Chi ủy Chi bộ khu dân cư số 3, phường Cẩm Thành (ngày 10/10/2025)');
  });
});

describe('batches recorded under one number', () => {
  it('lists every candidate in the given order under the shared number', () => {
    const inputs = batchInputs(3);
    const doc = built(buildBatch('9-KNĐ', inputs));
    expect(doc.number).toBe('Số 245-QĐ/ĐU');
    expect(doc.source.memberIds).toEqual(inputs.map((i) => i.candidate.id));
    const text = bodyText(doc);
    expect(text).toContain('Kết nạp vào Đảng Cộng sản Việt Nam 3 quần chúng có tên sau đây');
    expect(text.indexOf('1. Quần chúng Phạm Ngọc An')).toBeGreaterThan(0);
    expect(text.indexOf('2. Quần chúng Phạm Ngọc Bình')).toBeGreaterThan(text.indexOf('1. Quần chúng'));
    expect(text).toContain('3. Quần chúng Phạm Ngọc Chi, sinh ngày 12/03/2005, Chi đoàn lớp K45 Kinh tế.');
    for (const form of ['4-KNĐ', '8-KNĐ'] as const) expect(buildBatch(form, inputs).ok).toBe(true);
  });

  it('refuses records with another number or day, an empty list and a form that is not a batch', () => {
    const inputs = batchInputs(3);
    inputs[2].candidate.pipeline = recordedPipeline({
      decision: { number: '246', date: new Date('2025-12-05') },
    });
    const r = buildBatch('9-KNĐ', inputs);
    expect(r.ok || r.refusal.code).toBe('batch_mismatch');
    expect(r.ok || r.refusal.message.vi).toContain('Phạm Ngọc Chi');
    const empty = buildBatch('8-KNĐ', []);
    expect(empty.ok || empty.refusal.code).toBe('batch_empty');
    const single = buildBatch('6-KNĐ', batchInputs(2));
    expect(single.ok || single.refusal.code).toBe('not_a_batch_form');
  });
});
