/**
 * Evidence submissions: the student files them on their own record only; the school
 * Union sees and decides only those of its school; approval copies the item into the
 * record as verified, a return carries a reason the student sees; every refusal
 * leaves the database unchanged. Each action is one transaction with its audit event:
 * an event that cannot be written leaves nothing of the action behind.
 */
import type { Types } from 'mongoose';
import mongoose from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { Member } from '../../models/member.ts';
import { Submission } from '../../models/submission.ts';
import { Unit } from '../../models/unit.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { action as submitAction, loader as submitLoader } from '~/routes/me.submissions';
import { loader as ownFileLoader } from '~/routes/me.submissions.$id.file';
import { action as queueAction, loader as queueLoader } from '~/routes/school.submissions';
import { loader as staffFileLoader } from '~/routes/school.submissions.$id.file';
import { EvidenceFile } from '../../models/evidence-file.ts';
import { verifyAudit } from '~/utils/audit/audit-verify.server';
import { signIn } from '../fixtures/auth.ts';
import { consentDemoStudent } from '../fixtures/demo-student.ts';
import { withRefusedAuditEvent } from '../fixtures/refuse-audit.ts';
import { BASE, call, get, post } from '../fixtures/remix.ts';

let student: string;
let union: string;
let party: string;
let province: string;
let own: Types.ObjectId;
let otherSchool: Types.ObjectId;
let otherSchoolId: Types.ObjectId;

const award = {
  kind: 'award',
  title: 'Giấy khen Sinh viên 5 tốt cấp trường',
  date: '2026-05-19',
  awardKind: 'giay_khen',
  level: 'school',
  evidence: 'Quyết định 12/QĐ-ĐTN ngày 19/5/2026',
};
const activity = {
  kind: 'activity',
  title: 'Mùa hè xanh 2026',
  date: '2026-07-10',
  days: '12',
  evidence: 'Xác nhận của đội trưởng',
};

beforeAll(async () => {
  await seedDatabase({ members: 60, seed: 1, reset: true });
  [student, union, party, province] = await Promise.all(
    ['sinhvien@demo.vn', 'doantruong.pvd@demo.vn', 'danguy.pvd@demo.vn', 'tinhdoan@demo.vn'].map((e) =>
      signIn(e),
    ),
  );
  const pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
  const other = (await Member.findOne({ schoolId: mongoose.trusted({ $ne: pvd._id }) }).lean())!;
  otherSchool = other._id;
  otherSchoolId = other.schoolId;
  own = await consentDemoStudent();
});

const submit = (fields: Record<string, string>, cookie = student) =>
  call(submitAction, post('/me/submissions', fields, cookie));
const review = (fields: Record<string, string>, cookie = union) =>
  call(queueAction, post('/school/submissions', fields, cookie));

describe('the student submits', () => {
  it('refuses invalid evidence with field messages and stores nothing', async () => {
    const res = await submit({ kind: 'activity', title: 'x', date: 'soon', days: '0', evidence: '' });
    expect(res).toHaveStatus(400);
    expect(res.data.fieldErrors).toMatchObject({
      title: ['me.v.title'],
      date: ['validation.date'],
      days: ['me.v.days'],
      evidence: ['me.v.evidence'],
    });
    // conform's reply for the form (its lastResult) carries the same catalogue keys.
    expect(res.data.result).toMatchObject({
      status: 'error',
      error: { title: ['me.v.title'], days: ['me.v.days'] },
    });
    expect(await Submission.countDocuments()).toBe(0);
  });

  it('stores an award and an activity on the own record only, as submitted', async () => {
    const before = JSON.stringify(await Member.findById(own).lean());
    expect((await submit({ ...award, memberId: String(otherSchool) })).status).toBe(302);
    expect((await submit(activity)).status).toBe(302);
    const rows = await Submission.find().lean();
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(String(r.memberId)).toBe(String(own));
      expect(r.status).toBe('submitted');
    }
    // Nothing enters the record before approval.
    expect(JSON.stringify(await Member.findById(own).lean())).toBe(before);
    const list = await call(submitLoader, get('/me/submissions', student));
    expect(list.data.submissions.map((s: { status: string }) => s.status)).toEqual([
      'submitted',
      'submitted',
    ]);
  });
});

