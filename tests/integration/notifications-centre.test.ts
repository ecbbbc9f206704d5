/**
 * The notification centre (issue 21): the bell's count in the root loader, /notifications
 * (only the user's own, newest first, paged, filtered), marking read one or all, following a
 * notice, and /settings/notifications (deliveries per kind, mandatory kinds, the student's
 * notification email with consent). Another user's notification answers 404 and stays as it
 * was; a refused form writes nothing.
 */
import type { Types } from 'mongoose';
import mongoose from 'mongoose';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { Notification } from '../../models/notification.ts';
import { User } from '../../models/user.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import type { NotificationKind } from '~/domain/notifications/kinds';
import { loader as rootLoader } from '~/root';
import { action as openAction, loader as openLoader } from '~/routes/notifications.$id';
import { action as listAction, loader as listLoader } from '~/routes/notifications._index';
import { action as settingsAction, loader as settingsLoader } from '~/routes/settings.notifications';
import { signIn } from '../fixtures/auth.ts';
import { call, get, post } from '../fixtures/remix.ts';

const STUDENT = 'sinhvien@demo.vn';
const PROVINCE = 'tinhdoan@demo.vn';
const cookie: Record<string, string> = {};
const uid: Record<string, Types.ObjectId> = {};

beforeAll(async () => {
  await seedDatabase({ members: 30, seed: 1, reset: true });
  for (const email of [STUDENT, PROVINCE, 'doantruong.pvd@demo.vn', 'admin@demo.vn']) {
    cookie[email] = await signIn(email);
    uid[email] = (await User.findOne({ email }).lean())!._id;
  }
});

beforeEach(async () => {
  await Notification.deleteMany({});
  await User.updateMany(
    {},
    { $unset: { notificationPreferences: 1, notifyEmail: 1, notifyEmailConsentAt: 1 } },
  );
});

let seq = 0;
/** Notifications for a user, the first the oldest (a minute apart). */
async function give(
  email: string,
  count: number,
  extra: { kind?: NotificationKind; link?: string; read?: boolean } = {},
) {
  const base = Date.parse('2026-12-01T00:00:00Z') + seq * 60_000;
  const docs = Array.from({ length: count }, (_, i) => ({
    userId: uid[email],
    kind: extra.kind ?? 'step_recorded',
    eventKey: `t:${++seq}`,
    title: { key: 'notifications.sample.title', params: { n: seq } },
    link: extra.link ?? '/me',
    delivery: 'in_app',
    mail: 'none',
    createdAt: new Date(base + i * 60_000),
    ...(extra.read ? { readAt: new Date(base) } : {}),
  }));
  const created = await Notification.insertMany(docs);
  return created.map((d) => String(d._id));
}

describe('the bell', () => {
  it('counts the signed-in user’s unread notices only', async () => {
    await give(STUDENT, 3);
    await give(STUDENT, 2, { read: true });
    await give(PROVINCE, 5);
    expect((await call(rootLoader, get('/', cookie[STUDENT]))).data.unread).toBe(3);
    expect((await call(rootLoader, get('/', cookie['admin@demo.vn']))).data.unread).toBe(0);
    expect((await call(rootLoader, get('/'))).data.unread).toBe(0);
  });

  it('stops counting past the cap ("99+")', async () => {
    await give(STUDENT, 130);
    expect((await call(rootLoader, get('/', cookie[STUDENT]))).data.unread).toBe(100);
  });
});

