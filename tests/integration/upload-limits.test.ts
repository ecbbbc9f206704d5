/**
 * The multipart readers of the two upload routes (issue 17): a file part count beyond
 * the form's, or hundreds of fields, is refused with 413 and a message beside the file
 * field, as a file over its size is, and nothing is stored. The body limits in front of
 * them are tested over HTTP in request-limits.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { action as submitAction } from '~/routes/me.submissions';
import { action as importAction } from '~/routes/members.import';
import { Submission } from '../../models/submission.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { signIn } from '../fixtures/auth.ts';
import { consentDemoStudent } from '../fixtures/demo-student.ts';
import { BASE, call } from '../fixtures/remix.ts';

const MB = 1024 * 1024;

describe('multipart part counts', () => {
  let student: string;
  let union: string;

  beforeAll(async () => {
    await seedDatabase({ members: 40, seed: 1, reset: true });
    [student, union] = await Promise.all([signIn('sinhvien@demo.vn'), signIn('doantruong.pvd@demo.vn')]);
    await consentDemoStudent();
  });

  const pdf = (name: string, bytes = 10) => {
    const content = new Uint8Array(bytes);
    content.set([0x25, 0x50, 0x44, 0x46, 0x2d]);
    return new File([content], name, { type: 'application/pdf' });
  };
  const award = {
    kind: 'award',
    title: 'Giấy khen nhiều tệp',
    date: '2026-05-19',
    awardKind: 'giay_khen',
    level: 'school',
    evidence: 'Quyết định 12/QĐ-ĐTN',
  };

  it('refuses an evidence upload with 4 file parts beside the file field, storing nothing', async () => {
    const before = await Submission.countDocuments();
    const body = new FormData();
    for (const [k, v] of Object.entries(award)) body.set(k, v);
    for (let i = 0; i < 4; i++) body.append('file', pdf(`tep-${i}.pdf`));
    const res = await call(
      submitAction,
      new Request(`${BASE}/me/submissions`, { method: 'POST', body, headers: { Cookie: student } }),
    );
    expect(res).toHaveStatus(413);
    expect((res.data as { fieldErrors: Record<string, string[]> }).fieldErrors.file).toEqual([
      'limits.tooManyFiles',
    ]);
    expect(await Submission.countDocuments()).toBe(before);
  });

  it('refuses a 6 MB evidence file beside the field', async () => {
    const body = new FormData();
    for (const [k, v] of Object.entries(award)) body.set(k, v);
    body.set('file', pdf('lon.pdf', 6 * MB));
    const res = await call(
      submitAction,
      new Request(`${BASE}/me/submissions`, { method: 'POST', body, headers: { Cookie: student } }),
    );
    expect(res).toHaveStatus(413);
    expect((res.data as { fieldErrors: Record<string, string[]> }).fieldErrors.file).toEqual(['me.v.file']);
  });

  it('refuses an import carrying two files with a message', async () => {
    const body = new FormData();
    body.set('intent', 'upload');
    body.set('kind', 'members');
    body.append('file', new File(['a'], 'a.xlsx'));
    body.append('file', new File(['b'], 'b.xlsx'));
    const res = await call(
      importAction,
      new Request(`${BASE}/members/import`, { method: 'POST', body, headers: { Cookie: union } }),
    );
    expect(res).toHaveStatus(413);
    expect(res.data).toMatchObject({ formError: 'limits.tooManyFiles' });
  });

  it('refuses a form with hundreds of fields', async () => {
    const body = new FormData();
    for (let i = 0; i < 500; i++) body.append(`f${i}`, 'x');
    const res = await call(
      submitAction,
      new Request(`${BASE}/me/submissions`, { method: 'POST', body, headers: { Cookie: student } }),
    );
    expect(res).toHaveStatus(413);
  });
});
