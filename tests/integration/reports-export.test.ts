import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { Unit } from '../../models/unit.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { loader as printLoader } from '~/routes/reports.print';
import { loader as xlsxLoader } from '~/routes/reports[.]xlsx';
import { signIn } from '../fixtures/auth.ts';
import { BASE, call, context, get } from '../fixtures/remix.ts';

let province: string;

beforeAll(async () => {
  await seedDatabase({ members: 300, seed: 1, reset: true });
  province = await signIn('tinhdoan@demo.vn');
});

/** The loader's raw Response (the `call` fixture would read the body as text). */
async function download(path: string, cookie?: string): Promise<Response> {
  try {
    return (await xlsxLoader({ request: get(path, cookie), params: {}, context: context() })) as Response;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

describe('/reports.xlsx', () => {
  it('gives the province a workbook: info sheet, one sheet per table, Vietnamese filename, audited', async () => {
    const audits = await AuditEvent.countDocuments({ action: 'report.export' });
    const res = await download('/reports.xlsx', province);
    expect(res).toHaveStatus(200);
    expect(res.headers.get('Content-Type')).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    const disposition = res.headers.get('Content-Disposition') ?? '';
    expect(disposition).toMatch(/^attachment; filename="bao-cao-ket-nap-\d{4}-\d{2}-\d{2}\.xlsx"/);
    expect(disposition).toMatch(/filename\*=UTF-8''bao-cao-ket-nap-\d{4}-\d{2}-\d{2}\.xlsx$/);

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await res.arrayBuffer());
    const [info, ...sheets] = workbook.worksheets;
    expect(info.name).toBe('Thông tin');
    const provinceName = (await Unit.findOne({ kind: 'province', active: true }).lean())!.name;
    expect(info.getRow(3).getCell(2).value).toBe(provinceName);
    expect(sheets.length).toBeGreaterThan(0);
    for (const sheet of sheets) {
      expect(sheet.name.length).toBeLessThanOrEqual(31);
      expect(sheet.getRow(2).getCell(1).font?.bold).toBe(true);
    }
    // Some figure in the workbook is a real number.
    let numbers = 0;
    for (const sheet of sheets)
      sheet.eachRow((row, r) => {
        if (r > 2) row.eachCell((c) => void (typeof c.value === 'number' && numbers++));
      });
    expect(numbers).toBeGreaterThan(0);

    const events = await AuditEvent.find({ action: 'report.export' }).lean();
    expect(events.length - audits).toBe(1);
    expect(events.at(-1)?.details).toMatchObject({ format: 'xlsx', scope: provinceName });
  });

  it('writes "Tỉ lệ chuyển" as numbers formatted as percentages, not as text', async () => {
    const res = await download('/reports.xlsx', province);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await res.arrayBuffer());
    const funnel = workbook.worksheets.find((s) => s.getRow(2).getCell(4).value === 'Tỉ lệ chuyển')!;
    expect(funnel, 'the funnel sheet').toBeDefined();
    // Row 3 is the first step (no step before it, so no rate); the next ones have a rate.
    expect(funnel.getRow(3).getCell(4).value).toBeNull();
    const rate = funnel.getRow(4).getCell(4);
    expect(rate.numFmt).toBe('0.0%');
    expect(typeof rate.value).toBe('number');
    const [before, here] = [funnel.getRow(3).getCell(3).value, funnel.getRow(4).getCell(3).value];
    expect(rate.value).toBeCloseTo(Number(here) / Number(before), 10);
    expect(rate.value).toBeGreaterThan(0);
    expect(rate.value).toBeLessThanOrEqual(1);
  });

  it('covers only the school for a school role', async () => {
    const res = await download('/reports.xlsx', await signIn('doantruong.pvd@demo.vn'));
    expect(res).toHaveStatus(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await res.arrayBuffer());
    const pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
    expect(workbook.worksheets[0].getRow(3).getCell(2).value).toBe(pvd.name);
  });

  it('is closed to students (403) and to visitors (login)', async () => {
    expect((await download('/reports.xlsx', await signIn('sinhvien@demo.vn'))).status).toBe(403);
    const anonymous = await download('/reports.xlsx');
    expect(anonymous).toHaveStatus(302);
    expect(anonymous.headers.get('Location')).toContain('/login');
  });
});

describe('/reports/print', () => {
  it('returns the dashboard tables, the scope and the time generated', async () => {
    const res = await call(printLoader, get('/reports/print', province));
    expect(res).toHaveStatus(200);
    expect(res.data.tables.length).toBeGreaterThan(0);
    for (const table of res.data.tables) {
      expect(table).toMatchObject({ id: expect.any(String), title: expect.any(String) });
      expect(Array.isArray(table.columns)).toBe(true);
      for (const row of table.rows) expect(row.length).toBeLessThanOrEqual(table.columns.length);
    }
    const provinceName = (await Unit.findOne({ kind: 'province', active: true }).lean())!.name;
    expect(res.data.scopeName).toBe(provinceName);
    expect(res.data.generatedText).toMatch(/^\d{2}:\d{2} \d{2}\/\d{2}\/\d{4}$/);
  });

  it('keeps the query for the links back and to the workbook', async () => {
    const pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
    const res = await call(printLoader, get(`/reports/print?school=${pvd._id}`, province));
    expect(res.data.search).toBe(`?school=${pvd._id}`);
    expect(res.data.scopeName).toBe(pvd.name);
    expect(new URL(`/reports.xlsx${res.data.search}`, BASE).searchParams.get('school')).toBe(String(pvd._id));
  });

  it("carries the official heading of the user's own body, place and date, and a signature block", async () => {
    const pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
    const placeDate = /^Quảng Ngãi, ngày \d{2} tháng \d{2} năm \d{4}$/;
    // The province, even when it picks one school: the report is still the province's.
    const byProvince = await call(printLoader, get(`/reports/print?school=${pvd._id}`, province));
    expect(byProvince.data.heading).toEqual({
      superior: 'BCH TRUNG ƯƠNG ĐOÀN',
      issuer: 'BCH TỈNH ĐOÀN QUẢNG NGÃI',
      motto: 'ĐOÀN TNCS HỒ CHÍ MINH',
      placeDate: expect.stringMatching(placeDate),
      onBehalf: 'TM. BAN THƯỜNG VỤ',
      signerTitle: 'BÍ THƯ',
    });
    const schoolName = pvd.name.toLocaleUpperCase('vi');
    const bySchoolUnion = await call(
      printLoader,
      get('/reports/print', await signIn('doantruong.pvd@demo.vn')),
    );
    expect(bySchoolUnion.data.heading).toMatchObject({
      superior: 'TỈNH ĐOÀN QUẢNG NGÃI',
      issuer: `BCH ĐOÀN ${schoolName}`,
      motto: 'ĐOÀN TNCS HỒ CHÍ MINH',
      placeDate: expect.stringMatching(placeDate),
    });
    const byParty = await call(printLoader, get('/reports/print', await signIn('danguy.pvd@demo.vn')));
    expect(byParty.data.heading).toMatchObject({
      superior: 'ĐẢNG BỘ TỈNH QUẢNG NGÃI',
      issuer: `ĐẢNG ỦY ${schoolName}`,
      motto: 'ĐẢNG CỘNG SẢN VIỆT NAM',
      onBehalf: 'TM. ĐẢNG ỦY',
      signerTitle: 'BÍ THƯ',
    });
  });

  it('is closed to students (403)', async () => {
    const res = await call(printLoader, get('/reports/print', await signIn('sinhvien@demo.vn')));
    expect(res).toHaveStatus(403);
  });
});
