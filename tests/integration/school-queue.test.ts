/**
 * The school Union's queue: long-waiting items stand out and come first, the school
 * home counts what waits (inside the scope only), and bulk decisions decide each
 * selected item as the single path does, never one of another school, all of them in
 * one transaction with their events.
 */
import type { Types } from 'mongoose';
import mongoose from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { CorrectionRequest } from '../../models/correction-request.ts';
import { Member } from '../../models/member.ts';
import { Submission } from '../../models/submission.ts';
import { Unit } from '../../models/unit.ts';
import { User } from '../../models/user.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { loader as homeLoader } from '~/routes/school._index';
import { action as queueAction, loader as queueLoader } from '~/routes/school.submissions';
import { verifyAudit } from '~/utils/audit/audit-verify.server';
import { signIn } from '../fixtures/auth.ts';
import { withRefusedAuditEvent } from '../fixtures/refuse-audit.ts';
import { BASE, call, get, post } from '../fixtures/remix.ts';

let union: string;
let party: string;
let own: { _id: Types.ObjectId; schoolId: Types.ObjectId; ancestors: Types.ObjectId[] };
let foreign: { _id: Types.ObjectId; schoolId: Types.ObjectId; ancestors: Types.ObjectId[] };

const DAY = 86_400_000;

async function make(
  m: { _id: Types.ObjectId; schoolId: Types.ObjectId; ancestors: Types.ObjectId[] },
  title: string,
  daysAgo: number,
  kind: 'award' | 'activity' = 'activity',
) {
  return Submission.create({
    memberId: m._id,
    schoolId: m.schoolId,
    ancestors: m.ancestors,
    kind,
    title,
    date: new Date('2026-06-20'),
    ...(kind === 'award' ? { awardKind: 'giay_khen', level: 'school' } : { days: 3 }),
    evidence: 'Xác nhận của Đoàn trường',
    createdAt: new Date(Date.now() - daysAgo * DAY),
  });
}

/** A POST with repeated `ids` fields, as the bulk form sends them. */
function bulk(fields: [string, string][], cookie = union) {
  return new Request(`${BASE}/school/submissions`, {
    method: 'POST',
    body: new URLSearchParams(fields),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie },
  });
}

beforeAll(async () => {
  await seedDatabase({ members: 60, seed: 1, reset: true });
  [union, party] = await Promise.all(['doantruong.pvd@demo.vn', 'danguy.pvd@demo.vn'].map((e) => signIn(e)));
  const ownId = (await User.findOne({ email: 'sinhvien@demo.vn' }).lean())!.memberId!;
  own = (await Member.findById(ownId).lean())! as typeof own;
  const pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
  foreign = (await Member.findOne({
    schoolId: mongoose.trusted({ $ne: pvd._id }),
  }).lean())! as typeof foreign;
});

describe('waiting over 30 days', () => {
  it('flags a submission sent 31 days ago, not one sent 29 days ago, and lists it first', async () => {
    await make(own, 'Gửi 29 ngày trước', 29);
    await make(own, 'Gửi 31 ngày trước', 31);
    await make(own, 'Gửi hôm nay', 0);
    const res = await call(queueLoader, get('/school/submissions', union));
    expect(res).toHaveStatus(200);
    const byTitle = (t: string) => res.data.queue.find((s: { title: string }) => s.title === t);
    expect(byTitle('Gửi 31 ngày trước').stale).toBe(true);
    expect(byTitle('Gửi 29 ngày trước').stale).toBe(false);
    expect(byTitle('Gửi hôm nay').stale).toBe(false);
    expect(res.data.queue[0].title).toBe('Gửi 31 ngày trước');
  });
});

describe('the school home', () => {
  it('counts pending and long-waiting submissions of its own school only', async () => {
    await make(foreign, 'Trường khác, cũ', 40);
    await make(foreign, 'Trường khác, mới', 1);
    const res = await call(homeLoader, get('/school', union));
    expect(res).toHaveStatus(200);
    expect(res.data.pending).toEqual({ pending: 3, stale: 1 });
    // The Party side has no Union queue.
    const partyHome = await call(homeLoader, get('/school', party));
    expect(partyHome).toHaveStatus(200);
    expect(partyHome.data.pending).toBeNull();
  });
});

