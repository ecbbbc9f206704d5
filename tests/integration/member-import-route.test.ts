/**
 * The import page end to end through its loader and action: a file with errors gets
 * a report by row and column and writes nothing; a clean file is dry-run, then
 * committed from the server-side store and its rows exist; a file that is not a
 * spreadsheet, has wrong headers or is too large gets a clear message, never a 500.
 * The job is an ImportJob document (decision 020): done is written with the members,
 * a commit that fails leaves the job failed and nothing of the file, a job left
 * committing by a dead process reads as interrupted, and a checked file the process no
 * longer holds (a restart) asks for the upload again.
 */
import ExcelJS from 'exceljs';
import mongoose, { Types } from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { ImportJob } from '../../models/import-job.ts';
import { Member } from '../../models/member.ts';
import { Unit } from '../../models/unit.ts';
import { User } from '../../models/user.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { action, loader } from '~/routes/members.import';
import { loader as templateLoader } from '~/routes/members.import.template';
import { verifyAudit } from '~/utils/audit/audit-verify.server';
import { waitForJob } from '~/utils/members/member-import-job-commit.server';
import { currentOwner } from '~/utils/members/member-import-job-memory.server';
import { UPLOAD_TTL_MS } from '~/utils/members/member-import-job-record.server';
import { STALE_COMMIT_MS } from '~/utils/members/member-import-jobs.server';
import { signIn } from '../fixtures/auth.ts';
import { BASE, call, get, post } from '../fixtures/remix.ts';

let union: string;
let party: string;
let admin: string;
let schoolId: string;
let branchName: string;

beforeAll(async () => {
  await seedDatabase({ members: 30, seed: 1, reset: true });
  [union, party, admin] = await Promise.all(
    ['doantruong.pvd@demo.vn', 'danguy.pvd@demo.vn', 'admin@demo.vn'].map((e) => signIn(e)),
  );
  const pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
  schoolId = String(pvd._id);
  branchName = (await Unit.findOne({ kind: 'branch', ancestors: pvd._id, active: true }).lean())!.code;
});

function upload(
  file: Blob | null,
  filename: string,
  fields: Record<string, string>,
  cookie = union,
): Request {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  if (file) form.set('file', file, filename);
  return new Request(`${BASE}/members/import`, { method: 'POST', body: form, headers: { Cookie: cookie } });
}

async function xlsx(rows: unknown[][]): Promise<Blob> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Đoàn viên');
  for (const r of rows) ws.addRow(r);
  return new Blob([new Uint8Array(await wb.xlsx.writeBuffer())]);
}

const HEADER = ['Mã sinh viên/học sinh', 'Họ và tên', 'Ngày sinh', 'Giới tính', 'Chi đoàn', 'Ngày vào Đoàn'];
const tokenOf = (location: string | null) => new URL(location!, BASE).searchParams.get('token')!;
const report = (token: string, cookie = union) => call(loader, get(`/members/import?token=${token}`, cookie));

