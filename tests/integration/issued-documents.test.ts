/**
 * Issued documents (issue 20, part 2): issuing records the document and its audit event in
 * one go and re-uses the record while the content is unchanged; the PDF's footer and QR
 * carry the /verify URL and the content hash; /verify says current, then superseded after
 * the record changes, and 404 for an unknown code; scope (another school's member is a
 * 404), roles (students and the province do not issue), a step not recorded is refused with
 * nothing written; the student sees only her own documents and downloads her own decision.
 */
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import mongoose, { Types } from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { IssuedDocument } from '../../models/issued-document.ts';
import { Member } from '../../models/member.ts';
import { Unit } from '../../models/unit.ts';
import { User } from '../../models/user.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { action as issueAction } from '~/routes/members.$id.documents';
import { action as batchAction } from '~/routes/pipeline.batch-document';
import { loader as verifyLoader } from '~/routes/verify.$code';
import { loader as myDocLoader } from '~/routes/me.documents.$code';
import { loader as meLoader } from '~/routes/me._index';
import { loader as tabLoader } from '~/routes/members.$id.pipeline';
import { loader as readyLoader } from '~/routes/pipeline.ready';
import { appendAudit } from '~/utils/audit/audit.server';
import { CONSENT_VERSION } from '~/domain/consent';
import { signIn } from '../fixtures/auth.ts';
import { recordedPipeline } from '../fixtures/documents.ts';
import { BASE, call, context, get, post } from '../fixtures/remix.ts';

let union: string;
let party: string;
let province: string;
let student: string;
let foreignParty: string;
let studentId: Types.ObjectId;
let otherId: Types.ObjectId;
let foreignId: Types.ObjectId;

beforeAll(async () => {
  await seedDatabase({ members: 40, seed: 1, reset: true });
  union = await signIn('doantruong.pvd@demo.vn');
  party = await signIn('danguy.pvd@demo.vn');
  province = await signIn('tinhdoan@demo.vn');
  student = await signIn('sinhvien@demo.vn');
  studentId = (await User.findOne({ email: 'sinhvien@demo.vn' }).lean())!.memberId as Types.ObjectId;
  const pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
  otherId = (await Member.findOne({ schoolId: pvd._id, _id: mongoose.trusted({ $ne: studentId }) }).lean())!
    ._id;
  const foreign = (await Member.findOne({ schoolId: mongoose.trusted({ $ne: pvd._id }) }).lean())!;
  foreignId = foreign._id;
  const foreignUser = (await User.findOne({ role: 'school_party', unitId: foreign.schoolId }).lean())!;
  foreignParty = await signIn(foreignUser.email);
  // Every step recorded (the fixture of the document tests), for the student and one classmate.
  await Member.updateOne({ _id: studentId }, { $set: { pipeline: recordedPipeline() } });
  await Member.updateOne({ _id: otherId }, { $set: { pipeline: recordedPipeline() } });
});