describe('bulk decisions', () => {
  it('refuses to return many without a reason, changing nothing', async () => {
    const mine = await Submission.find({ memberId: own._id, status: 'submitted' }).lean();
    const res = await call(
      queueAction,
      bulk([
        ['intent', 'return-many'],
        ['reason', ''],
        ...mine.map((s) => ['ids', String(s._id)] as [string, string]),
      ]),
    );
    expect(res).toHaveStatus(400);
    expect(res.data.fieldErrors.reason).toEqual(['me.v.reason']);
    // conform's reply for the bulk form (its lastResult), told apart from the items' forms.
    expect(res.data).toMatchObject({
      form: 'bulk',
      result: { status: 'error', error: { reason: ['me.v.reason'] } },
    });
    expect(await Submission.countDocuments({ memberId: own._id, status: 'submitted' })).toBe(mine.length);
    const none = await call(queueAction, bulk([['intent', 'approve-many']]));
    expect(none).toHaveStatus(400);
    expect(none.data.fieldErrors.ids).toEqual(['queue.v.none']);
    expect(none.data.result.error).toEqual({ ids: ['queue.v.none'] });
  });

  it('approves the selected items into the record, audited, leaving another school’s id untouched', async () => {
    const mine = await Submission.find({ memberId: own._id, status: 'submitted' })
      .sort({ createdAt: 1 })
      .lean();
    const picked = mine.slice(0, 2);
    const other = (await Submission.findOne({ memberId: foreign._id }).lean())!;
    const otherBefore = JSON.stringify(await Member.findById(foreign._id).lean());
    const activitiesBefore = (await Member.findById(own._id).lean())!.activities.length;
    const foreignEvents = await AuditEvent.countDocuments({ entityId: foreign._id });
    const res = await call(
      queueAction,
      bulk([
        ['intent', 'approve-many'],
        ...picked.map((s) => ['ids', String(s._id)] as [string, string]),
        ['ids', String(other._id)],
        ['ids', 'not-an-id'],
      ]),
    );
    expect(res).toRedirectTo('/school/submissions?done=approved&count=2');
    expect(picked).toHaveLength(2);
    for (const s of picked) expect((await Submission.findById(s._id).lean())!.status).toBe('approved');
    expect((await Submission.findById(mine[2]._id).lean())!.status).toBe('submitted');
    expect((await Member.findById(own._id).lean())!.activities).toHaveLength(activitiesBefore + 2);
    expect(await AuditEvent.countDocuments({ action: 'member.submission.approve', entityId: own._id })).toBe(
      2,
    );
    expect((await Submission.findById(other._id).lean())!.status).toBe('submitted');
    expect(JSON.stringify(await Member.findById(foreign._id).lean())).toBe(otherBefore);
    expect(await AuditEvent.countDocuments({ entityId: foreign._id })).toBe(foreignEvents);
  });

  it('returns the selected items with one reason, audited, skipping another school’s id', async () => {
    await make(own, 'Thêm một mục', 2, 'award');
    const mine = await Submission.find({ memberId: own._id, status: 'submitted' }).lean();
    expect(mine).toHaveLength(2);
    const other = (await Submission.findOne({ memberId: foreign._id }).lean())!;
    const res = await call(
      queueAction,
      bulk([
        ['intent', 'return-many'],
        ['reason', 'Thiếu xác nhận của Đoàn trường'],
        ...mine.map((s) => ['ids', String(s._id)] as [string, string]),
        ['ids', String(other._id)],
      ]),
    );
    expect(res).toHaveStatus(302);
    expect(mine).not.toHaveLength(0);
    for (const s of mine) {
      expect((await Submission.findById(s._id).lean())!).toMatchObject({
        status: 'returned',
        reason: 'Thiếu xác nhận của Đoàn trường',
      });
    }
    expect(await AuditEvent.countDocuments({ action: 'member.submission.return', entityId: own._id })).toBe(
      2,
    );
    expect((await Submission.findById(other._id).lean())!.status).toBe('submitted');
  });

  it('refuses the Party side', async () => {
    const other = (await Submission.findOne({ memberId: foreign._id }).lean())!;
    const res = await call(
      queueAction,
      bulk(
        [
          ['intent', 'approve-many'],
          ['ids', String(other._id)],
        ],
        party,
      ),
    );
    expect(res).toHaveStatus(403);
  });
});