describe('/notifications', () => {
  it('lists only the user’s own, newest first, 50 a page', async () => {
    const mine = await give(STUDENT, 55);
    await give(PROVINCE, 4);
    const first = await call(listLoader, get('/notifications', cookie[STUDENT]));
    expect(first.status).toBe(200);
    expect(first.data.total).toBe(55);
    expect(first.data.pages).toBe(2);
    expect(first.data.rows).toHaveLength(50);
    expect(first.data.rows[0].id).toBe(mine[54]);
    expect(first.data.rows[0]).toMatchObject({ read: false, title: { key: 'notifications.sample.title' } });
    const second = await call(listLoader, get('/notifications?page=2', cookie[STUDENT]));
    expect(second.data.rows.map((r: { id: string }) => r.id)).toEqual(mine.slice(0, 5).reverse());
    const province = await call(listLoader, get('/notifications', cookie[PROVINCE]));
    expect(province.data.total).toBe(4);
  });

  it('filters unread and by kind; a bad filter value is the default, not an error', async () => {
    await give(STUDENT, 2, { kind: 'evidence_reviewed' });
    await give(STUDENT, 3, { kind: 'step_recorded', read: true });
    const unread = await call(listLoader, get('/notifications?status=unread', cookie[STUDENT]));
    expect(unread.data.total).toBe(2);
    const kind = await call(listLoader, get('/notifications?kind=step_recorded', cookie[STUDENT]));
    expect(kind.data.total).toBe(3);
    const bad = await call(listLoader, get('/notifications?status=x&kind=%24ne&page=-3', cookie[STUDENT]));
    expect(bad.status).toBe(200);
    expect(bad.data.total).toBe(5);
    expect(bad.data.query).toEqual({ status: 'all', page: 1 });
  });

  it('sends the signed-out to the sign-in page', async () => {
    const res = await call(listLoader, get('/notifications'));
    expect(res.status).toBe(302);
    expect(res.location).toMatch(/^\/login/);
  });

  it('marks one read; another user’s id is a 404 and stays unread', async () => {
    const [mine] = await give(STUDENT, 1);
    const [theirs] = await give(PROVINCE, 1);
    const ok = await call(
      listAction,
      post('/notifications?index', { intent: 'read', id: mine }, cookie[STUDENT]),
    );
    expect(ok.status).toBe(200);
    expect((await Notification.findById(mine).lean())!.readAt).toBeInstanceOf(Date);
    const refused = await call(
      listAction,
      post('/notifications?index', { intent: 'read', id: theirs }, cookie[STUDENT]),
    );
    expect(refused.status).toBe(404);
    expect((await Notification.findById(theirs).lean())!.readAt).toBeUndefined();
    for (const id of ['nope', '', '{"$ne":null}'])
      expect(
        (await call(listAction, post('/notifications?index', { intent: 'read', id }, cookie[STUDENT])))
          .status,
      ).toBe(404);
  });

  it('marking read twice keeps the first time', async () => {
    const [mine] = await give(STUDENT, 1);
    await call(listAction, post('/notifications?index', { intent: 'read', id: mine }, cookie[STUDENT]));
    const first = (await Notification.findById(mine).lean())!.readAt;
    await call(listAction, post('/notifications?index', { intent: 'read', id: mine }, cookie[STUDENT]));
    expect((await Notification.findById(mine).lean())!.readAt).toEqual(first);
  });

  it('marks all of the user’s own read, no one else’s', async () => {
    await give(STUDENT, 4);
    await give(PROVINCE, 2);
    const res = await call(
      listAction,
      post('/notifications?index&status=unread', { intent: 'readAll' }, cookie[STUDENT]),
    );
    expect(res.status).toBe(302);
    expect(res.location).toBe('/notifications?status=unread&ok=notificationsAllRead');
    expect(await Notification.countDocuments({ userId: uid[STUDENT], readAt: null })).toBe(0);
    expect(await Notification.countDocuments({ userId: uid[PROVINCE], readAt: null })).toBe(2);
  });

  it('refuses an unknown intent with a 400, nothing written', async () => {
    await give(STUDENT, 1);
    const res = await call(listAction, post('/notifications?index', { intent: 'delete' }, cookie[STUDENT]));
    expect(res.status).toBe(400);
    expect(await Notification.countDocuments({ readAt: null })).toBe(1);
  });
});

