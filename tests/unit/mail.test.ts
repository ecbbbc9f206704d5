/**
 * The pure parts of mail (decision 033): quiet hours in Vietnam time, the daily cap, retry
 * backoff, unsubscribe tokens, and what the bodies say (escaped, absolute links only).
 */
import { describe, expect, it } from 'vitest';
import { digestMail, absoluteLink, escapeHtml, noticeMail } from '~/domain/notifications/mail-content';
import { capDay, quietUntil, retryDelayMs, sendAfter, underCap } from '~/domain/notifications/mail-rules';
import { signUnsubscribe, verifyUnsubscribe } from '~/domain/notifications/mail-token';
import { parseEnv } from '~/utils/env.server';
import { mailBanner, mailSettings } from '~/utils/mail/mail-settings.server';

/** An instant given as Vietnam wall-clock time. */
const vn = (wall: string) => new Date(`${wall}+07:00`);

describe('quiet hours 22:00–06:00 Vietnam time', () => {
  it.each([
    ['2026-12-07T06:00:00', null],
    ['2026-12-07T12:00:00', null],
    ['2026-12-07T21:59:59', null],
    ['2026-12-07T22:00:00', '2026-12-08T06:00:00'],
    ['2026-12-07T23:59:00', '2026-12-08T06:00:00'],
    ['2026-12-08T00:00:00', '2026-12-08T06:00:00'],
    ['2026-12-08T05:59:59', '2026-12-08T06:00:00'],
    // Month and year boundaries: 23:00 on the last day holds until the first's morning.
    ['2026-12-31T23:00:00', '2027-01-01T06:00:00'],
    ['2027-02-28T22:30:00', '2027-03-01T06:00:00'],
  ])('%s → %s', (at, release) => {
    const got = quietUntil(vn(at));
    expect(got?.getTime() ?? null).toBe(release ? vn(release).getTime() : null);
  });

  it('is UTC+7 whatever the server’s zone: 15:30Z is 22:30 in Vietnam', () => {
    expect(quietUntil(new Date('2026-12-07T15:30:00Z'))?.toISOString()).toBe('2026-12-07T23:00:00.000Z');
    expect(quietUntil(new Date('2026-12-07T14:59:00Z'))).toBeNull();
  });

  it('sends at once outside them', () => {
    const noon = vn('2026-12-07T12:00:00');
    expect(sendAfter(noon)).toBe(noon);
    expect(sendAfter(vn('2026-12-07T22:10:00'))).toEqual(vn('2026-12-08T06:00:00'));
  });
});

describe('the daily cap', () => {
  it('allows up to the cap, not one more', () => {
    expect(underCap(0, 20)).toBe(true);
    expect(underCap(19, 20)).toBe(true);
    expect(underCap(20, 20)).toBe(false);
    expect(underCap(25, 20)).toBe(false);
  });

  it('counts against the Vietnam day the mail goes out', () => {
    expect(capDay(new Date('2026-12-07T17:30:00Z'))).toBe('2026-12-08');
    expect(capDay(vn('2026-12-07T21:59:00'))).toBe('2026-12-07');
  });

  it('backs off 1, 5, 25, 125 minutes between attempts', () => {
    expect([1, 2, 3, 4].map(retryDelayMs)).toEqual([60_000, 300_000, 1_500_000, 7_500_000]);
  });
});

describe('unsubscribe tokens', () => {
  const userId = '0123456789abcdef01234567';
  const secret = 'test secret';

  it('verifies what it signed, kinds in a fixed order', () => {
    const token = signUnsubscribe({ userId, kinds: ['step_overdue', 'deadline_approaching'] }, secret);
    expect(token).toMatch(/^0123456789abcdef01234567\.deadline_approaching\+step_overdue\.[\w-]{43}$/);
    expect(verifyUnsubscribe(token, secret)).toEqual({
      userId,
      kinds: ['deadline_approaching', 'step_overdue'],
    });
  });

  it('refuses another secret, another user or kind, a changed signature, and junk', () => {
    const token = signUnsubscribe({ userId, kinds: ['step_overdue'] }, secret);
    expect(verifyUnsubscribe(token, 'another')).toBeNull();
    expect(verifyUnsubscribe(token.replace('0123', '9123'), secret)).toBeNull();
    expect(verifyUnsubscribe(token.replace('step_overdue', 'rule_conflict'), secret)).toBeNull();
    expect(verifyUnsubscribe(token.replace('step_overdue', 'step_overdue+rule_conflict'), secret)).toBeNull();
    expect(verifyUnsubscribe(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, secret)).toBeNull();
    expect(verifyUnsubscribe(`${token}x`, secret)).toBeNull();
    for (const junk of ['', '.', 'a.b.c', `${userId}.not_a_kind.xyz`, `${userId}..sig`])
      expect(verifyUnsubscribe(junk, secret)).toBeNull();
  });
});