describe('the school Union reviews', () => {
  it('lists only its school’s submissions; other roles are refused', async () => {
    await Submission.create({
      memberId: otherSchool,
      schoolId: otherSchoolId,
      ancestors: (await Member.findById(otherSchool).lean())!.ancestors,
      kind: 'activity',
      title: 'Tiếp sức mùa thi',
      date: new Date('2026-06-20'),
      days: 3,
      evidence: 'Xác nhận của Đoàn trường khác',
    });
    const res = await call(queueLoader, get('/school/submissions', union));
    expect(res).toHaveStatus(200);
    expect(res.data.queue).toHaveLength(2);
    for (const s of res.data.queue) expect(s.memberId).toBe(String(own));
    expect((await call(queueLoader, get('/school/submissions', party))).status).toBe(403);
    expect((await call(queueLoader, get('/school/submissions', province))).status).toBe(403);
    expect((await call(queueLoader, get('/school/submissions', student))).status).toBe(403);
  });

  it('cannot decide another school’s submission, and a student cannot decide at all', async () => {
    const foreign = (await Submission.findOne({ memberId: otherSchool }).lean())!;
    const otherBefore = JSON.stringify(await Member.findById(otherSchool).lean());
    expect((await review({ intent: 'approve', id: String(foreign._id) })).status).toBe(404);
    const mine = (await Submission.findOne({ memberId: own }).lean())!;
    expect((await review({ intent: 'approve', id: String(mine._id) }, student)).status).toBe(403);
    expect((await review({ intent: 'approve', id: 'not-an-id' })).status).toBe(404);
    expect((await Submission.findById(foreign._id).lean())!.status).toBe('submitted');
    expect((await Submission.findById(mine._id).lean())!.status).toBe('submitted');
    expect(JSON.stringify(await Member.findById(otherSchool).lean())).toBe(otherBefore);
  });

  it('approves an award into the record as verified, once', async () => {
    const s = (await Submission.findOne({ memberId: own, kind: 'award' }).lean())!;
    const awardsBefore = (await Member.findById(own).lean())!.awards.length;
    const res = await review({ intent: 'approve', id: String(s._id) });
    expect(res).toHaveStatus(302);
    const m = (await Member.findById(own).lean())!;
    expect(m.awards).toHaveLength(awardsBefore + 1);
    const added = m.awards[m.awards.length - 1];
    expect(added).toMatchObject({ title: award.title, kind: 'giay_khen', level: 'school', verified: true });
    expect(await AuditEvent.countDocuments({ action: 'member.submission.approve', entityId: own })).toBe(1);
    // A second approval finds nothing left to decide.
    expect((await review({ intent: 'approve', id: String(s._id) })).status).toBe(404);
    expect((await Member.findById(own).lean())!.awards).toHaveLength(awardsBefore + 1);
  });

  it('returns an activity only with a reason, which the student sees', async () => {
    const s = (await Submission.findOne({ memberId: own, kind: 'activity' }).lean())!;
    const bad = await review({ intent: 'return', id: String(s._id), reason: '' });
    expect(bad).toHaveStatus(400);
    expect(bad.data.fieldErrors.reason).toEqual(['me.v.reason']);
    expect(bad.data).toMatchObject({
      form: 'return',
      id: String(s._id),
      result: { error: { reason: ['me.v.reason'] } },
    });
    expect((await Submission.findById(s._id).lean())!.status).toBe('submitted');
    const ok = await review({
      intent: 'return',
      id: String(s._id),
      reason: 'Thiếu xác nhận của Đoàn trường',
    });
    expect(ok).toHaveStatus(302);
    const list = (await call(submitLoader, get('/me/submissions', student))).data.submissions;
    const returned = list.find((x: { kind: string }) => x.kind === 'activity');
    expect(returned).toMatchObject({ status: 'returned', reason: 'Thiếu xác nhận của Đoàn trường' });
  });
});

function multipart(fields: Record<string, string>, file: File | null, cookie: string) {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.set(k, v);
  if (file) body.set('file', file);
  return new Request(`${BASE}/me/submissions`, { method: 'POST', body, headers: { Cookie: cookie } });
}