describe('uploading', () => {
  it('reports every problem by row and column and writes nothing', async () => {
    const before = await Member.countDocuments();
    const file = await xlsx([
      HEADER,
      ['IMP0001', 'Lê Văn Một', '31/02/2005', 'Nam', branchName, '26/03/2020'],
      ['IMP0002', 'Trần Thị Hai', '01/02/2005', 'Bê đê', 'Không có chi đoàn này', ''],
      ['IMP0001', 'Lê Văn Ba', '01/03/2005', 'Nam', '', ''],
    ]);
    const res = await call(action, upload(file, 'loi.xlsx', { intent: 'upload', kind: 'members' }));
    expect(res).toHaveStatus(302);
    const page = await report(tokenOf(res.location));
    expect(page).toHaveStatus(200);
    const u = page.data.upload;
    expect(u.ok).toBe(false);
    expect(u.canCommit).toBe(false);
    const found = u.problems.map((p: { row: number; column?: string; code: string }) => [
      p.row,
      p.column,
      p.code,
    ]);
    expect(found).toEqual(
      expect.arrayContaining([
        [2, 'Ngày sinh', 'date_no_such_day'],
        [3, 'Giới tính', 'gender_invalid'],
        [3, 'Chi đoàn', 'branch_not_found'],
        [4, 'Mã sinh viên/học sinh', 'duplicate_code'],
      ]),
    );
    expect(await Member.countDocuments()).toBe(before);
    // A report cannot be committed.
    const commit = await call(action, post('/members/import', { intent: 'commit', token: u.token }, union));
    expect(commit).toHaveStatus(302);
    expect(await Member.countDocuments()).toBe(before);
  });

  it('dry-runs a clean file, then commits it from the store, and the rows exist', async () => {
    const before = await Member.countDocuments();
    const csv = [
      HEADER.join(','),
      `IMP1001,Nguyễn Văn Nhập,05/09/2005,Nam,${branchName},26/03/2020`,
      `IMP1002,Phạm Thị Tệp,17/11/2005,Nữ,${branchName},`,
    ].join('\n');
    const res = await call(
      action,
      upload(new Blob([csv], { type: 'text/csv' }), 'sach.csv', { intent: 'upload', kind: 'members' }),
    );
    expect(res).toHaveStatus(302);
    const token = tokenOf(res.location);
    let page = await report(token);
    expect(page.data.upload).toMatchObject({
      ok: true,
      canCommit: true,
      problemCount: 0,
      summary: { rows: 2, toCreate: 2, toUpdate: 0, unchanged: 0 },
    });
    expect(await Member.countDocuments()).toBe(before);

    // Someone else's token is not theirs to commit.
    expect((await report(token, admin)).data.upload).toBeNull();

    const commit = await call(action, post('/members/import', { intent: 'commit', token }, union));
    expect(commit).toRedirectTo(`/members/import?token=${token}`);
    const job = await waitForJob(token);
    expect(job?.state).toBe('done');
    expect(job?.written).toBe(2);
    expect(job?.finishedAt).toBeInstanceOf(Date);
    expect(await Member.countDocuments()).toBe(before + 2);
    const m = (await Member.findOne({ studentCode: 'IMP1001' }).lean())!;
    expect(String(m.schoolId)).toBe(schoolId);
    expect(m.fullName).toBe('Nguyễn Văn Nhập');
    // The job's id names the import in its events: one per member, one for the file.
    const event = await AuditEvent.findOne({ entity: 'MemberImport', entityId: job!._id }).lean();
    expect(event?.details).toMatchObject({ kind: 'members', filename: 'sach.csv', written: 2 });
    expect(await AuditEvent.findOne({ entity: 'Member', entityId: m._id }).lean()).toMatchObject({
      action: 'member.import',
      details: { version: 0, importId: job!._id, row: 2 },
    });
    expect((await verifyAudit()).gaps).toEqual([]);

    page = await report(token);
    expect(page.data.upload.job.state).toBe('done');
    expect(page.data.upload.job.members.map((x: { studentCode: string }) => x.studentCode)).toEqual([
      'IMP1001',
      'IMP1002',
    ]);
    expect(page.data.upload.canCommit).toBe(false);
    // Committing again does nothing more.
    await call(action, post('/members/import', { intent: 'commit', token }, union));
    expect(await Member.countDocuments()).toBe(before + 2);
  });

  it('imports academic results for existing members', async () => {
    const csv = [
      'Mã sinh viên/học sinh,Năm học,Học kỳ,Thang điểm,Điểm TB,Điểm rèn luyện',
      'IMP1001,2024-2025,1,4,"3,4",88',
    ].join('\n');
    const res = await call(action, upload(new Blob([csv]), 'kq.csv', { intent: 'upload', kind: 'results' }));
    expect(res).toHaveStatus(302);
    const token = tokenOf(res.location);
    expect((await report(token)).data.upload.summary.toCreate).toBe(1);
    await call(action, post('/members/import', { intent: 'commit', token }, union));
    expect((await waitForJob(token))?.state).toBe('done');
    const m = (await Member.findOne({ studentCode: 'IMP1001' }).lean())!;
    expect(m.academicTerms).toMatchObject([
      { year: '2024-2025', term: 1, scale: 4, gpa: 3.4, conductScore: 88 },
    ]);
  });

  it('answers a file that is not a spreadsheet with a clear message and writes nothing', async () => {
    const before = await Member.countDocuments();
    const junk = new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 0, 0, 0, 255])]);
    const res = await call(action, upload(junk, 'anh.xlsx', { intent: 'upload', kind: 'members' }));
    expect(res).toHaveStatus(400);
    expect(res.data.problems.map((p: { code: string }) => p.code)).toEqual(['not_spreadsheet']);
    expect(await Member.countDocuments()).toBe(before);
  });

  it('answers wrong headers with the missing columns', async () => {
    const res = await call(
      action,
      upload(
        await xlsx([
          ['Tên', 'Lớp'],
          ['A', 'B'],
        ]),
        'sai.xlsx',
        { intent: 'upload', kind: 'members' },
      ),
    );
    expect(res).toHaveStatus(400);
    expect(res.data.problems[0].code).toBe('missing_header');
  });

  it('answers a file over the size limit with 413 and a message, not a 500', async () => {
    const big = new Blob([new Uint8Array(10 * 1024 * 1024 + 10)]);
    const res = await call(action, upload(big, 'lon.csv', { intent: 'upload', kind: 'members' }));
    expect(res).toHaveStatus(413);
    expect(res.data.problems[0].code).toBe('file_too_large');
  });

  it('asks for a file when none was chosen', async () => {
    const res = await call(action, upload(null, '', { intent: 'upload', kind: 'members' }));
    expect(res).toHaveStatus(400);
    expect(res.data.formError).toBe('import.noFile');
  });

  it('refuses roles without member:import', async () => {
    expect((await call(loader, get('/members/import', party))).status).toBe(403);
    const csv = [HEADER.join(','), `IMP2001,Ai Đó,01/01/2005,Nam,${branchName},`].join('\n');
    expect(
      (await call(action, upload(new Blob([csv]), 'a.csv', { intent: 'upload', kind: 'members' }, party)))
        .status,
    ).toBe(403);
  });

  it('answers 400 to an unknown intent', async () => {
    expect((await call(action, post('/members/import', { intent: 'drop' }, union))).status).toBe(400);
  });
});

