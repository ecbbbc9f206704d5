/**
 * notify() (app/utils/notifications/notify.server.ts), the one way a notice reaches people:
 * each audience type resolves to the right active users, each user's preference decides
 * what is written (off: nothing; a mandatory kind's off: in-app; email: mail pending;
 * daily digest: mail digest), the same event twice writes one notification, and a notice
 * written inside a transaction that aborts is gone with it.
 */
import type { Types } from 'mongoose';
import mongoose from 'mongoose';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Member } from '../../models/member.ts';
import { Notification } from '../../models/notification.ts';
import { Unit } from '../../models/unit.ts';
import { User } from '../../models/user.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import type { Audience, Notice, NotificationKind } from '~/domain/notifications/kinds';
import { notify, resolveAudience } from '~/utils/notifications/notify.server';
import { inTransaction } from '~/utils/transaction.server';

let pvd: Types.ObjectId;
let province: Types.ObjectId;
let studentMember: Types.ObjectId;
const userId: Record<string, Types.ObjectId> = {};

const idOf = async (email: string) => (await User.findOne({ email }).lean())!._id;

beforeAll(async () => {
  await seedDatabase({ members: 40, seed: 1, reset: true });
  await Notification.createCollection().catch(() => undefined);
  await Notification.init();
  pvd = (await Unit.findOne({ code: 'PVD' }).lean())!._id;
  province = (await Unit.findOne({ kind: 'province', active: true }).lean())!._id;
  for (const email of [
    'sinhvien@demo.vn',
    'doantruong.pvd@demo.vn',
    'danguy.pvd@demo.vn',
    'bithu.pvd@demo.vn',
    'tinhdoan@demo.vn',
    'admin@demo.vn',
  ])
    userId[email] = await idOf(email);
  studentMember = (await User.findOne({ email: 'sinhvien@demo.vn' }).lean())!.memberId!;
});

beforeEach(async () => {
  await Notification.deleteMany({});
  await User.updateMany({}, { $unset: { notificationPreferences: 1 }, $set: { active: true } });
});

let seq = 0;
function notice(kind: NotificationKind, audience: Audience, eventKey = `test:${++seq}`): Notice {
  return {
    kind,
    eventKey,
    audience,
    title: { key: 'notifications.sample.title', params: { n: seq } },
    body: { key: 'notifications.sample.body' },
    link: '/me',
  };
}

const ids = (list: { _id: Types.ObjectId }[]) => list.map((u) => String(u._id)).sort();
const emails = async (list: { _id: Types.ObjectId }[]) =>
  (await User.find({ _id: mongoose.trusted({ $in: list.map((u) => u._id) }) }).lean())
    .map((u) => u.email)
    .sort();

describe('audiences', () => {
  it('a unit: its active users with one of the roles, no one above or beside it', async () => {
    const both = await resolveAudience({
      type: 'unit',
      unitId: String(pvd),
      roles: ['school_union', 'school_party'],
    });
    expect(await emails(both)).toEqual(['bithu.pvd@demo.vn', 'danguy.pvd@demo.vn', 'doantruong.pvd@demo.vn']);
    const union = await resolveAudience({ type: 'unit', unitId: String(pvd), roles: ['school_union'] });
    expect(await emails(union)).toEqual(['doantruong.pvd@demo.vn']);
    // Deactivated accounts hear nothing.
    await User.updateOne({ email: 'bithu.pvd@demo.vn' }, { $set: { active: false } });
    const party = await resolveAudience({ type: 'unit', unitId: String(pvd), roles: ['school_party'] });
    expect(await emails(party)).toEqual(['danguy.pvd@demo.vn']);
  });

  it('the province: its province_union users only (not the admin, not the schools)', async () => {
    expect(await emails(await resolveAudience({ type: 'province', unitId: String(province) }))).toEqual([
      'tinhdoan@demo.vn',
    ]);
  });

  it('a student: the account of that member record, none for a record without one', async () => {
    const own = await resolveAudience({ type: 'student', memberId: String(studentMember) });
    expect(ids(own)).toEqual([String(userId['sinhvien@demo.vn'])]);
    const accounts = (await User.find({ memberId: mongoose.trusted({ $ne: null }) }).lean()).map(
      (u) => u.memberId,
    );
    const without = (await Member.findOne({ _id: mongoose.trusted({ $nin: accounts }) }).lean())!;
    expect(await resolveAudience({ type: 'student', memberId: String(without._id) })).toEqual([]);
  });

  it('listed users: the active ones of the list', async () => {
    await User.updateOne({ email: 'admin@demo.vn' }, { $set: { active: false } });
    const got = await resolveAudience({
      type: 'users',
      userIds: [String(userId['tinhdoan@demo.vn']), String(userId['admin@demo.vn'])],
    });
    expect(ids(got)).toEqual([String(userId['tinhdoan@demo.vn'])]);
  });

  it('many audiences in one batch: each its own people, read in at most three queries', async () => {
    const other = (await User.findOne({
      role: 'school_party',
      unitId: mongoose.trusted({ $ne: pvd }),
    }).lean())!.unitId;
    const batch = [
      notice('rule_conflict', { type: 'unit', unitId: String(pvd), roles: ['school_union'] }),
      notice('rule_conflict', { type: 'unit', unitId: String(other), roles: ['school_party'] }),
      notice('overdue_escalation', { type: 'province', unitId: String(province) }),
      notice('step_recorded', { type: 'student', memberId: String(studentMember) }),
      notice('rule_conflict', { type: 'users', userIds: [String(userId['admin@demo.vn'])] }),
    ];
    const expected = new Map<string, string[]>();
    for (const n of batch) expected.set(n.eventKey, ids(await resolveAudience(n.audience)));
    // The scan's batches name hundreds of audiences; under load each query waits its turn.
    let userQueries = 0;
    mongoose.set('debug', (collection: string) => {
      if (collection === 'users') userQueries++;
    });
    try {
      await notify(batch);
    } finally {
      mongoose.set('debug', false);
    }
    expect(userQueries).toBeLessThanOrEqual(3);
    for (const n of batch) {
      const got = await Notification.find({ eventKey: n.eventKey }).lean();
      expect(got.map((r) => String(r.userId)).sort()).toEqual(expected.get(n.eventKey));
      expect(got.length).toBeGreaterThan(0);
    }
  });

  it('writes one notification per person the audience means', async () => {
    const created = await notify([
      notice('rule_conflict', { type: 'unit', unitId: String(pvd), roles: ['school_union', 'school_party'] }),
    ]);
    expect(created).toBe(3);
    const rows = await Notification.find({}).lean();
    expect(rows.map((r) => String(r.userId)).sort()).toEqual(
      [userId['bithu.pvd@demo.vn'], userId['danguy.pvd@demo.vn'], userId['doantruong.pvd@demo.vn']]
        .map(String)
        .sort(),
    );
    expect(rows[0]).toMatchObject({
      kind: 'rule_conflict',
      title: { key: 'notifications.sample.title' },
      link: '/me',
      mail: 'pending',
      delivery: 'email',
    });
    expect(rows[0].readAt).toBeUndefined();
  });
});