describe('evidence files', () => {
  const pdf = new File([new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31])], 'giay-khen.pdf', {
    type: 'application/pdf',
  });

  it('refuses a file of another type, storing nothing', async () => {
    const before = await Submission.countDocuments();
    const exe = new File([new Uint8Array([1, 2, 3])], 'x.exe', { type: 'application/octet-stream' });
    const res = await call(submitAction, multipart(award, exe, student));
    expect(res).toHaveStatus(400);
    expect(res.data.fieldErrors.file).toEqual(['me.v.file']);
    // The file is not in the schema, yet its refusal is in the reply beside it, with what was typed.
    expect(res.data.result.error).toEqual({ file: ['me.v.file'] });
    expect(res.data.values.title).toBe(award.title);
    expect(await Submission.countDocuments()).toBe(before);
    expect(await EvidenceFile.countDocuments()).toBe(0);
  });

  it('reads the type from the content: a disguised file is refused, a mislabelled image is stored as what it is', async () => {
    const before = await Submission.countDocuments();
    const html = new File(['<html><script>alert(1)</script></html>'], 'anh.png', { type: 'image/png' });
    const refused = await call(submitAction, multipart(award, html, student));
    expect(refused).toHaveStatus(400);
    expect(refused.data.fieldErrors.file).toEqual(['me.v.file']);
    expect(await Submission.countDocuments()).toBe(before);

    const png = new File(
      [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0])],
      'giay-khen.pdf',
      {
        type: 'application/pdf',
      },
    );
    const res = await call(submitAction, multipart({ ...award, title: 'Ảnh giấy khen' }, png, student));
    expect(res).toHaveStatus(302);
    const stored = await Submission.findOne({ title: 'Ảnh giấy khen' }).lean();
    expect(stored!.file).toMatchObject({ type: 'image/png', size: 10 });
    // The queue knows it is an image, so it can show it inline.
    const queue = await call(queueLoader, get('/school/submissions', union));
    const items = (queue.data as { queue: { title: string; file: { type: string } | null }[] }).queue;
    const item = items.find((x) => x.title === 'Ảnh giấy khen');
    expect(item?.file?.type).toBe('image/png');
  });

  it('refuses a file over 5 MB with 413 while reading it, storing nothing', async () => {
    const before = await Submission.countDocuments();
    const big = new Uint8Array(5 * 1024 * 1024 + 1);
    big.set([0x25, 0x50, 0x44, 0x46, 0x2d]);
    const res = await call(
      submitAction,
      multipart(award, new File([big], 'lon.pdf', { type: 'application/pdf' }), student),
    );
    expect(res).toHaveStatus(413);
    expect(res.data.fieldErrors.file).toEqual(['me.v.file']);
    expect(await Submission.countDocuments()).toBe(before);
  });

  it('stores a file whatever its name holds (`;`, `=`, Vietnamese) and downloads it under that name', async () => {
    const names = ['biên bản; lần=2.pdf', 'a=b;c=d.pdf', "giấy khen (bản 'cuối') ; = ,.pdf"];
    for (const [i, name] of names.entries()) {
      const file = new File([new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31])], name, {
        type: 'application/pdf',
      });
      const title = `Tệp có tên lạ ${i}`;
      const res = await call(submitAction, multipart({ ...award, title }, file, student));
      expect(res.status, name).toBe(302);
      const s = (await Submission.findOne({ title }).lean())!;
      expect(s.file?.name).toBe(name);
      const id = String(s._id);
      const mine = await call(ownFileLoader, get(`/me/submissions/${id}/file`, student), { id });
      expect(mine).toHaveStatus(200);
      const disposition = mine.headers.get('Content-Disposition')!;
      // RFC 5987: only attr-chars stay bare, so no `;`, `=`, quote or space can end the header early.
      expect(disposition).toMatch(/^attachment; filename\*=UTF-8''[A-Za-z0-9!#$&+.^_`|~%-]+$/);
      expect(decodeURIComponent(disposition.split("''")[1])).toBe(name);
    }
  });

  it('stores a PDF with the submission; the owner and the school Union download it, others get 404', async () => {
    const res = await call(submitAction, multipart({ ...award, title: 'Giấy khen có tệp' }, pdf, student));
    expect(res).toHaveStatus(302);
    const s = (await Submission.findOne({ title: 'Giấy khen có tệp' }).lean())!;
    expect(s.file).toMatchObject({ name: 'giay-khen.pdf', type: 'application/pdf', size: 6 });
    const id = String(s._id);
    const mine = await call(ownFileLoader, get(`/me/submissions/${id}/file`, student), { id });
    expect(mine).toHaveStatus(200);
    expect(mine.headers.get('Content-Disposition')).toMatch(/^attachment/);
    expect(mine.data).toBe('%PDF-1');
    expect((await call(staffFileLoader, get(`/school/submissions/${id}/file`, union), { id })).status).toBe(
      200,
    );
    // Another school's Union, the party side and a bad id: nothing.
    const otherUnion = await Submission.findOne({ memberId: otherSchool }).lean();
    const oid = String(otherUnion!._id);
    await EvidenceFile.create({
      submissionId: otherUnion!._id,
      memberId: otherUnion!.memberId,
      ancestors: otherUnion!.ancestors,
      name: 'khac.pdf',
      type: 'application/pdf',
      size: 6,
      data: Buffer.from('%PDF-1'),
    });
    expect((await call(ownFileLoader, get(`/me/submissions/${oid}/file`, student), { id: oid })).status).toBe(
      404,
    );
    expect(
      (await call(staffFileLoader, get(`/school/submissions/${oid}/file`, union), { id: oid })).status,
    ).toBe(404);
    expect((await call(staffFileLoader, get(`/school/submissions/${id}/file`, party), { id })).status).toBe(
      403,
    );
    expect(
      (await call(ownFileLoader, get('/me/submissions/nope/file', student), { id: 'nope' })).status,
    ).toBe(404);
  });
});

