/**
 * Issue 18, through the real import action and page loader with real .xlsx/.csv files:
 * the preview lists the rows as they will be written and the column mapping (STT and
 * Điểm TB named as ignored); a re-import that changes nothing says so, offers no commit
 * and writes nothing; a PDF or a Windows program gets "not an .xlsx/.csv file", not
 * "missing columns"; 31/02/2005 is "no such day". New members, imported or typed in,
 * get the current school year and their branch's course; existing ones keep theirs
 * unless the file sets them.
 */
import ExcelJS from 'exceljs';
import mongoose, { type Types } from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { ImportJob } from '../../models/import-job.ts';
import { Member } from '../../models/member.ts';
import { Unit } from '../../models/unit.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { importProblemMessage } from '~/domain/import-messages';
import { action, loader } from '~/routes/members.import';
import { action as newAction } from '~/routes/members.new';
import { schoolYearOf } from '~/domain/calendar';
import { waitForJob } from '~/utils/members/member-import-job-commit.server';
import { signIn } from '../fixtures/auth.ts';
import { BASE, call, get, post } from '../fixtures/remix.ts';

let union: string;
let branch: { _id: Types.ObjectId; code: string };
let branchCourse: number;

beforeAll(async () => {
  await seedDatabase({ members: 30, seed: 1, reset: true });
  union = await signIn('doantruong.pvd@demo.vn');
  const pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
  // A branch with seeded members: its course is theirs.
  const seeded = (await Member.findOne({ schoolId: pvd._id, cohort: mongoose.trusted({ $gt: 0 }) }).lean())!;
  branch = (await Unit.findById(seeded.branchId).lean())!;
  branchCourse = seeded.cohort!;
});

function upload(file: Blob, filename: string, kind = 'members'): Request {
  const form = new FormData();
  form.set('intent', 'upload');
  form.set('kind', kind);
  form.set('file', file, filename);
  return new Request(`${BASE}/members/import`, { method: 'POST', body: form, headers: { Cookie: union } });
}

async function xlsx(rows: unknown[][]): Promise<Blob> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Đoàn viên');
  for (const r of rows) ws.addRow(r);
  return new Blob([new Uint8Array(await wb.xlsx.writeBuffer())]);
}

const tokenOf = (location: string | null) => new URL(location!, BASE).searchParams.get('token')!;
const page = async (token: string) =>
  (await call(loader, get(`/members/import?token=${token}`, union))).data.upload;

async function check(file: Blob, filename: string) {
  const res = await call(action, upload(file, filename));
  expect(res).toHaveStatus(302);
  const token = tokenOf(res.location);
  return { token, upload: await page(token) };
}

async function commit(token: string) {
  await call(action, post('/members/import', { intent: 'commit', token }, union));
  return waitForJob(token);
}

const HEADER = ['STT', 'Mã sinh viên', 'Họ và tên', 'Ngày sinh', 'Giới tính', 'Chi đoàn', 'Điểm TB'];