/** A clean members file of `n` rows whose codes start with `prefix`. */
async function cleanFile(prefix: string, n: number): Promise<Blob> {
  return xlsx([
    HEADER,
    ...Array.from({ length: n }, (_, i) => [
      `${prefix}${String(i).padStart(4, '0')}`,
      `Nguyễn Văn ${String.fromCharCode(65 + (i % 26))}`,
      '05/09/2005',
      i % 2 ? 'Nữ' : 'Nam',
      branchName,
      '',
    ]),
  ]);
}

async function uploadClean(prefix: string, n: number): Promise<string> {
  const res = await call(
    action,
    upload(await cleanFile(prefix, n), `${prefix}.xlsx`, { intent: 'upload', kind: 'members' }),
  );
  expect(res).toHaveStatus(302);
  return tokenOf(res.location);
}

const codes = (prefix: string) => ({ studentCode: mongoose.trusted({ $regex: `^${prefix}` }) });

describe('the job, kept in the database', () => {
  it('is checked after the upload, committing while it runs, done with the members', async () => {
    const token = await uploadClean('JOBA', 3);
    const stored = (await ImportJob.findOne({ token }).lean())!;
    expect(stored).toMatchObject({
      state: 'checked',
      ok: true,
      kind: 'members',
      filename: 'JOBA.xlsx',
      problemCount: 0,
    });
    expect(stored.expiresAt.getTime() - stored.createdAt.getTime()).toBe(UPLOAD_TTL_MS);
    // The file's bytes are not in the job.
    expect(Object.keys(stored)).not.toContain('buffer');
    await call(action, post('/members/import', { intent: 'commit', token }, union));
    const running = (await ImportJob.findOne({ token }).lean())!;
    expect(['committing', 'done']).toContain(running.state);
    expect(running.owner).toEqual(currentOwner());
    expect((await waitForJob(token))?.state).toBe('done');
    const page = await report(token);
    expect(page.data.upload).toMatchObject({
      state: 'done',
      canCommit: false,
      job: { state: 'done', written: 3 },
    });
  });

  it('a commit whose last write fails leaves the job failed, and no member and no event of the file', async () => {
    const token = await uploadClean('JOBF', 12);
    // A rule the import does not know about makes the insert of the file's last row fail.
    await Member.collection.createIndex(
      { email: 1 },
      { unique: true, name: 'test_email_unique', partialFilterExpression: { email: { $type: 'string' } } },
    );
    try {
      const taken = await Member.collection.insertOne({
        schoolId: new Types.ObjectId(),
        studentCode: 'ELSEWHERE',
        email: 'jobf11@pvd.edu.vn',
      });
      expect(taken.acknowledged).toBe(true);
      // The email only the last row has: re-upload the file with it.
      const rows = Array.from({ length: 12 }, (_, i) => [
        `JOBF${String(i).padStart(4, '0')}`,
        'Trần Thị Lỗi',
        '05/09/2005',
        'Nữ',
        branchName,
        '',
        i === 11 ? 'jobf11@pvd.edu.vn' : '',
      ]);
      const res = await call(
        action,
        upload(await xlsx([[...HEADER, 'Email'], ...rows]), 'f.xlsx', { intent: 'upload', kind: 'members' }),
      );
      const failing = tokenOf(res.location);
      await call(action, post('/members/import', { intent: 'commit', token: failing }, union));
      const job = await waitForJob(failing);
      expect(job).toMatchObject({ state: 'failed', written: 0, problems: [{ code: 'write_conflict' }] });
      expect(await Member.countDocuments(codes('JOBF'))).toBe(0);
      expect(await AuditEvent.countDocuments({ 'details.importId': job!._id })).toBe(0);
      expect(await AuditEvent.countDocuments({ entityId: job!._id })).toBe(0);
      const page = await report(failing);
      expect(page.data.upload).toMatchObject({ state: 'failed', job: { state: 'failed' } });
      expect(page.data.upload.problems).toEqual([{ code: 'write_conflict' }]);
    } finally {
      await Member.collection.deleteOne({ studentCode: 'ELSEWHERE' });
      await Member.collection.dropIndex('test_email_unique');
    }
    // The first upload of the same codes is untouched by all this and still commits.
    await call(action, post('/members/import', { intent: 'commit', token }, union));
    expect((await waitForJob(token))?.state).toBe('done');
    expect(await Member.countDocuments(codes('JOBF'))).toBe(12);
  });

  it('done is written in the transaction: a job that cannot be marked done lands nothing', async () => {
    const token = await uploadClean('JOBL', 300);
    await call(action, post('/members/import', { intent: 'commit', token }, union));
    // Someone else judged the job meanwhile (as a reader does with a dead process's job).
    await ImportJob.updateOne({ token, state: 'committing' }, { $set: { state: 'interrupted' } });
    const job = await waitForJob(token);
    expect(job?.state).toBe('interrupted');
    expect(await Member.countDocuments(codes('JOBL'))).toBe(0);
    expect(await AuditEvent.countDocuments({ 'details.importId': job!._id })).toBe(0);
  });

  it('a job left committing by a process that died reads as interrupted, with nothing written', async () => {
    const unionUser = (await User.findOne({ email: 'doantruong.pvd@demo.vn' }).lean())!;
    const now = Date.now();
    const job = (started: number, owner: { instance: string; boot: string }) => ({
      token: `dead${started}${owner.boot}`.replace(/[^A-Za-z0-9]/g, '').padEnd(24, 'x'),
      userId: unionUser._id,
      schoolId: new Types.ObjectId(schoolId),
      schoolName: 'PVD',
      kind: 'members' as const,
      filename: 'lon.xlsx',
      state: 'committing' as const,
      ok: true,
      summary: { rows: 5000, toCreate: 5000, toUpdate: 0, unchanged: 0 },
      owner,
      createdAt: new Date(started),
      startedAt: new Date(started),
      expiresAt: new Date(now + UPLOAD_TTL_MS),
    });
    const self = currentOwner();
    const [restarted, oldElsewhere, recentElsewhere] = await ImportJob.create([
      // An earlier run of this instance, killed a second ago: this run is not it.
      job(now - 1_000, { instance: self.instance, boot: 'killed-run' }),
      // Another instance, started longer ago than any commit can take.
      job(now - STALE_COMMIT_MS - 1_000, { instance: 'other-host:3000', boot: 'b1' }),
      // Another instance, a few seconds ago: it may well be writing.
      job(now - 5_000, { instance: 'other-host:3000', boot: 'b2' }),
    ]);
    for (const dead of [restarted, oldElsewhere]) {
      const page = await report(dead.token);
      expect(page.data.upload).toMatchObject({
        state: 'interrupted',
        canCommit: false,
        job: { state: 'interrupted' },
      });
      expect((await ImportJob.findById(dead._id).lean())!.state).toBe('interrupted');
    }
    const alive = await report(recentElsewhere.token);
    expect(alive.data.upload.job).toMatchObject({ state: 'committing', phase: 'elsewhere' });
    expect((await ImportJob.findById(recentElsewhere._id).lean())!.state).toBe('committing');
  });

  it('a checked file this process no longer holds asks for the upload again and commits nothing', async () => {
    const unionUser = (await User.findOne({ email: 'doantruong.pvd@demo.vn' }).lean())!;
    const now = new Date();
    const { token } = await ImportJob.create({
      token: 'checkedBeforeTheRestart01',
      userId: unionUser._id,
      schoolId,
      kind: 'members',
      filename: 'a.xlsx',
      state: 'checked',
      ok: true,
      summary: { rows: 2, toCreate: 2, toUpdate: 0, unchanged: 0 },
      createdAt: now,
      expiresAt: new Date(now.getTime() + UPLOAD_TTL_MS),
    });
    let page = await report(token);
    expect(page.data.upload).toMatchObject({ state: 'checked', canCommit: false, fileGone: true, job: null });
    const commit = await call(action, post('/members/import', { intent: 'commit', token }, union));
    expect(commit.location).toBe(`/members/import?token=${token}`);
    page = await report(token);
    expect(page.data.upload).toMatchObject({ state: 'checked', fileGone: true });
  });

  it('an expired job is gone for the page even before the TTL monitor removes it', async () => {
    const token = await uploadClean('JOBX', 1);
    await ImportJob.updateOne({ token }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const page = await report(token);
    expect(page.data.upload).toBeNull();
    expect(page.data.expired).toBe(true);
  });
});

describe('templates', () => {
  it('serves both .xlsx templates and 404s an unknown kind', async () => {
    for (const kind of ['members', 'results']) {
      const req = get(`/members/import/template?kind=${kind}`, union);
      const res = (await templateLoader({ request: req, params: {}, context: {} as never })) as Response;
      expect(res).toHaveStatus(200);
      expect(res.headers.get('Content-Disposition')).toContain('attachment');
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect([bytes[0], bytes[1]]).toEqual([0x50, 0x4b]);
    }
    expect((await call(templateLoader, get('/members/import/template?kind=x', union))).status).toBe(404);
  });
});