describe('each action is one transaction with its event', () => {
  const pending = (title: string, memberId: Types.ObjectId = own) =>
    Member.findById(own)
      .lean()
      .then((m) =>
        Submission.create({
          memberId,
          schoolId: m!.schoolId,
          ancestors: m!.ancestors,
          kind: 'award',
          title,
          date: new Date('2026-05-19'),
          awardKind: 'giay_khen',
          level: 'school',
          evidence: 'Quyết định khen thưởng',
        }),
      );
  const record = async () => {
    const m = (await Member.findById(own).lean())!;
    return { v: m.__v ?? 0, awards: m.awards.length };
  };

  it('approves into the record with the submission’s id, and the event carries the record’s new version', async () => {
    const s = await pending('Giấy khen tập thể lớp');
    const before = await record();
    expect((await review({ intent: 'approve', id: String(s._id) })).status).toBe(302);
    const m = (await Member.findById(own).lean())!;
    expect(m.__v).toBe(before.v + 1);
    expect(m.awards.filter((a) => String(a.submissionId) === String(s._id))).toHaveLength(1);
    const event = (await AuditEvent.findOne({
      action: 'member.submission.approve',
      'details.submissionId': s._id,
    }).lean())!;
    expect(event.details).toMatchObject({ version: before.v + 1, after: { status: 'approved' } });
    expect((await verifyAudit()).gaps).toEqual([]);
  });

  it('leaves nothing of an approval whose event cannot be written; the item can be approved afterwards', async () => {
    const s = await pending('Giấy khen hiến máu');
    const before = await record();
    await expect(
      withRefusedAuditEvent({ action: 'member.submission.approve' }, () =>
        review({ intent: 'approve', id: String(s._id) }),
      ),
    ).rejects.toThrow(/duplicate key/);
    expect((await Submission.findById(s._id).lean())!.status).toBe('submitted');
    expect(await record()).toEqual(before);
    expect(await AuditEvent.countDocuments({ 'details.submissionId': s._id, entity: 'Member' })).toBe(0);
    // Not stuck "approved but not in the record": it is still waiting, and goes through now.
    expect((await review({ intent: 'approve', id: String(s._id) })).status).toBe(302);
    expect(await record()).toEqual({ v: before.v + 1, awards: before.awards + 1 });
    expect((await verifyAudit()).gaps).toEqual([]);
  });

  it('answers 404 to an approval whose member is outside the scope, writing nothing', async () => {
    // Filed under this school, about another school's member: the record update matches nothing.
    const s = await pending('Giấy khen lạc trường', otherSchool);
    const otherBefore = JSON.stringify(await Member.findById(otherSchool).lean());
    const events = await AuditEvent.countDocuments();
    expect((await review({ intent: 'approve', id: String(s._id) })).status).toBe(404);
    expect((await Submission.findById(s._id).lean())!.status).toBe('submitted');
    expect(JSON.stringify(await Member.findById(otherSchool).lean())).toBe(otherBefore);
    expect(await AuditEvent.countDocuments()).toBe(events);
    await Submission.deleteOne({ _id: s._id });
  });

  it('leaves nothing of a return whose event cannot be written', async () => {
    const s = await pending('Giấy khen cần bổ sung');
    await expect(
      withRefusedAuditEvent({ action: 'member.submission.return' }, () =>
        review({ intent: 'return', id: String(s._id), reason: 'Thiếu bản chụp quyết định' }),
      ),
    ).rejects.toThrow(/duplicate key/);
    expect((await Submission.findById(s._id).lean())!).toMatchObject({ status: 'submitted' });
    expect((await Submission.findById(s._id).lean())!.reason).toBeUndefined();
    expect(await AuditEvent.countDocuments({ 'details.submissionId': s._id })).toBe(0);
  });

  it('stores a submission, its file and its event together, or none of them', async () => {
    const pdf = new File([new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x32])], 'qd.pdf', {
      type: 'application/pdf',
    });
    const fields = { ...award, title: 'Giấy khen gửi kèm tệp' };
    const [submissions, files] = [await Submission.countDocuments(), await EvidenceFile.countDocuments()];
    await expect(
      withRefusedAuditEvent({ action: 'member.submission.create' }, () =>
        call(submitAction, multipart(fields, pdf, student)),
      ),
    ).rejects.toThrow(/duplicate key/);
    expect(await Submission.countDocuments()).toBe(submissions);
    expect(await EvidenceFile.countDocuments()).toBe(files);

    expect((await call(submitAction, multipart(fields, pdf, student))).status).toBe(302);
    const s = (await Submission.findOne({ title: fields.title }).lean())!;
    expect(await EvidenceFile.countDocuments({ submissionId: s._id })).toBe(1);
    expect(
      await AuditEvent.countDocuments({ action: 'member.submission.create', 'details.submissionId': s._id }),
    ).toBe(1);
    expect((await verifyAudit()).gaps).toEqual([]);
  });
});
