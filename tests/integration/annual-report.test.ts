/**
 * "Báo cáo năm" against the database: the province's figures equal plain counts written
 * here, both files read back (PDF text, .docx XML) with their diacritics; a school role
 * gets its own school's version; another scope's school is a 404; audited.
 */
import mongoose from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { Member } from '../../models/member.ts';
import { Unit } from '../../models/unit.ts';
import { EXIT_STAGES } from '~/domain/stages';
import { seedDatabase } from '../../seed/seed.server.ts';
import { loader as docxLoader } from '~/routes/reports.annual[.]docx';
import { loader as pdfLoader } from '~/routes/reports.annual[.]pdf';
import { signIn } from '../fixtures/auth.ts';
import { docxText, pdfPageTexts, squeeze } from '../fixtures/document-files.ts';
import { context, get } from '../fixtures/remix.ts';

let province: string;
let union: string;
let party: string;
let student: string;
let pvd: { _id: mongoose.Types.ObjectId; name: string };
let otherSchool: { _id: mongoose.Types.ObjectId; name: string };
let legacySchool: mongoose.Types.ObjectId;
const year = new Date(Date.now() + 7 * 3600_000).getUTCFullYear();

beforeAll(async () => {
  await seedDatabase({ members: 600, seed: 3, reset: true });
  [province, union, party, student] = await Promise.all(
    ['tinhdoan@demo.vn', 'doantruong.pvd@demo.vn', 'danguy.pvd@demo.vn', 'sinhvien@demo.vn'].map((e) =>
      signIn(e),
    ),
  );
  pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
  otherSchool = (await Unit.findOne({
    kind: 'school',
    active: true,
    _id: mongoose.trusted({ $ne: pvd._id }),
  }).lean())!;
  legacySchool = (await Unit.findOne({ kind: 'school', active: false }).lean())!._id;
}, 120_000);

