/**
 * Mail (issue 21, decision 033) through a REAL SMTP server started here (`smtp-server`), read
 * back with `mailparser`: the Vietnamese subject survives RFC 2047 exactly, HTML and text
 * bodies, absolute links, the stable Message-ID, RFC 8058 one-click unsubscribe that really
 * changes the preference; quiet hours, the daily cap and the digest that merges the rest;
 * the outbox without SMTP_URL and its admin page; retries when the server is down.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import { AuditEvent } from '../../models/audit-event.ts';
import { MailMessage, SENT_MAIL_RETENTION_DAYS } from '../../models/mail-message.ts';
import { Notification } from '../../models/notification.ts';
import { User } from '../../models/user.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import type { Notice } from '~/domain/notifications/kinds';
import { loader as outboxLoader } from '~/routes/admin.outbox';
import { MAIL_HTML_POLICY, loader as outboxHtmlLoader } from '~/routes/admin.outbox_.$id.html';
import { action as unsubscribeAction, loader as unsubscribeLoader } from '~/routes/unsubscribe.$token';
import { getEnv } from '~/utils/env.server';
import { JOBS } from '~/utils/jobs/jobs.server';
import { composeDailyDigests, composePendingMail } from '~/utils/mail/compose.server';
import { mailSettings, type MailSettings } from '~/utils/mail/mail-settings.server';
import { sendDueMail } from '~/utils/mail/send.server';
import { notify } from '~/utils/notifications/notify.server';
import { signIn } from '../fixtures/auth.ts';
import { call, context, get } from '../fixtures/remix.ts';
import { startSmtpSink, type SmtpSink } from '../fixtures/smtp-sink.ts';

const APP_URL = 'https://doanvien.example.vn';
/** 10:00 and 23:00 in Vietnam on Monday 7 December 2026. */
const DAY = new Date('2026-12-07T03:00:00Z');
const NIGHT = new Date('2026-12-07T16:00:00Z');
const NEXT_MORNING = new Date('2026-12-07T23:00:00Z');
const NAME = 'Nguyễn Thị Ánh <b>Tuyết</b> & “Hằng”';

let sink: SmtpSink;
let union: { _id: mongoose.Types.ObjectId; email: string };
let party: { _id: mongoose.Types.ObjectId; email: string };
let seq = 0;

const settings = (over: Partial<ReturnType<typeof getEnv>> = {}): MailSettings =>
  mailSettings({ ...getEnv(), SMTP_URL: sink.url, APP_URL, MAIL_DAILY_CAP: 20, ...over });

function notice(userIds: string[], over: Partial<Notice> = {}): Notice {
  seq++;
  return {
    kind: 'step_overdue',
    eventKey: `test:${seq}`,
    audience: { type: 'users', userIds },
    title: { key: 'home.welcome', params: { name: `${NAME} ${seq}` } },
    body: { key: 'shell.signedInAs', params: { name: 'Đoàn trường <script>alert(1)</script>' } },
    link: `/members/${'a'.repeat(24)}/pipeline`,
    lines: [
      { text: { key: 'home.welcome', params: { name: 'Trần Văn Bình' } }, link: '/pipeline?stage=x&y=1' },
    ],
    ...over,
  };
}

beforeAll(async () => {
  await seedDatabase({ members: 30, seed: 1 });
  sink = await startSmtpSink();
  union = (await User.findOne({ email: 'doantruong.pvd@demo.vn' }).lean())!;
  party = (await User.findOne({ email: 'danguy.pvd@demo.vn' }).lean())!;
}, 120_000);

afterAll(async () => {
  await sink?.close();
});

beforeEach(async () => {
  await MailMessage.deleteMany({});
  await Notification.deleteMany({});
  await User.updateMany(
    {},
    { $unset: { notificationPreferences: 1, notifyEmail: 1, notifyEmailConsentAt: 1 } },
  );
  sink.raw.length = 0;
});