describe('open correction requests', () => {
  it('lists the school’s open requests only and marks one handled, audited; another school’s is untouched', async () => {
    const mine = await CorrectionRequest.create({
      memberId: own._id,
      schoolId: own.schoolId,
      field: 'phone',
      message: 'Số điện thoại đã đổi',
      correctValue: '0905123456',
    });
    const theirs = await CorrectionRequest.create({
      memberId: foreign._id,
      schoolId: foreign.schoolId,
      field: 'email',
      message: 'Email sai chính tả',
    });
    const list = await call(queueLoader, get('/school/submissions', union));
    expect(list.data.corrections.map((c: { id: string }) => c.id)).toEqual([String(mine._id)]);
    expect(list.data.corrections[0]).toMatchObject({ field: 'phone', correctValue: '0905123456' });

    const foreignTry = await call(
      queueAction,
      post(
        '/school/submissions',
        { intent: 'correction-done', id: String(theirs._id), reason: 'Đã sửa theo yêu cầu của sinh viên.' },
        union,
      ),
    );
    expect(foreignTry).toHaveStatus(404);
    expect((await CorrectionRequest.findById(theirs._id).lean())!.status).toBe('open');
    expect(
      (
        await call(
          queueAction,
          post(
            '/school/submissions',
            { intent: 'correction-done', id: String(mine._id), reason: 'Đã sửa theo yêu cầu của sinh viên.' },
            party,
          ),
        )
      ).status,
    ).toBe(403);

    const res = await call(
      queueAction,
      post(
        '/school/submissions',
        { intent: 'correction-done', id: String(mine._id), reason: 'Đã sửa theo yêu cầu của sinh viên.' },
        union,
      ),
    );
    expect(res).toRedirectTo('/school/submissions?done=correction');
    expect((await CorrectionRequest.findById(mine._id).lean())!.status).toBe('resolved');
    expect(await AuditEvent.countDocuments({ action: 'member.correction.resolve', entityId: own._id })).toBe(
      1,
    );
    // Once handled it leaves the list and cannot be handled again.
    expect((await call(queueLoader, get('/school/submissions', union))).data.corrections).toEqual([]);
    expect(
      (
        await call(
          queueAction,
          post(
            '/school/submissions',
            { intent: 'correction-done', id: String(mine._id), reason: 'Đã sửa theo yêu cầu của sinh viên.' },
            union,
          ),
        )
      ).status,
    ).toBe(404);
  });
});