/** The route's Response itself (binary bodies), or the thrown one. */
async function raw(fn: () => unknown): Promise<Response> {
  try {
    return (await fn()) as Response;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}
const issue = (id: Types.ObjectId, form: string, format: string, cookie = union) =>
  raw(() =>
    issueAction({
      request: post(`/members/${id}/documents`, { form, format }, cookie),
      params: { id: String(id) },
      context: context(),
    }),
  );
const verify = (code: string) => call(verifyLoader, get(`/verify/${code}`), { code });

async function pdfText(buf: ArrayBuffer): Promise<string> {
  const pdf = await getDocument({ data: new Uint8Array(buf), verbosity: 0 }).promise;
  let text = '';
  for (let i = 1; i <= pdf.numPages; i++) {
    const items = (await (await pdf.getPage(i)).getTextContent()).items;
    text += items.map((it) => ('str' in it ? it.str : '')).join('') + '\n';
  }
  await pdf.destroy();
  return text;
}

describe('issuing a document', () => {
  let code = '';
  let hash = '';

  it('records it with a 128-bit code and an audit event, and prints the verify URL and hash', async () => {
    const audits = await AuditEvent.countDocuments({ action: 'document.issue' });
    const res = await issue(studentId, '9-KNĐ', 'pdf');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('application/pdf');
    expect(res.headers.get('Content-Disposition')).toContain('9-KND-245-QD-DU.pdf');
    const records = await IssuedDocument.find({ memberIds: studentId }).lean();
    expect(records).toHaveLength(1);
    const [r] = records;
    code = r.code;
    hash = r.contentHash;
    expect(code).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(code, 'base64url')).toHaveLength(16);
    expect(r).toMatchObject({ form: '9-KNĐ', step: 'record_decision', batch: false, number: 'Số 245-QĐ/ĐU' });
    expect(r.refDay).toBe('2025-12-05');
    expect(r.formats).toEqual(['pdf']);
    expect(await AuditEvent.countDocuments({ action: 'document.issue' })).toBe(audits + 1);
    const event = (await AuditEvent.findOne({ action: 'document.issue', entityId: studentId }).lean())!;
    expect(event.details).toMatchObject({ form: '9-KNĐ', code, contentHash: hash });
    const text = (await pdfText(await res.arrayBuffer())).replace(/\s+/g, '');
    expect(text).toContain(`${BASE}/verify/${code}`);
    expect(text).toContain(hash);
  });

  it('re-uses the record for the same unchanged content (no new code, no new event)', async () => {
    const audits = await AuditEvent.countDocuments({ action: 'document.issue' });
    const res = await issue(studentId, '9-KNĐ', 'docx', party);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toContain('wordprocessingml');
    const records = await IssuedDocument.find({ memberIds: studentId }).lean();
    expect(records.map((r) => r.code)).toEqual([code]);
    expect(records[0].formats).toEqual(['pdf', 'docx']);
    expect(await AuditEvent.countDocuments({ action: 'document.issue' })).toBe(audits);
  });

  it('refuses a second record of the same content (two clerks at once get one code)', async () => {
    await IssuedDocument.init();
    const first = (await IssuedDocument.findOne({ code }).lean())!;
    const { _id: _ignored, ...copy } = first;
    await expect(IssuedDocument.create({ ...copy, code: 'B'.repeat(22) })).rejects.toMatchObject({
      code: 11000,
    });
    expect(await IssuedDocument.countDocuments({ contentHash: first.contentHash })).toBe(1);
  });

  it('/verify says current, with nothing more personal than the paper prints', async () => {
    const res = await verify(code);
    expect(res).toHaveStatus(200);
    expect(res.data).toMatchObject({
      status: 'current',
      form: '9-KNĐ',
      number: 'Số 245-QĐ/ĐU',
      refDay: '2025-12-05',
      contentHash: hash,
      signature: null,
    });
    const student = (await Member.findById(studentId).lean())!;
    const json = JSON.stringify(res.data);
    expect(json).not.toContain(student.fullName);
    expect(json).not.toContain(String(studentId));
    expect(json).not.toContain(student.studentCode);
  });

  it('turns superseded when the record changes, and the next issue gets a new code', async () => {
    await Member.updateOne({ _id: studentId }, { $set: { 'pipeline.decision.number': '246' } });
    expect((await verify(code)).data.status).toBe('superseded');
    const tab = await call(tabLoader, get(`/members/${studentId}/pipeline`, union), {
      id: String(studentId),
    });
    const step = tab.data.documents.steps.find((s: { step: string }) => s.step === 'record_decision');
    expect(step.forms[0].issued[0]).toMatchObject({ code, status: 'superseded' });

    const res = await issue(studentId, '9-KNĐ', 'pdf');
    expect(res.status).toBe(200);
    const codes = (await IssuedDocument.find({ memberIds: studentId }).sort({ issuedAt: 1 }).lean()).map(
      (r) => r.code,
    );
    expect(codes).toHaveLength(2);
    expect(codes[0]).toBe(code);
    expect((await verify(codes[1])).data.status).toBe('current');
    expect((await verify(code)).data.status).toBe('superseded');
  });

  it('answers 404 for an unknown or malformed code', async () => {
    expect(await verify('AAAAAAAAAAAAAAAAAAAAAA')).toHaveStatus(404);
    expect(await verify('../etc')).toHaveStatus(404);
  });
});

describe('blank templates', () => {
  it('are one record per member: the same blank paper issued for two members is two codes', async () => {
    expect((await issue(studentId, '1-KNĐ', 'pdf')).status).toBe(200);
    expect((await issue(otherId, '1-KNĐ', 'pdf')).status).toBe(200);
    const records = await IssuedDocument.find({ form: '1-KNĐ' }).lean();
    expect(records.map((r) => r.memberIds.map(String))).toEqual(
      expect.arrayContaining([[String(studentId)], [String(otherId)]]),
    );
    expect(records).toHaveLength(2);
  });
});

describe('who may issue', () => {
  it('refuses a step that is not recorded, with the builder message and nothing written', async () => {
    await Member.updateOne({ _id: otherId }, { $unset: { 'pipeline.officialDecision': 1 } });
    const before = await IssuedDocument.countDocuments();
    const res = await issue(otherId, '15-KNĐ', 'pdf');
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/chưa|ghi nhận/i);
    expect(await IssuedDocument.countDocuments()).toBe(before);
    const tab = await call(tabLoader, get(`/members/${otherId}/pipeline`, union), { id: String(otherId) });
    const forms = tab.data.documents.steps.flatMap((s: { forms: { form: string }[] }) => s.forms);
    expect(forms.map((f: { form: string }) => f.form)).not.toContain('15-KNĐ');
  });

  it('answers 404 for another school, 403 for students and the province, 400 for a bad format', async () => {
    const before = await IssuedDocument.countDocuments();
    expect((await issue(foreignId, '1-KNĐ', 'pdf')).status).toBe(404);
    expect((await issue(studentId, '9-KNĐ', 'pdf', foreignParty)).status).toBe(404);
    expect((await issue(studentId, '9-KNĐ', 'pdf', student)).status).toBe(403);
    expect((await issue(studentId, '9-KNĐ', 'pdf', province)).status).toBe(403);
    expect((await issue(studentId, '9-KNĐ', 'exe')).status).toBe(400);
    expect((await issue(studentId, '14-KNĐ', 'pdf')).status).toBe(400);
    expect(await IssuedDocument.countDocuments()).toBe(before);
  });

  it('shows the province the issue history, read-only', async () => {
    const tab = await call(tabLoader, get(`/members/${studentId}/pipeline`, province), {
      id: String(studentId),
    });
    expect(tab.data.documents.canIssue).toBe(false);
    const step = tab.data.documents.steps.find((s: { step: string }) => s.step === 'record_decision');
    expect(step.forms[0].issued).toHaveLength(2);
  });
});