describe('following a notice', () => {
  it('marks it read and goes to its record', async () => {
    const [id] = await give(STUDENT, 1, { link: '/me/submissions' });
    const res = await call(openAction, post(`/notifications/${id}`, {}, cookie[STUDENT]), { id });
    expect(res.status).toBe(302);
    expect(res.location).toBe('/me/submissions');
    expect((await Notification.findById(id).lean())!.readAt).toBeInstanceOf(Date);
  });

  it('another user’s notice is a 404, left unread; a bad id a 404', async () => {
    const [theirs] = await give(PROVINCE, 1);
    const res = await call(openAction, post(`/notifications/${theirs}`, {}, cookie[STUDENT]), { id: theirs });
    expect(res.status).toBe(404);
    expect((await Notification.findById(theirs).lean())!.readAt).toBeUndefined();
    expect((await call(openAction, post('/notifications/x', {}, cookie[STUDENT]), { id: 'x' })).status).toBe(
      404,
    );
  });

  it('a link that leaves the app goes to the list instead', async () => {
    const [id] = await give(STUDENT, 1, { link: '//evil.example/x' });
    const res = await call(openAction, post(`/notifications/${id}`, {}, cookie[STUDENT]), { id });
    expect(res.location).toBe('/notifications');
  });

  it('a GET changes nothing and leads to the list', async () => {
    const [id] = await give(STUDENT, 1);
    const res = await call(openLoader, get(`/notifications/${id}`, cookie[STUDENT]), { id });
    expect(res.location).toBe('/notifications');
    expect((await Notification.findById(id).lean())!.readAt).toBeUndefined();
  });
});

describe('/settings/notifications', () => {
  const save = (email: string, fields: Record<string, string>) =>
    call(
      settingsAction,
      post('/settings/notifications', { intent: 'preferences', ...fields }, cookie[email]),
    );
  const prefsOf = async (email: string) =>
    (await User.findOne({ email }).lean())!.notificationPreferences as Record<string, string> | undefined;

  it('lists the kinds each role can receive, with their defaults', async () => {
    const student = await call(settingsLoader, get('/settings/notifications', cookie[STUDENT]));
    expect(student.data.kinds.map((k: { kind: string }) => k.kind)).toEqual([
      'certificate_expiring',
      'evidence_reviewed',
      'correction_answered',
      'step_recorded',
    ]);
    expect(student.data.email).toEqual({ notifyEmail: null, consentAt: null });
    const province = await call(settingsLoader, get('/settings/notifications', cookie[PROVINCE]));
    expect(province.data.kinds).toEqual([
      {
        kind: 'overdue_escalation',
        mandatory: true,
        choices: ['in_app', 'email', 'daily_digest'],
        current: 'email',
      },
      {
        kind: 'weekly_digest',
        mandatory: false,
        choices: ['in_app', 'email', 'daily_digest', 'off'],
        current: 'email',
      },
    ]);
    expect(province.data.email).toBeNull();
    const admin = await call(settingsLoader, get('/settings/notifications', cookie['admin@demo.vn']));
    expect(admin.data.kinds).toEqual([]);
  });

  it('saves the choices with an audit event; a kind outside the role is ignored', async () => {
    const before = await AuditEvent.countDocuments({ action: 'user.notifications.preferences' });
    const res = await save(PROVINCE, {
      overdue_escalation: 'daily_digest',
      weekly_digest: 'off',
      evidence_reviewed: 'off',
    });
    expect(res.status).toBe(302);
    expect(res.location).toBe('/settings/notifications?ok=notificationPreferencesSaved');
    expect(await prefsOf(PROVINCE)).toEqual({ overdue_escalation: 'daily_digest', weekly_digest: 'off' });
    const event = await AuditEvent.findOne({ action: 'user.notifications.preferences' })
      .sort({ _id: -1 })
      .lean();
    expect(await AuditEvent.countDocuments({ action: 'user.notifications.preferences' })).toBe(before + 1);
    expect(event).toMatchObject({
      entity: 'User',
      details: {
        before: { overdue_escalation: null, weekly_digest: null },
        after: { overdue_escalation: 'daily_digest', weekly_digest: 'off' },
      },
    });
    const page = await call(settingsLoader, get('/settings/notifications', cookie[PROVINCE]));
    expect(page.data.kinds.map((k: { current: string }) => k.current)).toEqual(['daily_digest', 'off']);
  });

  it('refuses off for a mandatory kind, a made-up delivery and a missing kind: 400, nothing written', async () => {
    const events = await AuditEvent.countDocuments();
    const off = await save(PROVINCE, { overdue_escalation: 'off', weekly_digest: 'email' });
    expect(off.status).toBe(400);
    expect(off.data.result.error).toEqual({ overdue_escalation: ['validation.invalidChoice'] });
    const bogus = await save(PROVINCE, { overdue_escalation: 'sms', weekly_digest: 'email' });
    expect(bogus.status).toBe(400);
    const missing = await save(PROVINCE, { overdue_escalation: 'email' });
    expect(missing.status).toBe(400);
    expect(missing.data.result.error).toEqual({ weekly_digest: ['validation.choose'] });
    expect(await prefsOf(PROVINCE)).toBeUndefined();
    expect(await AuditEvent.countDocuments()).toBe(events);
  });

  it('an unknown intent is a 400', async () => {
    const res = await call(settingsAction, post('/settings/notifications', {}, cookie[STUDENT]));
    expect(res.status).toBe(400);
  });
});