async function download(format: 'docx' | 'pdf', qs: string, cookie?: string): Promise<Response> {
  const loader = format === 'pdf' ? pdfLoader : docxLoader;
  try {
    return (await loader({
      request: get(`/reports/annual.${format}${qs}`, cookie),
      params: {},
      context: context(),
    })) as Response;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

const bytes = async (res: Response) => new Uint8Array(await res.arrayBuffer());
const vi = (n: number) => n.toLocaleString('vi-VN');

/** Plain counts of what the report states, in the province's scope. */
async function handCounts(extra: Record<string, unknown> = {}) {
  const provinceId = (await Unit.findOne({ kind: 'province', active: true }).lean())!._id;
  const between = mongoose.trusted({
    $gte: new Date(Date.UTC(year, 0, 1)),
    $lt: new Date(Date.UTC(year + 1, 0, 1)),
  });
  const scope = { ancestors: provinceId, ...extra };
  const notExited = { 'pipeline.stage': mongoose.trusted({ $nin: [...EXIT_STAGES] }) };
  const [selected, admitted, official, higher, upperSecondary] = await Promise.all([
    Member.countDocuments({ ...scope, 'pipeline.unionResolution.date': between }),
    Member.countDocuments({ ...scope, 'pipeline.decision.date': between }),
    Member.countDocuments({ ...scope, 'pipeline.officialDate': between }),
    Member.countDocuments({
      ...scope,
      ...notExited,
      schoolKind: mongoose.trusted({ $in: ['university', 'college'] }),
    }),
    Member.countDocuments({ ...scope, ...notExited, schoolKind: 'high_school' }),
  ]);
  return { selected, admitted, official, higher, upperSecondary };
}

describe('/reports/annual.pdf and .docx for the province', () => {
  it("states the year's figures, equal to plain counts, in both files, in NFC with no replacement characters", async () => {
    const want = await handCounts();
    expect(want.selected + want.admitted + want.official).toBeGreaterThan(0);
    const audits = await AuditEvent.countDocuments({ action: 'report.export' });

    const pdf = await download('pdf', `?year=${year}`, province);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('Content-Type')).toBe('application/pdf');
    expect(pdf.headers.get('Content-Disposition')).toBe(`attachment; filename="Bao-cao-nam-${year}.pdf"`);
    const text = (await pdfPageTexts(await bytes(pdf))).join(' ');

    const docx = await download('docx', `?year=${year}`, province);
    expect(docx.status).toBe(200);
    const word = await docxText(await bytes(docx));

    for (const s of [text, squeeze(word)]) {
      expect(s).toBe(s.normalize('NFC'));
      expect(s).not.toContain('\uFFFD');
      expect(s).toContain('BCH ĐOÀN TỈNH QUẢNG NGÃI');
      expect(s).toContain('ĐOÀN TNCS HỒ CHÍ MINH');
      expect(s).toContain('Số ……-BC/TĐTN');
      expect(s).toContain(`Kết quả công tác phát triển đảng viên trong học sinh, sinh viên năm ${year}`);
      expect(s).toContain(
        `theo dõi ${vi(want.higher)} đoàn viên là sinh viên các trường đại học, cao đẳng ` +
          `và ${vi(want.upperSecondary)} đoàn viên là học sinh trung học phổ thông`,
      );
      expect(s).toContain(`giới thiệu ${vi(want.selected)} đoàn viên ưu tú cho Đảng`);
      expect(s).toContain(
        `${vi(want.admitted)} đoàn viên ưu tú là học sinh, sinh viên được kết nạp vào Đảng`,
      );
      expect(s).toContain(`${vi(want.official)} đảng viên trẻ được công nhận đảng viên chính thức`);
      expect(s).toContain(pvd.name);
      expect(s).toContain(otherSchool.name);
      expect(s).toContain('Nơi nhận:');
      expect(s).toContain('TM. BAN THƯỜNG VỤ');
    }
    // The totals rows (by kind, then by school), cell by cell in Word.
    const cells = word.split('\n');
    const totals = cells.flatMap((c, i) => (c === 'Tổng cộng' ? [i] : []));
    expect(totals.length).toBeGreaterThanOrEqual(2);
    expect(cells.slice(totals[0] + 3, totals[0] + 5)).toEqual([vi(want.selected), vi(want.admitted)]);
    expect(cells.slice(totals[1] + 1, totals[1] + 3)).toEqual([vi(want.selected), vi(want.admitted)]);

    expect((await AuditEvent.countDocuments({ action: 'report.export' })) - audits).toBe(2);
  });

  it('narrows to one school of the province when picked; a school outside it is a 404', async () => {
    const want = await handCounts({ schoolId: pvd._id });
    const word = await docxText(
      await bytes(await download('docx', `?year=${year}&school=${pvd._id}`, province)),
    );
    expect(word).toContain(
      `${vi(want.admitted)} đoàn viên ưu tú là học sinh, sinh viên được kết nạp vào Đảng`,
    );
    expect(word).not.toContain(otherSchool.name);
    expect((await download('pdf', `?school=${legacySchool}`, province)).status).toBe(404);
  });
});

describe('school roles and access', () => {
  it("a school role gets its own school's version, issued by its school Union", async () => {
    const want = await handCounts({ schoolId: pvd._id });
    for (const cookie of [union, party]) {
      const text = (await pdfPageTexts(await bytes(await download('pdf', `?year=${year}`, cookie)))).join(
        ' ',
      );
      expect(text).toContain('BCH ĐOÀN TRƯỜNG ĐẠI HỌC PHẠM VĂN ĐỒNG');
      expect(text).toContain('Số ……-BC/ĐTN');
      expect(text).toContain('Đoàn trường đã giới thiệu');
      expect(text).toContain(
        `${vi(want.admitted)} đoàn viên ưu tú là học sinh, sinh viên được kết nạp vào Đảng`,
      );
      expect(text).not.toContain(otherSchool.name);
    }
  });

  it("the school's version prints its Union's signer from the school's document settings", async () => {
    const signer = 'Lê Hoàng Bảo Ngọc';
    await Unit.updateOne({ _id: pvd._id }, { $set: { documentBodies: { union: { signer } } } });
    try {
      const text = (await pdfPageTexts(await bytes(await download('pdf', `?year=${year}`, union)))).join(' ');
      expect(text.normalize('NFC')).toContain(signer);
    } finally {
      await Unit.updateOne({ _id: pvd._id }, { $unset: { documentBodies: 1 } });
    }
  });

  it('another school, for a school role, is a 404; students are refused; no session goes to sign-in', async () => {
    expect((await download('docx', `?school=${otherSchool._id}`, union)).status).toBe(404);
    expect((await download('pdf', `?school=${otherSchool._id}`, party)).status).toBe(404);
    expect((await download('pdf', '', student)).status).toBe(403);
    const anonymous = await download('pdf', '');
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get('Location')).toMatch(/^\/login/);
  });

  it('a year out of range falls back to this year rather than failing', async () => {
    const res = await download('docx', '?year=abc', province);
    expect(res.status).toBe(200);
    expect(await docxText(await bytes(res))).toContain(`năm ${year}`);
  });
});