describe('preferences', () => {
  const student = () => ({ type: 'student', memberId: String(studentMember) }) as const;
  const setPref = (email: string, prefs: Record<string, string>) =>
    User.updateOne({ email }, { $set: { notificationPreferences: prefs } });

  it('off writes nothing for that person, and only that kind', async () => {
    await setPref('sinhvien@demo.vn', { evidence_reviewed: 'off' });
    expect(await notify([notice('evidence_reviewed', student())])).toBe(0);
    expect(await Notification.countDocuments()).toBe(0);
    expect(await notify([notice('step_recorded', student())])).toBe(1);
  });

  it('a mandatory kind switched off still arrives, in the app only', async () => {
    await setPref('tinhdoan@demo.vn', { overdue_escalation: 'off' });
    expect(await notify([notice('overdue_escalation', { type: 'province', unitId: String(province) })])).toBe(
      1,
    );
    expect(await Notification.findOne({}).lean()).toMatchObject({ delivery: 'in_app', mail: 'none' });
  });

  it('email: mail pending; daily digest: mail digest; in-app: no mail; no choice: the kind’s default', async () => {
    const school = { type: 'unit', unitId: String(pvd), roles: ['school_union', 'school_party'] } as const;
    await setPref('doantruong.pvd@demo.vn', { step_overdue: 'daily_digest' });
    await setPref('danguy.pvd@demo.vn', { step_overdue: 'in_app' });
    await setPref('bithu.pvd@demo.vn', { step_overdue: 'email' });
    await notify([notice('step_overdue', school), notice('deadline_approaching', school)]);
    const state = async (email: string, kind: NotificationKind) =>
      (await Notification.findOne({ userId: userId[email], kind }).lean())!;
    expect(await state('doantruong.pvd@demo.vn', 'step_overdue')).toMatchObject({
      delivery: 'daily_digest',
      mail: 'digest',
    });
    expect(await state('danguy.pvd@demo.vn', 'step_overdue')).toMatchObject({
      delivery: 'in_app',
      mail: 'none',
    });
    expect(await state('bithu.pvd@demo.vn', 'step_overdue')).toMatchObject({
      delivery: 'email',
      mail: 'pending',
    });
    // deadline_approaching defaults to the daily digest.
    expect(await state('bithu.pvd@demo.vn', 'deadline_approaching')).toMatchObject({ mail: 'digest' });
  });
});

describe('idempotency', () => {
  it('the same event twice (a rerun scan, a retried job) is one notification per person', async () => {
    const n = notice('step_recorded', { type: 'student', memberId: String(studentMember) }, 'step:once');
    expect(await notify([n])).toBe(1);
    expect(await notify([n])).toBe(0);
    expect(await notify([n, { ...n, title: { key: 'notifications.sample.body' } }])).toBe(0);
    const rows = await Notification.find({ eventKey: 'step:once' }).lean();
    expect(rows).toHaveLength(1);
    // The first write wins: a repeat never rewrites it (or its read state).
    expect(rows[0].title.key).toBe('notifications.sample.title');
  });

  it('an event already read stays read when it comes again', async () => {
    const n = notice('step_recorded', { type: 'student', memberId: String(studentMember) }, 'step:read');
    await notify([n]);
    const at = new Date('2026-12-01T01:00:00Z');
    await Notification.updateOne({ eventKey: 'step:read' }, { $set: { readAt: at } });
    await notify([n]);
    expect((await Notification.findOne({ eventKey: 'step:read' }).lean())!.readAt).toEqual(at);
  });

  it('no notices, no work', async () => {
    expect(await notify([])).toBe(0);
  });
});

describe('transactions', () => {
  const n = () => notice('step_recorded', { type: 'student', memberId: String(studentMember) });

  it('a notice written in a transaction that aborts is gone with it', async () => {
    await expect(
      inTransaction(async () => {
        expect(await notify([n()])).toBe(1);
        throw new Error('the step failed after the notice');
      }),
    ).rejects.toThrow('the step failed');
    expect(await Notification.countDocuments()).toBe(0);
  });

  it('and commits with the transaction it joined', async () => {
    const at = new Date('2026-12-07T03:00:00Z');
    await inTransaction(async () => {
      await notify([n()], { now: at });
    });
    const rows = await Notification.find({}).lean();
    expect(rows).toHaveLength(1);
    expect(rows[0].createdAt).toEqual(at);
  });
});