describe('mail content', () => {
  const frame = {
    locale: 'vi' as const,
    appUrl: 'https://app.example',
    unsubscribeUrl: 'https://app.example/unsubscribe/t',
  };
  const notice = {
    kind: 'evidence_reviewed' as const,
    title: {
      key: 'home.welcome' as const,
      params: { name: 'Lê <img src=x onerror=alert(1)> "Thảo"\r\nBcc: x@evil' },
    },
    link: '/me/submissions',
    lines: [
      { text: { key: 'home.welcome' as const, params: { name: 'A & B' } }, link: 'javascript:alert(1)' },
      { text: { key: 'home.welcome' as const, params: { name: 'C' } }, link: '//evil.example/x' },
    ],
  };

  it('escapes every value in the HTML and keeps the subject one line', () => {
    const mail = noticeMail(notice, frame);
    expect(mail.subject).toBe('Xin chào, Lê <img src=x onerror=alert(1)> "Thảo" Bcc: x@evil');
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt; &quot;Thảo&quot;');
    expect(mail.html).toContain('A &amp; B');
  });

  it('makes links absolute, and never to another site or a script', () => {
    const mail = noticeMail(notice, frame);
    expect(mail.html).toContain('href="https://app.example/me/submissions"');
    expect(mail.text).toContain('https://app.example/me/submissions');
    expect(mail.html).not.toMatch(/javascript:|evil\.example/);
    expect(mail.text).not.toMatch(/javascript:|evil\.example/);
    expect(absoluteLink('https://app.example/', '/a?b=1')).toBe('https://app.example/a?b=1');
    expect(absoluteLink('https://app.example', 'https://evil.example')).toBe('https://app.example/');
    expect(absoluteLink('https://app.example', '/\\evil.example')).toBe('https://app.example/');
  });

  it('carries the unsubscribe link in both bodies, in the reader’s language', () => {
    const vi = noticeMail(notice, frame);
    expect(vi.text).toContain('Ngừng nhận thư về loại thông báo này: https://app.example/unsubscribe/t');
    expect(vi.html).toContain(
      '<a href="https://app.example/unsubscribe/t">Ngừng nhận thư về loại thông báo này</a>',
    );
    const en = noticeMail(notice, { ...frame, locale: 'en' });
    expect(en.subject).toMatch(/^Welcome, Lê /);
    expect(en.text).toContain('Stop mail about this kind of notice: https://app.example/unsubscribe/t');
    expect(en.html).toContain('<html lang="en">');
  });

  it('merges a digest into one mail with every notice', () => {
    const mail = digestMail(
      [notice, { ...notice, title: { key: 'home.welcome', params: { name: 'Hai' } } }],
      {
        ...frame,
        day: '2026-12-08',
      },
    );
    expect(mail.subject).toBe('Tổng hợp thông báo ngày 08/12/2026 (2 thông báo)');
    expect(mail.text).toContain('Xin chào, Hai');
    expect(mail.html.match(/<h2/g)).toHaveLength(2);
  });

  it('escapes the five HTML characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('the start-up banner', () => {
  it('says mail goes to the outbox without SMTP_URL', () => {
    expect(mailBanner(null, 'http://127.0.0.1:3000')).toBe(
      'Mail: no SMTP_URL, so mail is not sent but kept in the outbox: http://127.0.0.1:3000/admin/outbox',
    );
  });

  it('names the SMTP host and port, never the user or password', () => {
    const line = mailBanner('smtps://mailer:s3cr%40t@smtp.example.vn:465', 'http://127.0.0.1:3000');
    expect(line).toBe('Mail: sent through the SMTP server smtps://smtp.example.vn:465');
    expect(line).not.toMatch(/mailer|s3cr/);
  });
});

describe('mail settings from the environment', () => {
  it('defaults to the outbox, a cap of 20 and links to the local app', () => {
    const env = parseEnv({ NODE_ENV: 'test', PORT: '3530' });
    expect(mailSettings(env)).toMatchObject({ smtpUrl: null, dailyCap: 20, appUrl: 'http://127.0.0.1:3530' });
  });

  it('takes SMTP_URL, APP_URL and MAIL_DAILY_CAP, and refuses nonsense at start-up', () => {
    const env = parseEnv({
      NODE_ENV: 'test',
      SMTP_URL: 'smtp://127.0.0.1:2525',
      APP_URL: 'https://doanvien.example.vn/',
      MAIL_DAILY_CAP: '5',
    });
    expect(mailSettings(env)).toMatchObject({
      smtpUrl: 'smtp://127.0.0.1:2525',
      dailyCap: 5,
      appUrl: 'https://doanvien.example.vn',
    });
    expect(() => parseEnv({ NODE_ENV: 'test', SMTP_URL: 'http://mail.example' })).toThrow(/SMTP_URL/);
    expect(() => parseEnv({ NODE_ENV: 'test', MAIL_DAILY_CAP: '0' })).toThrow(/MAIL_DAILY_CAP/);
    expect(() => parseEnv({ NODE_ENV: 'test', APP_URL: 'javascript:alert(1)' })).toThrow(/APP_URL/);
  });
});