describe('mail through a real SMTP server', () => {
  it('mails a student only at an address she gave with consent, never at her sign-in address', async () => {
    const student = (await User.findOne({ email: 'sinhvien@demo.vn' }).lean())!;
    await notify([notice([String(student._id)], { kind: 'evidence_reviewed' })], { now: DAY });
    expect(await composePendingMail(settings(), { now: DAY })).toMatchObject({ queued: 0, skipped: 1 });

    await User.updateOne(
      { _id: student._id },
      { $set: { notifyEmail: 'tuyet.nguyen@example.vn', notifyEmailConsentAt: DAY } },
    );
    await notify([notice([String(student._id)], { kind: 'evidence_reviewed' })], { now: DAY });
    expect(await composePendingMail(settings(), { now: DAY })).toMatchObject({ queued: 1, skipped: 0 });
    expect(await MailMessage.findOne({ userId: student._id }).lean()).toMatchObject({
      to: 'tuyet.nguyen@example.vn',
    });
    await User.updateOne({ _id: student._id }, { $unset: { notifyEmailConsentAt: 1 } });
  });

  it('delivers the notice: exact Vietnamese subject, both bodies, absolute links, its Message-ID, one-click unsubscribe headers', async () => {
    await notify([notice([String(union._id)])], { now: DAY });
    expect(await composePendingMail(settings(), { now: DAY })).toMatchObject({ queued: 1, skipped: 0 });
    expect(await sendDueMail(settings(), { now: DAY })).toMatchObject({ sent: 1, failed: 0 });

    const [mail] = await sink.parsed();
    const stored = (await MailMessage.findOne().lean())!;
    expect(stored).toMatchObject({ state: 'sent', transport: 'smtp', attempts: 1, to: union.email });
    // The subject went out encoded (RFC 2047) and decodes back to exactly what was written.
    expect(sink.raw[0].toString('latin1')).toMatch(/^Subject: =\?UTF-8\?[BQ]\?/im);
    expect(mail.subject).toBe(`Xin chào, ${NAME} ${seq}`);
    expect(mail.messageId).toBe(stored.messageId);
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toBe(union.email);

    const link = `${APP_URL}/members/${'a'.repeat(24)}/pipeline`;
    expect(mail.text).toContain(`Xin chào, ${NAME} ${seq}`);
    expect(mail.text).toContain(link);
    expect(mail.text).toContain(`${APP_URL}/pipeline?stage=x&y=1`);
    const html = String(mail.html);
    expect(html).toContain(`href="${link}"`);
    expect(html).toContain('href="https://doanvien.example.vn/pipeline?stage=x&amp;y=1"');
    // Every value is escaped: the names' markup is text, never markup.
    expect(html).toContain('&lt;b&gt;Tuyết&lt;/b&gt; &amp; “Hằng”');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>Tuyết');

    const header = (name: string) =>
      mail.headerLines
        .find((h) => h.key === name)
        ?.line.replace(/^[^:]+:\s*/, '')
        .replace(/\r?\n\s+/g, ' ');
    const listUnsubscribe = header('list-unsubscribe')!;
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    const url = /^<(https:\/\/doanvien\.example\.vn\/unsubscribe\/[^>]+)>$/.exec(listUnsubscribe)?.[1];
    expect(url).toBeDefined();
    expect(mail.text).toContain(url);
    expect(html).toContain(`href="${url}"`);

    // The mail client's one-click POST (RFC 8058): no cookie, the fixed body; the kind now stays in the app.
    const path = new URL(url!).pathname;
    const token = path.split('/').pop()!;
    const page = await call(unsubscribeLoader, get(path), { token });
    expect(page.status).toBe(200);
    expect(page.data).toEqual({ kinds: ['step_overdue'] });
    const oneClick = new Request(`http://127.0.0.1:3000${path}`, {
      method: 'POST',
      body: 'List-Unsubscribe=One-Click',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    const audited = () => AuditEvent.countDocuments({ action: 'user.notifications.unsubscribe' });
    const before = await audited();
    expect((await call(unsubscribeAction, oneClick, { token })).status).toBe(200);
    const after = (await User.findById(union._id).lean())!;
    expect(after.notificationPreferences?.step_overdue).toBe('in_app');
    // Audited as the person's own change, made through the link.
    const event = (await AuditEvent.findOne({ action: 'user.notifications.unsubscribe' })
      .sort({ at: -1 })
      .lean())!;
    expect(String(event.actorId)).toBe(String(union._id));
    expect(event.details).toMatchObject({ via: 'mail_link', after: { step_overdue: 'in_app' } });
    expect(await audited()).toBe(before + 1);
    // The same link again changes nothing and writes no second event.
    expect((await call(unsubscribeAction, oneClick.clone(), { token })).status).toBe(200);
    expect(await audited()).toBe(before + 1);
    // …and the next such notice is in the app only.
    await notify([notice([String(union._id)])], { now: DAY });
    expect((await Notification.findOne({ eventKey: `test:${seq}` }).lean())!.mail).toBe('none');
  });

  it('refuses a forged, altered or foreign unsubscribe token with a 404, changing nothing', async () => {
    const good = new URL(
      (await import('~/utils/mail/compose.server')).unsubscribeUrl(settings(), String(union._id), [
        'step_overdue',
      ]),
    ).pathname
      .split('/')
      .pop()!;
    const tampered = [
      good.replace('step_overdue', 'rule_conflict'),
      good.replace(String(union._id), String(party._id)),
      `${good.slice(0, -2)}AA`,
      'nonsense',
      (await import('~/domain/notifications/mail-token')).signUnsubscribe(
        { userId: String(union._id), kinds: ['step_overdue'] },
        'another secret',
      ),
    ];
    for (const token of tampered) {
      expect((await call(unsubscribeLoader, get(`/unsubscribe/${token}`), { token })).status).toBe(404);
      const req = new Request(`http://127.0.0.1:3000/unsubscribe/${token}`, {
        method: 'POST',
        body: 'List-Unsubscribe=One-Click',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      });
      expect((await call(unsubscribeAction, req, { token })).status).toBe(404);
    }
    expect((await User.findById(union._id).lean())!.notificationPreferences?.step_overdue).toBeUndefined();
  });

  it('composes each notice once, however often the job runs', async () => {
    await notify([notice([String(union._id), String(party._id)])], { now: DAY });
    await composePendingMail(settings(), { now: DAY });
    await composePendingMail(settings(), { now: DAY });
    await notify([notice([String(union._id)], { eventKey: `test:${seq}` })], { now: DAY }); // the same event again
    await composePendingMail(settings(), { now: DAY });
    expect(await MailMessage.countDocuments()).toBe(2);
    expect(await Notification.distinct('mail')).toEqual(['queued']);
    await sendDueMail(settings(), { now: DAY });
    await sendDueMail(settings(), { now: DAY });
    expect(sink.raw).toHaveLength(2);
  });

  it('skips a person with no mail wanted, and holds a queued mail whose kind they stopped since', async () => {
    await notify([notice([String(union._id), String(party._id)])], { now: DAY });
    // Stopped before composing: skipped.
    await User.updateOne({ _id: party._id }, { $set: { 'notificationPreferences.step_overdue': 'in_app' } });
    expect(await composePendingMail(settings(), { now: DAY })).toMatchObject({ queued: 1, skipped: 1 });
    // Stopped after composing, before sending: held, not sent.
    await User.updateOne({ _id: union._id }, { $set: { 'notificationPreferences.step_overdue': 'off' } });
    expect(await sendDueMail(settings(), { now: DAY })).toMatchObject({ sent: 0, held: 1 });
    expect(sink.raw).toHaveLength(0);
  });

  it('holds mail composed in the quiet hours until 06:00 Vietnam time', async () => {
    await notify([notice([String(union._id)])], { now: NIGHT });
    await composePendingMail(settings(), { now: NIGHT });
    const m = (await MailMessage.findOne().lean())!;
    expect(m.notBefore.toISOString()).toBe('2026-12-07T23:00:00.000Z'); // 06:00 on the 8th
    expect(await sendDueMail(settings(), { now: new Date('2026-12-07T22:59:00Z') })).toMatchObject({
      sent: 0,
    });
    expect(sink.raw).toHaveLength(0);
    expect(await sendDueMail(settings(), { now: NEXT_MORNING })).toMatchObject({ sent: 1 });
    expect(sink.raw).toHaveLength(1);
  });

  it('caps a person’s day: the rest wait for the digest, which merges them into one mail', async () => {
    const capped = settings({ MAIL_DAILY_CAP: 2 });
    await notify(
      [1, 2, 3, 4].map(() => notice([String(union._id)])),
      { now: DAY },
    );
    expect(await composePendingMail(capped, { now: DAY })).toMatchObject({ queued: 2, deferred: 2 });
    expect(await Notification.countDocuments({ mail: 'digest' })).toBe(2);
    // A notice that chose the digest joins it too.
    await notify([notice([String(union._id)], { kind: 'deadline_approaching' })], { now: DAY });
    const digestAt = new Date('2026-12-07T23:30:00Z'); // 06:30 the next morning
    expect(await composeDailyDigests(capped, { now: digestAt })).toMatchObject({ digests: 1, queued: 3 });
    expect(await composeDailyDigests(capped, { now: digestAt })).toMatchObject({ digests: 0, queued: 0 });
    await sendDueMail(capped, { now: digestAt });
    const mails = await sink.parsed();
    expect(mails).toHaveLength(3);
    const digest = mails.find((m) => m.subject?.startsWith('Tổng hợp thông báo'))!;
    expect(digest.subject).toBe('Tổng hợp thông báo ngày 08/12/2026 (3 thông báo)');
    for (const n of await Notification.find({
      _id: mongoose.trusted({
        $in: (await MailMessage.findOne({ kind: 'daily_digest' }).lean())!.notificationIds,
      }),
    }).lean())
      expect(digest.text).toContain(String((n.title.params as { name: string }).name));
    const url = /<([^>]+)>/.exec(digest.headerLines.find((h) => h.key === 'list-unsubscribe')!.line)![1];
    expect(url.split('/').pop()).toMatch(/^[0-9a-f]{24}\.deadline_approaching\+step_overdue\./);
  });

  it('retries later when the SMTP server is unreachable, with the same Message-ID', async () => {
    await notify([notice([String(union._id)])], { now: DAY });
    const down = settings({ SMTP_URL: 'smtp://127.0.0.1:1' });
    await composePendingMail(down, { now: DAY });
    expect(await sendDueMail(down, { now: DAY })).toMatchObject({ sent: 0, retried: 1 });
    const waiting = (await MailMessage.findOne().lean())!;
    expect(waiting).toMatchObject({ state: 'queued', attempts: 1 });
    expect(waiting.lastError).toBeTruthy();
    expect(waiting.notBefore.getTime()).toBeGreaterThan(Date.now());
    await sendDueMail(settings(), { now: new Date(Date.now() + 120_000) });
    const [mail] = await sink.parsed();
    expect(mail.messageId).toBe(waiting.messageId);
    expect((await MailMessage.findOne().lean())!).toMatchObject({ state: 'sent', attempts: 2 });
  });
});

describe('the jobs', () => {
  it('are in JOBS: the mail job composes and sends every half minute, the digest at 06:30', async () => {
    expect(JOBS.find((j) => j.name === 'mail')?.schedule).toEqual({ everyMs: 30_000 });
    expect(JOBS.find((j) => j.name === 'mail-daily-digest')?.schedule).toEqual({ dailyAt: '06:30' });
    // The test environment has no SMTP_URL: the job's run ends in the outbox.
    await notify([notice([String(union._id)])], { now: DAY });
    const summary = await JOBS.find((j) => j.name === 'mail')!.run({
      now: DAY,
      signal: new AbortController().signal,
    });
    expect(summary).toMatchObject({ queued: 1, sent: 1 });
    expect((await MailMessage.findOne().lean())!).toMatchObject({ transport: 'outbox', state: 'sent' });
  });
});

describe('without SMTP_URL: the outbox', () => {
  it('marks mail sent into the outbox, sends nothing, and shows it to the admin only', async () => {
    const outbox = settings({ SMTP_URL: undefined });
    expect(outbox.smtpUrl).toBeNull();
    await notify([notice([String(union._id)])], { now: DAY });
    await composePendingMail(outbox, { now: DAY });
    expect(await sendDueMail(outbox, { now: DAY })).toMatchObject({ sent: 1 });
    expect(sink.raw).toHaveLength(0);
    const m = (await MailMessage.findOne().lean())!;
    expect(m).toMatchObject({ state: 'sent', transport: 'outbox' });

    const admin = await signIn('admin@demo.vn');
    const list = await call(outboxLoader, get('/admin/outbox', admin));
    expect(list.status).toBe(200);
    expect(list.data.list.rows[0]).toMatchObject({
      subject: m.subject,
      to: union.email,
      transport: 'outbox',
      state: 'sent',
    });
    const one = await call(outboxLoader, get(`/admin/outbox?id=${String(m._id)}`, admin));
    expect(one.data.message).toMatchObject({ text: m.text, html: m.html });
    expect((await call(outboxLoader, get(`/admin/outbox?id=${'0'.repeat(24)}`, admin))).status).toBe(404);
    expect((await call(outboxLoader, get('/admin/outbox?id=nonsense', admin))).status).toBe(404);
    const province = await signIn('tinhdoan@demo.vn');
    expect((await call(outboxLoader, get('/admin/outbox', province))).status).toBe(403);

    // The HTML body as its own document for the frame, with its own policy: styles, no script.
    const htmlPath = `/admin/outbox/${String(m._id)}/html`;
    const html = await outboxHtmlLoader({
      request: get(htmlPath, admin),
      params: { id: String(m._id) },
      context: context(),
    });
    expect(html.status).toBe(200);
    expect(await html.text()).toBe(m.html);
    expect(html.headers.get('Content-Security-Policy')).toBe(MAIL_HTML_POLICY);
    expect(MAIL_HTML_POLICY).toMatch(/default-src 'none'.*style-src 'unsafe-inline'.*sandbox$/);
    const refused = (request: Request, id: string) =>
      outboxHtmlLoader({ request, params: { id }, context: context() }).then(
        () => 200,
        (e: unknown) => (e as Response).status,
      );
    expect(await refused(get(htmlPath, province), String(m._id))).toBe(403);
    expect(await refused(get('/admin/outbox/x/html', admin), 'nonsense')).toBe(404);
    expect(await refused(get('/admin/outbox/x/html', admin), '0'.repeat(24))).toBe(404);
  });

  it('keeps a sent mail 90 days: the server holds a TTL index on sentAt', async () => {
    await MailMessage.createIndexes();
    const indexes = await MailMessage.collection.indexes();
    const ttl = indexes.find((ix) => ix.key.sentAt === 1);
    expect(ttl?.expireAfterSeconds).toBe(SENT_MAIL_RETENTION_DAYS * 24 * 60 * 60);
    expect(SENT_MAIL_RETENTION_DAYS).toBe(90);
  });
});
