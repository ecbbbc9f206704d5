/**
 * The evidence quota (issue 17, "No evidence quota": 40 × 5 MB in 21 s, all kept in the
 * database's memory): per student and calendar month, EVIDENCE_QUOTA files and bytes;
 * an upload beyond it is refused with 409 and the reason, storing nothing; the page
 * shows what is left. Counted in the upload's transaction: two uploads at the limit
 * sent together, one is stored and one refused.
 */
import type { Types } from 'mongoose';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EvidenceFile } from '../../models/evidence-file.ts';
import { EvidenceQuota } from '../../models/evidence-quota.ts';
import { Submission } from '../../models/submission.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { vietnamDay } from '~/domain/calendar';
import { action as submitAction, loader as submitLoader } from '~/routes/me.submissions';
import { EVIDENCE_QUOTA } from '~/utils/student/evidence-quota.server';
import { signIn } from '../fixtures/auth.ts';
import { consentDemoStudent } from '../fixtures/demo-student.ts';
import { BASE, call, get, post } from '../fixtures/remix.ts';

let student: string;
let own: Types.ObjectId;
const MB = 1024 * 1024;

const award = {
  kind: 'award',
  title: 'Giấy khen',
  date: '2026-05-19',
  awardKind: 'giay_khen',
  level: 'school',
  evidence: 'Quyết định 12/QĐ-ĐTN',
};

function pdf(bytes: number) {
  const content = new Uint8Array(bytes);
  content.set([0x25, 0x50, 0x44, 0x46, 0x2d]);
  return new File([content], 'giay-khen.pdf', { type: 'application/pdf' });
}

function upload(title: string, file: File) {
  const body = new FormData();
  for (const [k, v] of Object.entries({ ...award, title })) body.set(k, v);
  body.set('file', file);
  return call(
    submitAction,
    new Request(`${BASE}/me/submissions`, { method: 'POST', body, headers: { Cookie: student } }),
  );
}

/** This month's counter set as if `files` files of `bytes` in all were already sent. */
async function used(files: number, bytes: number) {
  const month = vietnamDay(new Date()).slice(0, 7);
  await EvidenceQuota.collection.replaceOne(
    { _id: `${String(own)}:${month}` as never },
    { memberId: own, month, files, bytes },
    { upsert: true },
  );
}

beforeAll(async () => {
  await seedDatabase({ members: 40, seed: 1, reset: true });
  student = await signIn('sinhvien@demo.vn');
  own = await consentDemoStudent();
});

beforeEach(async () => {
  await EvidenceQuota.deleteMany({});
});

describe('evidence quota', () => {
  it('is 20 files and 30 MB a month', () => {
    expect(EVIDENCE_QUOTA).toEqual({ files: 20, bytes: 30 * MB });
  });

  it('counts each upload and shows the student what is left', async () => {
    expect((await upload('Tệp một', pdf(1000))).status).toBe(302);
    const page = await call(submitLoader, get('/me/submissions', student));
    expect(page.data).toMatchObject({
      quota: { files: EVIDENCE_QUOTA.files - 1, bytes: EVIDENCE_QUOTA.bytes - 1000 },
    });
  });

  it('refuses the 21st file of the month with 409 and the reason, storing nothing', async () => {
    await used(EVIDENCE_QUOTA.files, 1 * MB);
    const before = await Submission.countDocuments();
    const files = await EvidenceFile.countDocuments();
    const res = await upload('Tệp thứ 21', pdf(1000));
    expect(res).toHaveStatus(409);
    expect(res.data).toMatchObject({ fieldErrors: { file: ['me.quota.file'] } });
    expect(res.data).toMatchObject({ result: { status: 'error', error: { file: ['me.quota.file'] } } });
    expect((res.data as { formError: string }).formError).toMatch(/hạn mức minh chứng tháng \d\d\/\d{4}/);
    expect(await Submission.countDocuments()).toBe(before);
    expect(await EvidenceFile.countDocuments()).toBe(files);
  });

  it('refuses a file that would pass the bytes of the month', async () => {
    await used(3, EVIDENCE_QUOTA.bytes - 1 * MB);
    const res = await upload('Tệp lớn', pdf(2 * MB));
    expect(res).toHaveStatus(409);
    // A small one still fits.
    expect((await upload('Tệp nhỏ', pdf(1000))).status).toBe(302);
  });

  it('a submission without a file does not count and is not refused', async () => {
    await used(EVIDENCE_QUOTA.files, EVIDENCE_QUOTA.bytes);
    const res = await call(submitAction, post('/me/submissions', { ...award, title: 'Không tệp' }, student));
    expect(res).toHaveStatus(302);
  });

  it('two uploads at the limit sent together: one is stored, the other refused', async () => {
    await used(EVIDENCE_QUOTA.files - 1, 1 * MB);
    const before = await Submission.countDocuments();
    const results = await Promise.all([upload('Song song A', pdf(1000)), upload('Song song B', pdf(1000))]);
    expect(results.map((r) => r.status).sort()).toEqual([302, 409]);
    expect(await Submission.countDocuments()).toBe(before + 1);
    const month = vietnamDay(new Date()).slice(0, 7);
    const counter = await EvidenceQuota.findById(`${String(own)}:${month}`).lean();
    expect(counter).toMatchObject({ files: EVIDENCE_QUOTA.files, bytes: 1 * MB + 1000 });
  });
});
