/**
 * What a mail says (issue 21, decision 033): the subject, a plain-text body and an HTML body
 * for one notice or for a day's digest, in the recipient's language. Pure: the composer
 * passes the notices, the absolute base URL and the unsubscribe link.
 *
 * Everything a notice carries is a message key with parameters (names, stages, dates: never
 * a sensitive field, see models/notification.ts); every value that reaches the HTML is
 * escaped, and links are made absolute only from paths inside the app.
 */
import { translate, type Locale } from '../../i18n';
import type { LocalizedText, NoticeLine, NotificationKind } from './kinds';

export interface MailNotice {
  kind: NotificationKind;
  title: LocalizedText;
  body?: LocalizedText | null;
  link: string;
  lines?: NoticeLine[] | null;
}

export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * `path` inside the app made absolute against `base`; anything that is not a plain path
 * (another origin, `//host`, `javascript:`) becomes the app's home page instead.
 */
export function absoluteLink(base: string, path: string): string {
  const root = base.replace(/\/+$/, '');
  if (!path.startsWith('/') || path.startsWith('//') || path.startsWith('/\\')) return `${root}/`;
  return `${root}${path}`;
}

/** Subject lines are one line: a parameter with a line break must not add headers or lines. */
const oneLine = (value: string) => value.replace(/[\r\n\t]+/g, ' ').trim();

function render(locale: Locale, text: LocalizedText): string {
  return translate(locale, text.key, text.params);
}

interface Frame {
  locale: Locale;
  appUrl: string;
  unsubscribeUrl: string;
  unsubscribeLabel: string;
}

function htmlPage(frame: Frame, title: string, inner: string): string {
  const t = (key: Parameters<typeof translate>[1], params?: Record<string, string>) =>
    escapeHtml(translate(frame.locale, key, params));
  return [
    '<!doctype html>',
    `<html lang="${frame.locale}"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>`,
    '<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#1f2937">',
    `<p style="color:#6b7280;font-size:13px">${t('mail.brand')}</p>`,
    inner,
    '<hr style="border:none;border-top:1px solid #e5e7eb;margin:24px 0 12px">',
    `<p style="color:#6b7280;font-size:13px">${t('mail.footer')} `,
    `<a href="${escapeHtml(frame.unsubscribeUrl)}">${escapeHtml(frame.unsubscribeLabel)}</a></p>`,
    '</body></html>',
  ].join('\n');
}

function textFooter(frame: Frame): string {
  return [
    '',
    '--',
    translate(frame.locale, 'mail.footer'),
    `${frame.unsubscribeLabel}: ${frame.unsubscribeUrl}`,
  ].join('\n');
}

function noticeParts(frame: Frame, notice: MailNotice, headingTag: 'h1' | 'h2') {
  const title = render(frame.locale, notice.title);
  const body = notice.body ? render(frame.locale, notice.body) : '';
  const link = absoluteLink(frame.appUrl, notice.link);
  const open = translate(frame.locale, 'mail.openRecord');
  const lines = (notice.lines ?? []).map((line) => ({
    text: render(frame.locale, line.text),
    link: line.link ? absoluteLink(frame.appUrl, line.link) : null,
  }));
  const text = [
    headingTag === 'h1' ? title : `* ${title}`,
    ...(body ? [body] : []),
    ...lines.map((l) => `  - ${l.text}${l.link ? ` <${l.link}>` : ''}`),
    `${open}: ${link}`,
  ].join('\n');
  const size = headingTag === 'h1' ? '20px' : '16px';
  const html = [
    `<${headingTag} style="font-size:${size};margin:16px 0 8px">${escapeHtml(title)}</${headingTag}>`,
    ...(body ? [`<p>${escapeHtml(body)}</p>`] : []),
    ...(lines.length
      ? [
          '<ul>',
          ...lines.map((l) =>
            l.link
              ? `<li><a href="${escapeHtml(l.link)}">${escapeHtml(l.text)}</a></li>`
              : `<li>${escapeHtml(l.text)}</li>`,
          ),
          '</ul>',
        ]
      : []),
    `<p><a href="${escapeHtml(link)}">${escapeHtml(open)}</a></p>`,
  ].join('\n');
  return { title, text, html };
}

/** One notice mailed at once. */
export function noticeMail(
  notice: MailNotice,
  frame: { locale: Locale; appUrl: string; unsubscribeUrl: string },
): MailContent {
  const full: Frame = { ...frame, unsubscribeLabel: translate(frame.locale, 'mail.unsubscribeKind') };
  const parts = noticeParts(full, notice, 'h1');
  return {
    subject: oneLine(parts.title),
    text: `${parts.text}\n${textFooter(full)}\n`,
    html: htmlPage(full, parts.title, parts.html),
  };
}

/** A day's digest: every notice that waited for it, newest last, in one mail. */
export function digestMail(
  notices: readonly MailNotice[],
  frame: { locale: Locale; appUrl: string; unsubscribeUrl: string; day: string },
): MailContent {
  const full: Frame = { ...frame, unsubscribeLabel: translate(frame.locale, 'mail.unsubscribeDigest') };
  const [y, m, d] = frame.day.split('-');
  const date = `${d}/${m}/${y}`;
  const subject = oneLine(translate(frame.locale, 'mail.digestSubject', { date, count: notices.length }));
  const intro = translate(frame.locale, 'mail.digestIntro', { count: notices.length });
  const parts = notices.map((n) => noticeParts(full, n, 'h2'));
  return {
    subject,
    text: `${intro}\n\n${parts.map((p) => p.text).join('\n\n')}\n${textFooter(full)}\n`,
    html: htmlPage(full, subject, [`<p>${escapeHtml(intro)}</p>`, ...parts.map((p) => p.html)].join('\n')),
  };
}