describe('the student’s notification email', () => {
  const email = (who: string, fields: Record<string, string>) =>
    call(settingsAction, post('/settings/notifications', { intent: 'email', ...fields }, cookie[who]));
  const stored = async () =>
    (await User.findOne({ email: STUDENT }).select({ notifyEmail: 1, notifyEmailConsentAt: 1 }).lean())!;

  it('needs the consent box, and says so beside it; nothing written', async () => {
    const res = await email(STUDENT, { notifyEmail: 'truc.huynh@gmail.com' });
    expect(res.status).toBe(400);
    expect(res.data.result.error).toEqual({ consent: ['notifications.email.v.consent'] });
    expect(res.data.values.notifyEmail).toBe('truc.huynh@gmail.com');
    expect((await stored()).notifyEmail).toBeUndefined();
  });

  it('refuses a malformed address beside the field', async () => {
    for (const bad of ['truc', 'truc@', 'a b@gmail.com', `${'x'.repeat(250)}@gmail.com`]) {
      const res = await email(STUDENT, { notifyEmail: bad, consent: 'on' });
      expect(res.status, bad).toBe(400);
      expect(Object.keys(res.data.result.error)).toEqual(['notifyEmail']);
    }
    expect((await stored()).notifyEmail).toBeUndefined();
  });

  it('stores the address with the moment of consent, audited without the address; clearing withdraws', async () => {
    const res = await email(STUDENT, { notifyEmail: ' Truc.Huynh@Gmail.com ', consent: 'on' });
    expect(res.status).toBe(302);
    expect(res.location).toBe('/settings/notifications?ok=notifyEmailSaved');
    const saved = await stored();
    expect(saved.notifyEmail).toBe('truc.huynh@gmail.com');
    expect(saved.notifyEmailConsentAt).toBeInstanceOf(Date);
    const set = await AuditEvent.findOne({ action: 'user.notify_email.set' }).lean();
    expect(JSON.stringify(set)).not.toContain('truc.huynh');
    const page = await call(settingsLoader, get('/settings/notifications', cookie[STUDENT]));
    expect(page.data.email.notifyEmail).toBe('truc.huynh@gmail.com');

    const withdrawn = await email(STUDENT, { notifyEmail: '' });
    expect(withdrawn.location).toBe('/settings/notifications?ok=notifyEmailWithdrawn');
    const after = await stored();
    expect(after.notifyEmail).toBeUndefined();
    expect(after.notifyEmailConsentAt).toBeUndefined();
    expect(await AuditEvent.countDocuments({ action: 'user.notify_email.withdraw' })).toBe(1);
  });

  it('is the student’s only: staff are refused (403), nothing written', async () => {
    const res = await email('doantruong.pvd@demo.vn', { notifyEmail: 'x@gmail.com', consent: 'on' });
    expect(res.status).toBe(403);
    expect(await User.countDocuments({ notifyEmail: mongoose.trusted({ $exists: true }) })).toBe(0);
  });
});