describe('a batch of the ready queue', () => {
  let bulkId: Types.ObjectId;

  beforeAll(async () => {
    bulkId = new Types.ObjectId();
    // What a bulk `record_decision` writes: one number and day on each record, one event.
    await Member.updateOne({ _id: otherId }, { $set: { 'pipeline.decision.number': '246' } });
    await appendAudit({
      action: 'pipeline.bulk',
      entity: 'PipelineBulk',
      entityId: bulkId,
      details: { step: 'record_decision', members: [studentId, otherId] },
    });
  });

  it('offers the one batch file on the ready queue and issues it for every member of the batch', async () => {
    const ready = await call(readyLoader, get(`/pipeline/ready?step=record_decision&batch=${bulkId}`, party));
    expect(ready.data.batch).toMatchObject({ form: '9-KNĐ', count: 2 });
    const res = await raw(() =>
      batchAction({
        request: post('/pipeline/batch-document', { batch: String(bulkId), format: 'pdf' }, party),
        params: {},
        context: context(),
      }),
    );
    expect(res.status).toBe(200);
    const record = (await IssuedDocument.findOne({ batch: true }).lean())!;
    expect(record.memberIds.map(String).sort()).toEqual([String(studentId), String(otherId)].sort());
    expect(await AuditEvent.countDocuments({ action: 'document.issue', 'details.code': record.code })).toBe(
      2,
    );
    expect((await verify(record.code)).data.status).toBe('current');
  });

  it('is a 404 for a school that does not hold every record of it', async () => {
    const res = await raw(() =>
      batchAction({
        request: post('/pipeline/batch-document', { batch: String(bulkId), format: 'pdf' }, foreignParty),
        params: {},
        context: context(),
      }),
    );
    expect(res.status).toBe(404);
    const ready = await call(
      readyLoader,
      get(`/pipeline/ready?step=record_decision&batch=${bulkId}`, foreignParty),
    );
    expect(ready.data.batch).toBeNull();
  });
});

describe('the student', () => {
  it('sees the documents about her and downloads her own current decision, nothing of others', async () => {
    await Member.updateOne(
      { _id: studentId },
      { $set: { consent: { version: CONSENT_VERSION, givenAt: new Date() } } },
    );
    // A classmate's document: never in her list.
    expect((await issue(otherId, '4-KNĐ', 'pdf')).status).toBe(200);
    const me = await call(meLoader, get('/me', student));
    expect(me).toHaveStatus(200);
    const docs = me.data.documents as { code: string; form: string; batch: boolean; status: string }[];
    // Her two decisions, the batch decision naming her, her blank application.
    expect(docs.map((d) => d.form).sort()).toEqual(['1-KNĐ', '9-KNĐ', '9-KNĐ', '9-KNĐ']);
    expect(docs.filter((d) => d.batch)).toHaveLength(1);
    const mine = new Set((await IssuedDocument.find({ memberIds: studentId }).lean()).map((r) => r.code));
    expect(docs.every((d) => mine.has(d.code))).toBe(true);
  });

  it('downloads only her own single, current decision', async () => {
    const mine = await IssuedDocument.find({ memberIds: studentId, form: '9-KNĐ' }).lean();
    const current = mine.find(
      (r) =>
        !r.batch &&
        r.issuedAt.getTime() === Math.max(...mine.filter((x) => !x.batch).map((x) => x.issuedAt.getTime())),
    )!;
    const superseded = mine.find((r) => !r.batch && r.code !== current.code)!;
    const batch = mine.find((r) => r.batch)!;
    const dl = (code: string, cookie = student) =>
      raw(() =>
        myDocLoader({
          request: get(`/me/documents/${code}?format=pdf`, cookie),
          params: { code },
          context: context(),
        }),
      );
    const ok = await dl(current.code);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('Content-Type')).toBe('application/pdf');
    expect((await dl(superseded.code)).status).toBe(404);
    expect((await dl(batch.code)).status).toBe(404);
    // Another member's document: unknown to her.
    const theirs = await issue(otherId, '9-KNĐ', 'pdf');
    expect(theirs.status).toBe(200);
    const other = (await IssuedDocument.findOne({ memberIds: [otherId], batch: false }).lean())!;
    expect((await dl(other.code)).status).toBe(404);
    expect((await dl(current.code, union)).status).toBe(403);
  });
});
