/**
 * Import against the embedded database: the dry run writes nothing, a commit
 * creates, a re-import updates without duplicates, results upsert terms, and a
 * file with one bad row writes nothing at all. A commit is one transaction with one
 * `member.import` event per member (decision 020): a failure of its last write leaves
 * nothing of it, and a commit past its budget gives up writing nothing.
 */
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import mongoose, { Types } from 'mongoose';
import { beforeEach, describe, expect, it } from 'vitest';
import { latestGpa10 } from '~/domain/latest-gpa';
import { appendAudit } from '../../app/utils/audit/audit.server.ts';
import { verifyAudit } from '../../app/utils/audit/audit-verify.server.ts';
import { commitImport } from '../../app/utils/members/member-import-commit.server.ts';
import { dryRun } from '../../app/utils/members/member-import-dry-run.server.ts';
import { memberSearchKey, nameSortKey } from '../../app/domain/text.ts';
import { AuditEvent } from '../../models/audit-event.ts';
import { Member } from '../../models/member.ts';
import { Unit } from '../../models/unit.ts';
import { MEMBER_HEADER, RESULT_HEADER } from '../fixtures/member-sheet.ts';
import { provinceAndUniversity } from '../fixtures/units.ts';

async function xlsx(rows: unknown[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Đoàn viên');
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Branch 12A1 (TQT-12A1) of the other school, a high school. */
const createOtherSchoolBranch = () =>
  Unit.create({
    name: 'Chi đoàn 12A1',
    code: 'TQT-12A1',
    kind: 'branch',
    parentId: otherSchool,
    ancestors: [province, otherSchool],
    schoolId: otherSchool,
    schoolKind: 'high_school',
  });

/** The results import of `rows` for the test school. */
const resultsFile = async (rows: unknown[][], filename = 'kq.xlsx') => ({
  kind: 'results' as const,
  schoolId: school,
  buffer: await xlsx(rows),
  filename,
});

/** Two terms of 2101000001 on the 4-point scale, one of 2101000002 on the 10-point one. */
const THREE_TERMS = [
  RESULT_HEADER,
  ['2101000001', '2024-2025', 1, 4, 3.45, 85],
  ['2101000001', '2024-2025', 2, 4, 3.6, 90],
  ['2101000002', '2024-2025', 1, 10, '8,2', 78],
];

let province: Types.ObjectId;
let school: Types.ObjectId;
let faculty: Types.ObjectId;
let branchA: Types.ObjectId;
let branchB: Types.ObjectId;
let otherSchool: Types.ObjectId;

beforeEach(async () => {
  await mongoose.connection.dropDatabase();
  await Member.syncIndexes();
  province = new Types.ObjectId();
  school = new Types.ObjectId();
  faculty = new Types.ObjectId();
  branchA = new Types.ObjectId();
  branchB = new Types.ObjectId();
  otherSchool = new Types.ObjectId();
  const under = { schoolKind: 'university' as const, schoolId: school };
  await Unit.create([
    ...provinceAndUniversity(province, school),
    {
      _id: faculty,
      name: 'Liên chi đoàn Khoa Sư phạm',
      code: 'PVD-SP',
      kind: 'faculty',
      parentId: school,
      ancestors: [province, school],
      ...under,
    },
    {
      _id: branchA,
      name: 'Chi đoàn K21 Sư phạm Toán',
      shortName: 'K21 SPT',
      code: 'PVD-SP-TOAN-K21',
      kind: 'branch',
      parentId: faculty,
      ancestors: [province, school, faculty],
      ...under,
    },
    {
      _id: branchB,
      name: 'Chi đoàn K22 Sư phạm Văn',
      shortName: 'K22 SPV',
      code: 'PVD-SP-VAN-K22',
      kind: 'branch',
      parentId: faculty,
      ancestors: [province, school, faculty],
      ...under,
    },
    {
      _id: otherSchool,
      name: 'Trường THPT Trần Quốc Tuấn',
      code: 'TQT',
      kind: 'school',
      parentId: province,
      ancestors: [province],
      schoolKind: 'high_school',
      schoolId: null,
    },
  ]);
});

function memberRows(n: number, start = 1): unknown[][] {
  return Array.from({ length: n }, (_, k) => {
    const i = start + k;
    return [
      `21010${String(i).padStart(5, '0')}`,
      ['Nguyễn Thị Ánh', 'Trần Văn Bình', 'Lê Hoàng Đức', 'Phạm Ngọc Ấn'][i % 4] +
        ` ${String.fromCharCode(65 + (i % 26))}`,
      `${String((i % 28) + 1).padStart(2, '0')}/0${(i % 9) + 1}/2005`,
      i % 2 ? 'Nữ' : 'Nam',
      `sv${i}@pvd.edu.vn`,
      `09${String(i).padStart(8, '0')}`,
      i % 3 ? 'K21 Sư phạm Toán' : 'PVD-SP-VAN-K22',
      '26/03/2020',
      `TD${i}`,
      'Kinh',
      'Không',
      `0512050${String(i).padStart(5, '0')}`,
    ];
  });
}

describe('members import', () => {
  it('dry run reports what would happen and writes nothing', async () => {
    const buffer = await xlsx([MEMBER_HEADER, ...memberRows(30)]);
    const report = await dryRun({ kind: 'members', schoolId: school, buffer, filename: 'ds.xlsx' });
    expect(report).toEqual({
      ok: true,
      problems: [],
      summary: { rows: 30, toCreate: 30, toUpdate: 0, unchanged: 0 },
    });
    expect(await Member.countDocuments()).toBe(0);
  });

  it('commit creates members with derived fields; re-import changes nothing; edits update in place', async () => {
    const rows = memberRows(25);
    const buffer = await xlsx([MEMBER_HEADER, ...rows]);
    const progress: [number, number][] = [];
    const first = await commitImport({
      kind: 'members',
      schoolId: String(school),
      buffer,
      filename: 'ds.xlsx',
      batchSize: 10,
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(first).toMatchObject({
      ok: true,
      written: 25,
      summary: { rows: 25, toCreate: 25, toUpdate: 0, unchanged: 0 },
    });
    expect(progress).toEqual([
      [0, 25],
      [10, 25],
      [20, 25],
      [25, 25],
    ]);
    expect(await Member.countDocuments({ schoolId: school })).toBe(25);

    const m = await Member.findOne({ studentCode: '2101000001' }).select('+citizenId').lean();
    expect(m).toMatchObject({
      fullName: rows[0][1],
      searchKey: memberSearchKey(String(rows[0][1]), '2101000001'),
      nameSortKey: nameSortKey(String(rows[0][1])),
      gender: 'female',
      schoolKind: 'university',
      email: 'sv1@pvd.edu.vn',
      phone: '0900000001',
      union: { joinedAt: new Date(Date.UTC(2020, 2, 26)), cardNumber: 'TD1' },
      citizenId: '051205000001',
      pipeline: { stage: 'member' },
    });
    expect(m!.dateOfBirth).toEqual(new Date(Date.UTC(2005, 1, 2)));
    expect(String(m!.branchId)).toBe(String(branchA));
    expect(m!.ancestors.map(String)).toEqual([province, school, faculty, branchA].map(String));
    expect(m!.pipeline.history).toHaveLength(1);
    expect(m!.createdAt).toBeInstanceOf(Date);
    const byCode = await Member.findOne({ studentCode: '2101000003' }).lean();
    expect(String(byCode!.branchId)).toBe(String(branchB)); // matched by branch code
    // The documents pass the model's own validation and carry every default mongoose would set.
    const doc = await Member.findById(m!._id);
    await expect(doc!.validate()).resolves.toBeUndefined();
    const viaMongoose = await Member.create({
      fullName: 'Mẫu Văn Đối Chiếu',
      studentCode: 'REF-1',
      dateOfBirth: new Date(),
      gender: 'male',
      schoolId: otherSchool,
      schoolKind: 'high_school',
    });
    const refKeys = Object.keys((await Member.collection.findOne({ _id: viaMongoose._id }))!);
    const importedKeys = Object.keys((await Member.collection.findOne({ _id: m!._id }))!);
    expect(importedKeys).toEqual(expect.arrayContaining(refKeys));
    expect(m!.createdAt!.getTime()).toBe(m!.updatedAt!.getTime());
    await Member.deleteOne({ _id: viaMongoose._id });

    // Same file again: nothing to create or update, nothing written.
    const again = await commitImport({ kind: 'members', schoolId: school, buffer, filename: 'ds.xlsx' });
    expect(again).toMatchObject({
      ok: true,
      written: 0,
      summary: { toCreate: 0, toUpdate: 0, unchanged: 25 },
    });
    expect(await Member.countDocuments()).toBe(25);

    // Edited file (as CSV this time): one name changed, one row moved branch, two new rows, a sparse row.
    const edited = rows.map((r) => [...r]);
    edited[4][1] = 'Võ Thị Hồng Nhung';
    edited[5][6] = 'PVD-SP-TOAN-K21';
    const sparse = ['2101000007', rows[6][1], '', '', '', '', '', '', '', '', '', ''];
    edited[6] = sparse;
    const csvText =
      '\uFEFF' +
      [MEMBER_HEADER, ...edited, ...memberRows(2, 26)]
        .map((r) => r.map((v) => `"${String(v).replace(/"/g, '""')}"`).join(';'))
        .join('\r\n');
    const before = await Member.findOne({ studentCode: '2101000007' }).select('+citizenId').lean();
    const update = await commitImport({
      kind: 'members',
      schoolId: school,
      buffer: Buffer.from(csvText),
      filename: 'ds.csv',
    });
    expect(update).toMatchObject({
      ok: true,
      summary: { rows: 27, toCreate: 2, toUpdate: 2, unchanged: 23 },
    });
    expect(await Member.countDocuments()).toBe(27);
    const renamed = await Member.findOne({ studentCode: '2101000005' }).lean();
    expect(renamed).toMatchObject({
      fullName: 'Võ Thị Hồng Nhung',
      searchKey: 'vo thi hong nhung 2101000005',
    });
    const moved = await Member.findOne({ studentCode: '2101000006' }).lean();
    expect(String(moved!.branchId)).toBe(String(branchA));
    expect(moved!.ancestors.map(String)).toContain(String(branchA));
    // Empty cells erased nothing.
    const after = await Member.findOne({ studentCode: '2101000007' }).select('+citizenId').lean();
    expect(after).toMatchObject({ email: before!.email, citizenId: before!.citizenId, phone: before!.phone });
  });

  it('a file with one bad row writes nothing at all, and lists every problem', async () => {
    const rows = memberRows(40);
    rows[17][2] = '31/02/2005';
    rows[20][6] = 'Chi đoàn không có';
    rows[30][3] = 'nam giới';
    rows[30][6] = 'K99';
    const buffer = await xlsx([MEMBER_HEADER, ...rows]);
    const report = await commitImport({ kind: 'members', schoolId: school, buffer, filename: 'ds.xlsx' });
    expect(report.ok).toBe(false);
    expect(report.written).toBe(0);
    expect(report.problems).toEqual([
      {
        row: 19,
        column: 'Ngày sinh',
        code: 'date_no_such_day',
        value: '31/02/2005',
        params: { date: '31/02/2005' },
      },
      { row: 22, column: 'Chi đoàn', code: 'branch_not_found', value: 'Chi đoàn không có' },
      // A row that fails the schema is still checked against the database.
      { row: 32, column: 'Giới tính', code: 'gender_invalid', value: 'nam giới' },
      { row: 32, column: 'Chi đoàn', code: 'branch_not_found', value: 'K99' },
    ]);
    expect(await Member.countDocuments()).toBe(0);
  });

  it('needs date of birth, gender and branch only for new members; branches of another school are unknown', async () => {
    await createOtherSchoolBranch();
    const buffer = await xlsx([
      ['Mã SV', 'Họ tên', 'Chi đoàn'],
      ['X1', 'Ngô Văn Lâm', 'TQT-12A1'],
      ['X2', 'Ngô Văn Lâm', ''],
    ]);
    const report = await dryRun({ kind: 'members', schoolId: school, buffer, filename: 'a.xlsx' });
    expect(report.problems).toEqual([
      { row: 2, column: 'Ngày sinh', code: 'required_for_new' },
      { row: 2, column: 'Giới tính', code: 'required_for_new' },
      { row: 2, column: 'Chi đoàn', code: 'branch_not_found', value: 'TQT-12A1' },
      { row: 3, column: 'Ngày sinh', code: 'required_for_new' },
      { row: 3, column: 'Giới tính', code: 'required_for_new' },
      { row: 3, column: 'Chi đoàn', code: 'required_for_new' },
    ]);
  });

  it('reports an unknown school and a non-spreadsheet as problems, not exceptions', async () => {
    const buffer = await xlsx([MEMBER_HEADER, ...memberRows(1)]);
    expect(
      await dryRun({ kind: 'members', schoolId: new Types.ObjectId(), buffer, filename: 'a.xlsx' }),
    ).toMatchObject({
      ok: false,
      problems: [{ code: 'school_not_found' }],
    });
    expect(
      await dryRun({ kind: 'members', schoolId: 'not-an-id', buffer, filename: 'a.xlsx' }),
    ).toMatchObject({
      problems: [{ code: 'school_not_found' }],
    });
    expect(
      await commitImport({
        kind: 'members',
        schoolId: school,
        buffer: Buffer.from('%PDF-1.4 \x00\x01'),
        filename: 'a.pdf',
      }),
    ).toMatchObject({
      ok: false,
      written: 0,
      problems: [{ code: 'not_spreadsheet' }],
    });
  });
});

describe('hostile files', () => {
  it('dry run and commit report random and damaged files without throwing or writing', async () => {
    const good = await xlsx([MEMBER_HEADER, ...memberRows(20)]);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a)),
          fc.integer({ min: 0, max: good.length - 1 }).map((n) => good.subarray(0, n)),
          fc
            .array(fc.tuple(fc.integer({ min: 0, max: good.length - 1 }), fc.integer({ min: 0, max: 255 })), {
              minLength: 1,
              maxLength: 6,
            })
            .map((edits) => {
              const copy = Buffer.from(good);
              for (const [at, byte] of edits) copy[at] = byte;
              return copy;
            }),
        ),
        fc.constantFrom('members' as const, 'results' as const),
        async (buffer, kind) => {
          const report = await commitImport({ kind, schoolId: school, buffer, filename: 'x.xlsx' });
          expect(typeof report.ok).toBe('boolean');
          if (!report.ok) expect(report.problems.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 40 },
    );
    // A damaged copy of a good file may still read fine and import; nothing else may be written.
    expect(await Member.countDocuments({ schoolId: mongoose.trusted({ $ne: school }) })).toBe(0);
  }, 60_000);
});

/** The `member.import` events of an import, one per member, in chain order. */
const memberEvents = (importId: Types.ObjectId) =>
  AuditEvent.find({ action: 'member.import', entity: 'Member', 'details.importId': importId })
    .sort({ at: 1, seq: 1 })
    .lean();

describe('audit events, in the transaction of the import', () => {
  it('a commit creates N members with N member.import events at version 0, and one for the file', async () => {
    const buffer = await xlsx([MEMBER_HEADER, ...memberRows(25)]);
    const actorId = new Types.ObjectId();
    const report = await commitImport({
      kind: 'members',
      schoolId: school,
      buffer,
      filename: 'ds.xlsx',
      actorId,
      batchSize: 10,
    });
    expect(report).toMatchObject({ ok: true, written: 25 });
    const members = await Member.find({ schoolId: school }).select({ studentCode: 1, __v: 1 }).lean();
    expect(members).toHaveLength(25);
    const events = await memberEvents(report.importId);
    expect(events).toHaveLength(25);
    expect(new Set(events.map((e) => String(e.entityId)))).toEqual(
      new Set(members.map((m) => String(m._id))),
    );
    const first = events.find((e) => String(e.entityId) === String(report.memberIds[0]))!;
    expect(first).toMatchObject({
      actorId,
      unitId: school,
      chain: `Member:${String(report.memberIds[0])}`,
      seq: 1,
      details: { version: 0, importId: report.importId, kind: 'members', filename: 'ds.xlsx', row: 2 },
    });
    expect(members.every((m) => m.__v === 0)).toBe(true);
    const file = await AuditEvent.find({ entity: 'MemberImport', entityId: report.importId }).lean();
    expect(file).toHaveLength(1);
    expect(file[0].details).toMatchObject({
      kind: 'members',
      filename: 'ds.xlsx',
      toCreate: 25,
      written: 25,
    });
    const audit = await verifyAudit();
    expect(audit.problem).toBeNull();
    expect(audit.gaps).toEqual([]);
    expect(audit.checked.members).toBe(25);
  });

  it('a re-import that updates members bumps __v and writes an event with the new version', async () => {
    const rows = memberRows(6);
    await commitImport({
      kind: 'members',
      schoolId: school,
      buffer: await xlsx([MEMBER_HEADER, ...rows]),
      filename: 'a.xlsx',
    });
    const edited = rows.map((r) => [...r]);
    edited[1][1] = 'Võ Thị Hồng Nhung';
    edited[3][4] = 'moi3@pvd.edu.vn';
    const update = await commitImport({
      kind: 'members',
      schoolId: school,
      buffer: await xlsx([MEMBER_HEADER, ...edited]),
      filename: 'b.xlsx',
    });
    expect(update).toMatchObject({ ok: true, written: 2, summary: { toUpdate: 2, unchanged: 4 } });
    const renamed = (await Member.findOne({ studentCode: '2101000002' }).lean())!;
    expect(renamed.__v).toBe(1);
    expect((await Member.findOne({ studentCode: '2101000001' }).lean())!.__v).toBe(0);
    const events = await memberEvents(update.importId);
    expect(events).toHaveLength(2);
    expect(events.find((e) => String(e.entityId) === String(renamed._id))).toMatchObject({
      seq: 2,
      details: { version: 1, kind: 'members', filename: 'b.xlsx', row: 3, fields: ['fullName'] },
    });
    // Once more, edited again: version 2.
    edited[1][1] = 'Võ Thị Hồng Nhung B';
    const again = await commitImport({
      kind: 'members',
      schoolId: school,
      buffer: await xlsx([MEMBER_HEADER, ...edited]),
      filename: 'c.xlsx',
    });
    expect((await memberEvents(again.importId)).map((e) => e.details)).toMatchObject([{ version: 2 }]);
    expect((await Member.findById(renamed._id).lean())!.__v).toBe(2);
    const audit = await verifyAudit();
    expect(audit.problem).toBeNull();
    expect(audit.gaps).toEqual([]);
  });

  it('the last member of the file failing its insert leaves no member and no event of the import', async () => {
    // A unique index the import does not know about: the last row's email is taken by a
    // member of another school, so the last insert of the last batch fails, every time.
    await Member.collection.createIndex(
      { email: 1 },
      { unique: true, name: 'test_email_unique', partialFilterExpression: { email: { $type: 'string' } } },
    );
    const rows = memberRows(25);
    await Member.collection.insertOne({ schoolId: otherSchool, studentCode: 'OTHER-1', email: rows[24][4] });
    const progress: number[] = [];
    const report = await commitImport({
      kind: 'members',
      schoolId: school,
      buffer: await xlsx([MEMBER_HEADER, ...rows]),
      filename: 'ds.xlsx',
      batchSize: 10,
      onProgress: (done) => progress.push(done),
    });
    // Two batches of members and their events were written in the transaction before it failed.
    expect(progress).toEqual([0, 10, 20]);
    expect(report).toMatchObject({ ok: false, written: 0, problems: [{ code: 'write_conflict' }] });
    expect(await Member.countDocuments({ schoolId: school })).toBe(0);
    expect(await AuditEvent.countDocuments({ 'details.importId': report.importId })).toBe(0);
    expect(await AuditEvent.countDocuments({ entityId: report.importId })).toBe(0);
    await Member.collection.deleteOne({ studentCode: 'OTHER-1' });
    await Member.collection.dropIndex('test_email_unique');
    // Nothing half-done to finish: the same file imports whole.
    const again = await commitImport({
      kind: 'members',
      schoolId: school,
      buffer: await xlsx([MEMBER_HEADER, ...rows]),
      filename: 'ds.xlsx',
    });
    expect(again).toMatchObject({ ok: true, written: 25 });
    expect((await verifyAudit()).gaps).toEqual([]);
  });

  it("the file's own event, the last write, colliding leaves no member and no event of the import", async () => {
    const importId = new Types.ObjectId();
    // One file event per import id: a rule set up for this test, and an event already holding the id.
    await AuditEvent.collection.createIndex(
      { 'details.importId': 1 },
      { unique: true, name: 'test_import_once', partialFilterExpression: { entity: 'MemberImport' } },
    );
    await appendAudit({
      action: 'member.import',
      entity: 'MemberImport',
      entityId: new Types.ObjectId(),
      details: { importId },
    });
    const rows = memberRows(3);
    await commitImport({
      kind: 'members',
      schoolId: school,
      buffer: await xlsx([MEMBER_HEADER, ...rows]),
      filename: 'a.xlsx',
    });
    rows[0][1] = 'Tên Đã Đổi';
    const before = await Member.find({ schoolId: school }).sort({ studentCode: 1 }).lean();
    const report = await commitImport({
      kind: 'members',
      schoolId: school,
      buffer: await xlsx([MEMBER_HEADER, ...rows, ...memberRows(2, 4)]),
      filename: 'b.xlsx',
      importId,
    });
    expect(report).toMatchObject({ ok: false, written: 0, problems: [{ code: 'write_conflict' }] });
    // The update and both inserts, with their events, were undone with it.
    expect(await Member.find({ schoolId: school }).sort({ studentCode: 1 }).lean()).toEqual(before);
    expect(await AuditEvent.countDocuments({ entity: 'Member', 'details.importId': importId })).toBe(0);
    await AuditEvent.collection.dropIndex('test_import_once');
    const audit = await verifyAudit();
    expect(audit.problem).toBeNull();
    expect(audit.gaps).toEqual([]);
  });

  it('a commit past its time budget gives up and writes nothing', async () => {
    const progress: number[] = [];
    const report = await commitImport({
      kind: 'members',
      schoolId: school,
      buffer: await xlsx([MEMBER_HEADER, ...memberRows(30)]),
      filename: 'a.xlsx',
      batchSize: 10,
      budgetMs: 3_000,
      onProgress: (done) => {
        progress.push(done);
        // A slow server, after two batches were written in the transaction.
        if (done === 20) {
          const until = Date.now() + 3_100;
          while (Date.now() < until);
        }
      },
    });
    expect(progress).toEqual([0, 10, 20]);
    expect(report).toMatchObject({
      ok: false,
      written: 0,
      problems: [{ code: 'write_too_slow', params: { seconds: 3 } }],
    });
    expect(await Member.countDocuments()).toBe(0);
    expect(await AuditEvent.countDocuments({ 'details.importId': report.importId })).toBe(0);
  });
});

describe('results import', () => {
  beforeEach(async () => {
    await commitImport({
      kind: 'members',
      schoolId: school,
      buffer: await xlsx([MEMBER_HEADER, ...memberRows(5)]),
      filename: 'ds.xlsx',
    });
  });

  it('upserts terms by (year, term): re-import updates instead of duplicating', async () => {
    const rows = THREE_TERMS;
    const first = await dryRun(await resultsFile(rows));
    expect(first).toEqual({
      ok: true,
      problems: [],
      summary: { rows: 3, toCreate: 3, toUpdate: 0, unchanged: 0 },
    });
    expect((await Member.findOne({ studentCode: '2101000001' }).lean())!.academicTerms).toEqual([]);

    const commit = await commitImport(await resultsFile(rows));
    expect(commit).toMatchObject({ ok: true, written: 3 });
    const m1 = await Member.findOne({ studentCode: '2101000001' }).lean();
    expect(m1!.academicTerms).toEqual([
      { year: '2024-2025', term: 1, scale: 4, gpa: 3.45, conductScore: 85 },
      { year: '2024-2025', term: 2, scale: 4, gpa: 3.6, conductScore: 90 },
    ]);
    // The table's sort key follows the latest term: 3.6/4 is the 9.0/10 boundary.
    expect(m1!.latestGpa10).toBe(9);
    expect((await Member.findOne({ studentCode: '2101000002' }).lean())!.latestGpa10).toBe(8.2);

    const again = await commitImport(await resultsFile(rows));
    expect(again).toMatchObject({
      ok: true,
      written: 0,
      summary: { toCreate: 0, toUpdate: 0, unchanged: 3 },
    });

    // A corrected GPA updates the term in place; a new term is added.
    const corrected = [
      RESULT_HEADER,
      ['2101000001', '2024-2025', 1, 4, 3.5, ''],
      ['2101000001', '2025-2026', 1, 4, 3.1, 80],
    ];
    const fix = await commitImport(await resultsFile(corrected));
    expect(fix).toMatchObject({ ok: true, summary: { toCreate: 1, toUpdate: 1, unchanged: 0 } });
    const m1b = await Member.findOne({ studentCode: '2101000001' }).lean();
    expect(m1b!.academicTerms).toEqual([
      { year: '2024-2025', term: 1, scale: 4, gpa: 3.5, conductScore: 85 },
      { year: '2024-2025', term: 2, scale: 4, gpa: 3.6, conductScore: 90 },
      { year: '2025-2026', term: 1, scale: 4, gpa: 3.1, conductScore: 80 },
    ]);
    // Now the 2025-2026 term is the latest: 3.1/4 maps into the khá band, just under 8.
    expect(m1b!.latestGpa10).toBe(latestGpa10(m1b!.academicTerms));
    expect(m1b!.latestGpa10).toBeGreaterThan(7);
    expect(m1b!.latestGpa10).toBeLessThan(8);
  });

  it('writes one event per member with its new version; several terms of a member are one version', async () => {
    const rows = THREE_TERMS;
    const report = await commitImport(await resultsFile(rows));
    expect(report).toMatchObject({ ok: true, written: 3 });
    const m1 = (await Member.findOne({ studentCode: '2101000001' }).lean())!;
    const m2 = (await Member.findOne({ studentCode: '2101000002' }).lean())!;
    expect([m1.__v, m2.__v]).toEqual([1, 1]);
    const events = (await memberEvents(report.importId)).sort(
      (a, b) => (a.details as { rows: number[] }).rows[0] - (b.details as { rows: number[] }).rows[0],
    );
    expect(events.map((e) => [String(e.entityId), e.details])).toEqual([
      [
        String(m1._id),
        {
          version: 1,
          kind: 'results',
          filename: 'kq.xlsx',
          importId: report.importId,
          rows: [2, 3],
          terms: ['2024-2025/1', '2024-2025/2'],
        },
      ],
      [
        String(m2._id),
        {
          version: 1,
          kind: 'results',
          filename: 'kq.xlsx',
          importId: report.importId,
          rows: [4],
          terms: ['2024-2025/1'],
        },
      ],
    ]);
    // A corrected GPA: version 2 for that member only.
    const fix = await commitImport({
      kind: 'results',
      schoolId: school,
      buffer: await xlsx([RESULT_HEADER, ['2101000001', '2024-2025', 1, 4, 3.5, 85]]),
      filename: 'kq2.xlsx',
    });
    expect((await memberEvents(fix.importId)).map((e) => e.details)).toMatchObject([
      { version: 2, rows: [2] },
    ]);
    expect((await Member.findById(m1._id).lean())!.__v).toBe(2);
    const audit = await verifyAudit();
    expect(audit.problem).toBeNull();
    expect(audit.gaps).toEqual([]);
  });

  it('THPT schools import conduct and study ratings', async () => {
    await createOtherSchoolBranch();
    const members = await xlsx([
      ['Mã học sinh', 'Họ và tên', 'Ngày sinh', 'Giới tính', 'Chi đoàn'],
      ['HS01', 'Võ Thị Mai', '12/12/2008', 'Nữ', '12A1'],
    ]);
    expect(
      await commitImport({ kind: 'members', schoolId: otherSchool, buffer: members, filename: 'hs.xlsx' }),
    ).toMatchObject({ ok: true, written: 1 });
    const results = await xlsx([
      ['Mã học sinh', 'Năm học', 'Học kỳ', 'Hạnh kiểm', 'Học lực', 'Điểm rèn luyện'],
      ['HS01', '2025-2026', '1', 'Tốt', 'chưa đạt', ''],
      ['HS01', '2025-2026', '2', 'Khá', 'Đạt', 90],
    ]);
    const wrong = await dryRun({
      kind: 'results',
      schoolId: otherSchool,
      buffer: results,
      filename: 'kq.xlsx',
    });
    expect(wrong.problems).toEqual([
      {
        row: 3,
        column: 'Điểm rèn luyện',
        code: 'not_for_school_kind',
        value: '90',
        params: { schoolKind: 'high_school' },
      },
    ]);
    const fixed = await xlsx([
      ['Mã học sinh', 'Năm học', 'Học kỳ', 'Hạnh kiểm', 'Học lực'],
      ['HS01', '2025-2026', '1', 'Tốt', 'chưa đạt'],
    ]);
    expect(
      await commitImport({ kind: 'results', schoolId: otherSchool, buffer: fixed, filename: 'kq.xlsx' }),
    ).toMatchObject({ ok: true, written: 1 });
    const m = await Member.findOne({ schoolId: otherSchool, studentCode: 'HS01' }).lean();
    expect(m!.academicTerms).toEqual([
      { year: '2025-2026', term: 1, scale: 10, conductRating: 'tot', studyRating: 'chua_dat' },
    ]);
  });

  it('refuses unknown members and THPT columns for a university, writing nothing', async () => {
    const rows = [
      [...RESULT_HEADER, 'Kết quả học tập'],
      ['2101000001', '2024-2025', 1, 4, 3.45, 85, ''],
      ['9999', '2024-2025', 1, 4, 3.0, 80, ''],
      ['2101000002', '2024-2025', 1, 4, 3.0, 80, 'Tốt'],
    ];
    const report = await commitImport(await resultsFile(rows));
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      { row: 3, column: 'Mã sinh viên/học sinh', code: 'member_not_found', value: '9999' },
      {
        row: 4,
        column: 'Kết quả học tập',
        code: 'not_for_school_kind',
        value: 'Tốt',
        params: { schoolKind: 'university' },
      },
    ]);
    expect((await Member.findOne({ studentCode: '2101000001' }).lean())!.academicTerms).toEqual([]);
  });
});