describe('each decision is one transaction with its events', () => {
  const record = async (id = own._id) => {
    const m = (await Member.findById(id).lean())!;
    return { v: m.__v ?? 0, awards: m.awards.length, activities: m.activities.length };
  };
  const approveMany = (ids: Types.ObjectId[]) =>
    call(
      queueAction,
      bulk([['intent', 'approve-many'], ...ids.map((id) => ['ids', String(id)] as [string, string])]),
    );
  /** Another member of the same school, so the last item's event can be told apart. */
  const classmate = async () =>
    (await Member.findOne({ schoolId: own.schoolId, _id: mongoose.trusted({ $ne: own._id }) })
      .sort({ _id: 1 })
      .lean())! as typeof own;

  it('approves all selected items in one transaction: a failure at the last leaves none approved', async () => {
    const mate = await classmate();
    const items = [
      await make(own, 'Hiến máu tình nguyện', 3),
      await make(own, 'Giấy khen học tập', 3, 'award'),
      await make(mate, 'Tiếp sức mùa thi', 3),
    ];
    const ids = items.map((s) => s._id);
    const before = [await record(), await record(mate._id)];
    // The last item's event cannot be written: the two before it were already decided.
    await expect(
      withRefusedAuditEvent({ action: 'member.submission.approve', entityId: mate._id }, () =>
        approveMany(ids),
      ),
    ).rejects.toThrow(/duplicate key/);
    expect(
      await Submission.countDocuments({ _id: mongoose.trusted({ $in: ids }), status: 'submitted' }),
    ).toBe(3);
    expect([await record(), await record(mate._id)]).toEqual(before);
    expect(await AuditEvent.countDocuments({ 'details.submissionId': mongoose.trusted({ $in: ids }) })).toBe(
      0,
    );

    const res = await approveMany(ids);
    expect(res.location).toBe('/school/submissions?done=approved&count=3');
    expect([await record(), await record(mate._id)]).toEqual([
      {
        ...before[0],
        v: before[0].v + 2,
        awards: before[0].awards + 1,
        activities: before[0].activities + 1,
      },
      { ...before[1], v: before[1].v + 1, activities: before[1].activities + 1 },
    ]);
    for (const [i, memberId] of [own._id, own._id, mate._id].entries()) {
      const m = (await Member.findById(memberId).lean())!;
      const inRecord = [...m.awards, ...m.activities].map((x) => String(x.submissionId));
      expect(inRecord).toContain(String(ids[i]));
    }
    const events = await AuditEvent.find({
      action: 'member.submission.approve',
      'details.submissionId': mongoose.trusted({ $in: ids }),
    }).lean();
    expect(
      events.map((e) => [String(e.entityId), (e.details as { version: number }).version]).sort(),
    ).toEqual(
      [
        [String(own._id), before[0].v + 1],
        [String(own._id), before[0].v + 2],
        [String(mate._id), before[1].v + 1],
      ].sort(),
    );
    expect((await verifyAudit()).gaps).toEqual([]);
  });

  it('skips an item whose member is out of reach without undoing the others', async () => {
    // Filed under this school but about another school's member: the record update matches nothing.
    const stray = await Submission.create({
      memberId: foreign._id,
      schoolId: own.schoolId,
      ancestors: own.ancestors,
      kind: 'activity',
      title: 'Mục lạc trường',
      date: new Date('2026-06-20'),
      days: 2,
      evidence: 'Không rõ',
    });
    const mine = await make(own, 'Chiến dịch mùa đông', 1);
    const foreignBefore = JSON.stringify(await Member.findById(foreign._id).lean());
    const res = await approveMany([stray._id, mine._id]);
    expect(res.location).toBe('/school/submissions?done=approved&count=1');
    expect((await Submission.findById(mine._id).lean())!.status).toBe('approved');
    expect((await Submission.findById(stray._id).lean())!.status).toBe('submitted');
    expect(JSON.stringify(await Member.findById(foreign._id).lean())).toBe(foreignBefore);
    expect(await AuditEvent.countDocuments({ 'details.submissionId': stray._id })).toBe(0);
    await Submission.deleteOne({ _id: stray._id });
  });

  it('returns all selected items in one transaction, or none', async () => {
    const mate = await classmate();
    const items = [await make(own, 'Thiếu minh chứng 1', 1), await make(mate, 'Thiếu minh chứng 2', 1)];
    const ids = items.map((s) => s._id);
    const fields: [string, string][] = [
      ['intent', 'return-many'],
      ['reason', 'Cần bản chụp giấy xác nhận'],
      ...ids.map((id) => ['ids', String(id)] as [string, string]),
    ];
    await expect(
      withRefusedAuditEvent({ action: 'member.submission.return', entityId: mate._id }, () =>
        call(queueAction, bulk(fields)),
      ),
    ).rejects.toThrow(/duplicate key/);
    expect(
      await Submission.countDocuments({ _id: mongoose.trusted({ $in: ids }), status: 'submitted' }),
    ).toBe(2);
    expect(await AuditEvent.countDocuments({ 'details.submissionId': mongoose.trusted({ $in: ids }) })).toBe(
      0,
    );
    expect((await call(queueAction, bulk(fields))).location).toBe(
      '/school/submissions?done=returned&count=2',
    );
    expect(await Submission.countDocuments({ _id: mongoose.trusted({ $in: ids }), status: 'returned' })).toBe(
      2,
    );
  });

  it('marks a correction request handled with its event, or not at all', async () => {
    const c = await CorrectionRequest.create({
      memberId: own._id,
      schoolId: own.schoolId,
      field: 'email',
      message: 'Email sai',
    });
    const done = () =>
      call(
        queueAction,
        post(
          '/school/submissions',
          { intent: 'correction-done', id: String(c._id), reason: 'Đã sửa theo yêu cầu của sinh viên.' },
          union,
        ),
      );
    await expect(withRefusedAuditEvent({ action: 'member.correction.resolve' }, done)).rejects.toThrow(
      /duplicate key/,
    );
    expect((await CorrectionRequest.findById(c._id).lean())!.status).toBe('open');
    expect(await AuditEvent.countDocuments({ 'details.correctionId': c._id })).toBe(0);
    expect((await done()).status).toBe(302);
    expect((await CorrectionRequest.findById(c._id).lean())!.status).toBe('resolved');
    expect(await AuditEvent.countDocuments({ 'details.correctionId': c._id })).toBe(1);
    expect((await verifyAudit()).gaps).toEqual([]);
  });
});
