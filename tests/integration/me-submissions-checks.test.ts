/**
 * What the student is told when evidence is refused or repeats (issue 18): a refused date
 * names its rule; the same item still waiting is refused (409, nothing stored); the same
 * file with another item is kept but marked, and the student sees the mark.
 */
import type { Types } from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { Submission } from '../../models/submission.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { loader as homeLoader } from '~/routes/me._index';
import { action as submitAction, loader as submitLoader } from '~/routes/me.submissions';
import { action as queueAction } from '~/routes/school.submissions';
import { signIn } from '../fixtures/auth.ts';
import { consentDemoStudent } from '../fixtures/demo-student.ts';
import { BASE, call, get, post } from '../fixtures/remix.ts';

let student: string;
let own: Types.ObjectId;

const award = {
  kind: 'award',
  title: 'Giấy khen Sinh viên 5 tốt',
  date: '2026-05-19',
  awardKind: 'giay_khen',
  level: 'school',
  evidence: 'Quyết định 12/QĐ-ĐTN ngày 19/5/2026',
};

beforeAll(async () => {
  await seedDatabase({ members: 40, seed: 1, reset: true });
  student = await signIn('sinhvien@demo.vn');
  own = await consentDemoStudent();
});

const submit = (fields: Record<string, string>) =>
  call(submitAction, post('/me/submissions', fields, student));

function withFile(fields: Record<string, string>, bytes: number[], name: string) {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.set(k, v);
  body.set('file', new File([new Uint8Array(bytes)], name, { type: 'application/pdf' }));
  return new Request(`${BASE}/me/submissions`, { method: 'POST', body, headers: { Cookie: student } });
}

describe('a refused date says why', () => {
  it('a day later than today', async () => {
    const next = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    const res = await submit({ ...award, title: 'Ngày tương lai', date: next });
    expect(res).toHaveStatus(400);
    expect(res.data.fieldErrors.date).toEqual(['me.v.dateFuture']);
  });

  it('a day the calendar does not have', async () => {
    const res = await submit({ ...award, title: 'Ngày không có', date: '2026-02-31' });
    expect(res).toHaveStatus(400);
    expect(res.data.fieldErrors.date).toEqual(['me.v.dateNoSuchDay']);
  });
});

describe('duplicates', () => {
  it('refuses the same item while the first is still waiting, storing nothing, and says which', async () => {
    const first = await submit({ ...award, title: 'Giấy khen gửi hai lần' });
    expect(first).toHaveStatus(302);
    const before = await Submission.countDocuments({ memberId: own });
    const again = await submit({ ...award, title: 'Giấy khen gửi hai lần' });
    expect(again).toHaveStatus(409);
    expect(again.data.formError).toContain('«Giấy khen gửi hai lần»');
    expect(again.data.formError).toContain('đang chờ Đoàn trường duyệt');
    expect(await Submission.countDocuments({ memberId: own })).toBe(before);
  });

  it('two tabs sending the same item at the same moment store it once; the other is told why', async () => {
    const title = 'Giấy khen gửi từ hai thẻ';
    const before = await Submission.countDocuments({ memberId: own, title });
    const answers = await Promise.all([submit({ ...award, title }), submit({ ...award, title })]);
    expect(answers.map((a) => a.status).sort()).toEqual([302, 409]);
    const refused = answers.find((a) => a.status === 409)!;
    expect(refused.data.formError).toContain(`«${title}»`);
    expect(await Submission.countDocuments({ memberId: own, title })).toBe(before + 1);
  });

  it('keeps the same file sent with another item, marked, and the student sees the mark', async () => {
    const bytes = [0x25, 0x50, 0x44, 0x46, 0x2d, 0x37, 0x37];
    const first = await call(submitAction, withFile({ ...award, title: 'Bằng khen tỉnh' }, bytes, 'a.pdf'));
    expect(first).toHaveStatus(302);
    expect(first.headers.get('Location')).toBe('/me/submissions?sent=1');
    const second = await call(
      submitAction,
      withFile({ ...award, title: 'Giấy khen khác', date: '2026-05-20' }, bytes, 'ten-khac.pdf'),
    );
    expect(second).toHaveStatus(302);
    expect(second.headers.get('Location')).toBe('/me/submissions?sent=1&sameFile=1');
    const page = await call(submitLoader, get('/me/submissions', student));
    const marked = (page.data.submissions as { title: string; sameFileAs: { title: string } | null }[]).find(
      (s) => s.title === 'Giấy khen khác',
    );
    expect(marked?.sameFileAs?.title).toBe('Bằng khen tỉnh');
  });
});

describe('/me', () => {
  it('mentions returned evidence with its reason and a link to resubmit', async () => {
    const union = await signIn('doantruong.pvd@demo.vn');
    expect((await submit({ ...award, title: 'Minh chứng bị trả lại', date: '2026-04-02' })).status).toBe(302);
    const s = (await Submission.findOne({ title: 'Minh chứng bị trả lại' }).lean())!;
    const back = await call(
      queueAction,
      post(
        '/school/submissions',
        { intent: 'return', id: String(s._id), reason: 'Thiếu bản chụp quyết định' },
        union,
      ),
    );
    expect(back.status).toBeLessThan(400);
    const home = await call(homeLoader, get('/me', student));
    expect(home.data.returned).toEqual([
      expect.objectContaining({ title: 'Minh chứng bị trả lại', reason: 'Thiếu bản chụp quyết định' }),
    ]);
  });
});
