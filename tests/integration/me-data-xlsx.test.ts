/**
 * The student's readable copy of her data: an .xlsx with one sheet per section, Vietnamese
 * labels and dates as dd/mm/yyyy, the sensitive fields as in the JSON export (and the read
 * logged), never another student's data; the printable page has the same sections, without
 * the sensitive fields.
 */
import ExcelJS from 'exceljs';
import type { Types } from 'mongoose';
import mongoose from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { Member } from '../../models/member.ts';
import { User } from '../../models/user.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { loader as xlsxLoader } from '~/routes/me.data[.]xlsx';
import { loader as printLoader } from '~/routes/me.print';
import { signIn } from '../fixtures/auth.ts';
import { call, context, get } from '../fixtures/remix.ts';

let student: string;
let memberId: Types.ObjectId;
let other: { fullName: string; studentCode: string };

beforeAll(async () => {
  await seedDatabase({ members: 40, seed: 1, reset: true });
  student = await signIn('sinhvien@demo.vn');
  memberId = (await User.findOne({ email: 'sinhvien@demo.vn' }).lean())!.memberId as Types.ObjectId;
  await Member.updateOne(
    { _id: memberId },
    {
      $set: {
        dateOfBirth: new Date('2005-03-07T00:00:00Z'),
        citizenId: '051205000123',
        union: { joinedAt: new Date('2020-03-26T00:00:00Z'), cardNumber: 'DV-0042' },
      },
    },
  );
  other = (await Member.findOne({ _id: mongoose.trusted({ $ne: memberId }) }).lean())!;
});

async function workbook() {
  const res = (await xlsxLoader({
    request: get('/me/data.xlsx', student),
    params: {},
    context: context(),
  })) as Response;
  expect(res.status).toBe(200);
  expect(res.headers.get('Content-Type')).toContain('spreadsheetml');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(await res.arrayBuffer());
  return wb;
}

const cells = (ws: ExcelJS.Worksheet) => {
  const out: string[][] = [];
  ws.eachRow((row) => out.push((row.values as unknown[]).slice(1).map((v) => String(v ?? ''))));
  return out;
};

describe('/me/data.xlsx', () => {
  it('has one sheet per section, Vietnamese labels and dd/mm/yyyy dates', async () => {
    const wb = await workbook();
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      'Thông tin cá nhân',
      'Đoàn viên',
      'Học tập, khen thưởng, hoạt động',
      'Các bước kết nạp',
      'Minh chứng đã gửi',
      'Đồng ý xử lý dữ liệu',
    ]);
    const identity = cells(wb.getWorksheet('Thông tin cá nhân')!);
    expect(identity[0]).toEqual(['Thông tin', 'Nội dung']);
    expect(identity).toContainEqual(['Ngày sinh', '07/03/2005']);
    // The sensitive fields, as in the JSON export.
    expect(identity).toContainEqual(['Số CCCD', '051205000123']);
    const union = cells(wb.getWorksheet('Đoàn viên')!);
    expect(union).toContainEqual(['Ngày vào Đoàn', '26/03/2020']);
    expect(union).toContainEqual(['Số thẻ đoàn viên', 'DV-0042']);
    // Reading the sensitive fields is logged, as for the JSON export.
    expect(
      await AuditEvent.countDocuments({ action: 'member.self.export', entityId: memberId }),
    ).toBeGreaterThan(0);
  });

  it("never holds another student's data", async () => {
    const wb = await workbook();
    const all = wb.worksheets.flatMap((ws) => cells(ws).flat()).join('\n');
    expect(all).toContain('07/03/2005');
    expect(all).not.toContain(other.fullName);
    expect(all).not.toContain(other.studentCode);
  });

  it('is for students only', async () => {
    const admin = await signIn('admin@demo.vn');
    expect((await call(xlsxLoader, get('/me/data.xlsx', admin))).status).toBe(403);
  });
});

describe('/me/print', () => {
  it('has the same sections, without the sensitive fields', async () => {
    const res = await call(printLoader, get('/me/print', student));
    expect(res.status).toBe(200);
    const sections = res.data.sections as { id: string; rows: string[][] }[];
    expect(sections.map((s) => s.id)).toEqual([
      'identity',
      'union',
      'records',
      'pipeline',
      'submissions',
      'consent',
    ]);
    const identity = sections[0].rows;
    expect(identity).toContainEqual(['Ngày sinh', '07/03/2005']);
    expect(identity.map((r) => r[0])).not.toContain('Số CCCD');
    expect(JSON.stringify(sections)).not.toContain('051205000123');
  });
});