describe('the preview', () => {
  it('shows the rows as they will be written, each with its action, and the column mapping', async () => {
    const file = await xlsx([
      HEADER,
      [1, 'PRV001', 'Nguyễn Văn Xem', '05/09/2005', 'Nam', branch.code, '3,2'],
      [2, 'PRV002', 'Trần Thị Thử', '31/02/2005', 'Nữ', branch.code, '3,5'],
    ]);
    const { upload: u } = await check(file, 'xem.xlsx');
    expect(u.preview.mapping).toEqual([
      { column: 'STT', field: null },
      { column: 'Mã sinh viên', field: 'Mã sinh viên/học sinh' },
      { column: 'Họ và tên', field: 'Họ và tên' },
      { column: 'Ngày sinh', field: 'Ngày sinh' },
      { column: 'Giới tính', field: 'Giới tính' },
      { column: 'Chi đoàn', field: 'Chi đoàn' },
      { column: 'Điểm TB', field: null },
    ]);
    expect(u.preview.total).toBe(2);
    expect(u.preview.rows).toEqual([
      {
        row: 2,
        action: 'new',
        values: {
          'Mã sinh viên/học sinh': 'PRV001',
          'Họ và tên': 'Nguyễn Văn Xem',
          'Ngày sinh': '05/09/2005',
          'Giới tính': 'Nam',
          'Chi đoàn': branch.code,
          'Năm học': schoolYearOf(new Date()),
          Khóa: String(branchCourse),
        },
      },
      expect.objectContaining({ row: 3, action: 'error' }),
    ]);
    // 31/02/2005 is written right and names no day.
    const dob = u.problems.find((p: { row: number }) => p.row === 3);
    expect(dob).toMatchObject({ column: 'Ngày sinh', code: 'date_no_such_day' });
    expect(importProblemMessage(dob, 'vi')).toBe('Không có ngày này (31/02/2005).');
  });

  it('lists the first 50 rows of a longer file and says how many there are', async () => {
    const rows = Array.from({ length: 60 }, (_, i) => [
      i + 1,
      `PRL${String(i).padStart(3, '0')}`,
      'Lê Văn Dài',
      '05/09/2005',
      'Nam',
      branch.code,
      '',
    ]);
    const { upload: u } = await check(await xlsx([HEADER, ...rows]), 'dai.xlsx');
    expect(u.preview.total).toBe(60);
    expect(u.preview.rows).toHaveLength(50);
    expect(u.preview.rows[49].row).toBe(51);
  });
});

describe('a re-import that changes nothing', () => {
  it('says so, offers no commit and writes nothing; a changed row names its columns', async () => {
    const csv = (name: string) =>
      new Blob([
        [
          'Mã sinh viên,Họ và tên,Ngày sinh,Giới tính,Chi đoàn',
          `REI001,Phạm Văn Lại,05/09/2005,Nam,${branch.code}`,
          `REI002,${name},17/11/2005,Nữ,${branch.code}`,
        ].join('\n'),
      ]);
    const first = await check(csv('Võ Thị Lần'), 'lan1.csv');
    expect(first.upload).toMatchObject({ canCommit: true, nothingToDo: false });
    expect((await commit(first.token))?.state).toBe('done');

    const again = await check(csv('Võ Thị Lần'), 'lan2.csv');
    expect(again.upload).toMatchObject({
      ok: true,
      canCommit: false,
      nothingToDo: true,
      summary: { rows: 2, toCreate: 0, toUpdate: 0, unchanged: 2 },
    });
    expect(again.upload.preview.rows.map((r: { action: string }) => r.action)).toEqual([
      'unchanged',
      'unchanged',
    ]);
    // Posting the commit anyway starts nothing: no job, no event, no "imported" list.
    const events = await AuditEvent.countDocuments({ action: 'member.import' });
    await call(action, post('/members/import', { intent: 'commit', token: again.token }, union));
    expect((await ImportJob.findOne({ token: again.token }).lean())!.state).toBe('checked');
    expect(await AuditEvent.countDocuments({ action: 'member.import' })).toBe(events);
    expect((await page(again.token)).job).toBeNull();

    const changed = await check(csv('Võ Thị Lần Hai'), 'lan3.csv');
    expect(changed.upload.summary).toMatchObject({ toUpdate: 1, unchanged: 1 });
    expect(changed.upload.preview.rows[1]).toMatchObject({ action: 'changed', changed: ['Họ và tên'] });
    const job = await commit(changed.token);
    expect(job).toMatchObject({ state: 'done', written: 1 });
    expect(job!.memberIds).toHaveLength(1);
  });
});

describe('files that are not spreadsheets', () => {
  // A real one-page PDF: plain ASCII, which a CSV reader would take for a header row.
  const PDF = [
    '%PDF-1.1',
    '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj',
    '2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj',
    '3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] >> endobj',
    'trailer << /Root 1 0 R >>',
    '%%EOF',
  ].join('\n');
  // The start of a Windows program: the MZ header and its DOS stub message.
  const EXE = Buffer.concat([
    Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0xff, 0xff]),
    Buffer.from('This program cannot be run in DOS mode.'),
  ]);

  for (const [name, bytes, format] of [
    ['danh-sach.pdf', Buffer.from(PDF), 'PDF'],
    ['danh-sach.csv', Buffer.from(PDF), 'PDF'],
    ['setup.exe', EXE, 'EXE'],
  ] as const) {
    it(`answers ${name} (${format}) "not an .xlsx/.csv file", not missing columns`, async () => {
      const before = await Member.countDocuments();
      const res = await call(action, upload(new Blob([new Uint8Array(bytes)]), name));
      expect(res).toHaveStatus(400);
      expect(res.data.problems).toEqual([
        { code: 'not_spreadsheet', params: { detail: 'other_format', format } },
      ]);
      expect(importProblemMessage(res.data.problems[0], 'vi')).toMatch(
        new RegExp(`^Đây là tệp ${format}\\. Tệp không phải tệp \\.xlsx hoặc \\.csv`),
      );
      expect(await Member.countDocuments()).toBe(before);
    });
  }
});

describe('school year and course', () => {
  it('a new imported member gets the current school year and its branch’s course; the file’s own win', async () => {
    const file = await xlsx([
      ['Mã sinh viên', 'Họ và tên', 'Ngày sinh', 'Giới tính', 'Chi đoàn', 'Năm học', 'Khóa'],
      ['KHA001', 'Đỗ Văn Mặc', '05/09/2005', 'Nam', branch.code, '', ''],
      ['KHA002', 'Đỗ Thị Riêng', '05/09/2005', 'Nữ', branch.code, '2024-2025', '2023'],
    ]);
    const { token } = await check(file, 'khoa.xlsx');
    expect((await commit(token))?.state).toBe('done');
    expect(await Member.findOne({ studentCode: 'KHA001' }).lean()).toMatchObject({
      schoolYear: schoolYearOf(new Date()),
      cohort: branchCourse,
    });
    expect(await Member.findOne({ studentCode: 'KHA002' }).lean()).toMatchObject({
      schoolYear: '2024-2025',
      cohort: 2023,
    });
  });

  it('an existing member keeps its school year and course unless the file sets them', async () => {
    const seeded = (await Member.findOne({
      branchId: branch._id,
      cohort: mongoose.trusted({ $gt: 0 }),
    }).lean())!;
    const row = (year: string) => `${seeded.studentCode},${seeded.fullName},,,,${year}`;
    const header = 'Mã sinh viên,Họ và tên,Ngày sinh,Giới tính,Chi đoàn,Năm học';
    const same = await check(new Blob([[header, row('')].join('\n')]), 'giu.csv');
    expect(same.upload.summary).toMatchObject({ unchanged: 1, toUpdate: 0 });
    const set = await check(new Blob([[header, row('2023-2024')].join('\n')]), 'dat.csv');
    expect(set.upload.preview.rows[0]).toMatchObject({ action: 'changed', changed: ['Năm học'] });
    expect((await commit(set.token))?.state).toBe('done');
    expect(await Member.findById(seeded._id).lean()).toMatchObject({
      schoolYear: '2023-2024',
      cohort: seeded.cohort,
    });
  });

  it('a member created in the form gets them too, and what the form gives wins', async () => {
    const base = {
      intent: 'save',
      fullName: 'Hồ Văn Mẫu',
      dateOfBirth: '2005-09-05',
      gender: 'male',
      branchId: String(branch._id),
    };
    const plain = await call(newAction, post('/members/new', { ...base, studentCode: 'FRM001' }, union));
    expect(plain).toHaveStatus(302);
    expect(await Member.findOne({ studentCode: 'FRM001' }).lean()).toMatchObject({
      schoolYear: schoolYearOf(new Date()),
      cohort: branchCourse,
    });
    const given = await call(
      newAction,
      post(
        '/members/new',
        { ...base, studentCode: 'FRM002', schoolYear: '2025-2026', cohort: '2024' },
        union,
      ),
    );
    expect(given).toHaveStatus(302);
    expect(await Member.findOne({ studentCode: 'FRM002' }).lean()).toMatchObject({
      schoolYear: '2025-2026',
      cohort: 2024,
    });
    const bad = await call(
      newAction,
      post('/members/new', { ...base, studentCode: 'FRM003', schoolYear: '2025', cohort: 'K45' }, union),
    );
    expect(bad).toHaveStatus(400);
    expect(bad.data.fieldErrors).toMatchObject({
      schoolYear: ['member.v.schoolYear'],
      cohort: ['member.v.cohort'],
    });
  });
});
