/**
 * The notification centre's pure rules (app/domain/notifications/centre.ts) and its form
 * schemas (app/utils/forms/notifications.ts): which kinds each role sets, 'off' never for a
 * mandatory kind, the bell's "99+", "5 phút trước", and the student's email with consent.
 */
import { describe, expect, it } from 'vitest';
import { bellFigure, deliveriesFor, kindsForRole, relativeAge } from '~/domain/notifications/centre';
import { KIND_RULES, NOTIFICATION_KINDS } from '~/domain/notifications/kinds';
import { ROLES } from '~/domain/permissions';
import { parseForm } from '~/utils/forms/conform';
import { NotifyEmailSchema, preferencesSchema } from '~/utils/forms/notifications';

const form = (fields: Record<string, string>) => new URLSearchParams(fields);
/** A refused submission's messages by field (none when it passed). */
const errorsOf = (s: { status?: string; error?: unknown }) => ('error' in s ? s.error : undefined);

describe('kinds and deliveries', () => {
  it('each role sets exactly the kinds it can receive; the admin none', () => {
    expect(kindsForRole('province_union')).toEqual(['overdue_escalation', 'weekly_digest']);
    expect(kindsForRole('student')).toEqual([
      'certificate_expiring',
      'evidence_reviewed',
      'correction_answered',
      'step_recorded',
    ]);
    expect(kindsForRole('admin')).toEqual([]);
    for (const role of ROLES)
      for (const kind of NOTIFICATION_KINDS)
        expect(kindsForRole(role).includes(kind)).toBe(KIND_RULES[kind].roles.includes(role));
  });

  it('offers off only for kinds that are not mandatory', () => {
    expect(deliveriesFor('overdue_escalation')).toEqual(['in_app', 'email', 'daily_digest']);
    expect(deliveriesFor('step_overdue')).toEqual(['in_app', 'email', 'daily_digest', 'off']);
  });
});

describe('the bell', () => {
  it('shows nothing at 0, the count up to 99, then 99+', () => {
    expect(bellFigure(0)).toBeNull();
    expect(bellFigure(-1)).toBeNull();
    expect(bellFigure(1)).toBe('1');
    expect(bellFigure(99)).toBe('99');
    expect(bellFigure(100)).toBe('99+');
    expect(bellFigure(5000)).toBe('99+');
  });
});

describe('relativeAge', () => {
  const now = new Date('2026-12-07T10:00:00Z');
  const ago = (ms: number) => relativeAge(new Date(now.getTime() - ms), now);
  it('reads minutes, hours and days back, "now" under a minute, the date from a week on', () => {
    expect(ago(0)).toBe('now');
    expect(ago(59_000)).toBe('now');
    expect(ago(-5_000)).toBe('now'); // a clock a little ahead
    expect(ago(60_000)).toEqual({ value: -1, unit: 'minute' });
    expect(ago(59 * 60_000)).toEqual({ value: -59, unit: 'minute' });
    expect(ago(3_600_000)).toEqual({ value: -1, unit: 'hour' });
    expect(ago(23.9 * 3_600_000)).toEqual({ value: -23, unit: 'hour' });
    expect(ago(86_400_000)).toEqual({ value: -1, unit: 'day' });
    expect(ago(6.9 * 86_400_000)).toEqual({ value: -6, unit: 'day' });
    expect(ago(7 * 86_400_000)).toBe('date');
  });
});

describe('preferencesSchema', () => {
  const province = preferencesSchema(kindsForRole('province_union'));
  it('takes one offered delivery per kind and drops kinds outside the role', () => {
    const ok = parseForm(
      form({ overdue_escalation: 'in_app', weekly_digest: 'off', step_overdue: 'off' }),
      province,
    );
    expect(ok.status).toBe('success');
    expect(ok.status === 'success' && ok.value).toEqual({
      overdue_escalation: 'in_app',
      weekly_digest: 'off',
    });
  });
  it('refuses off for a mandatory kind, a made-up delivery, and asks for a missing choice', () => {
    const refused = parseForm(form({ overdue_escalation: 'off', weekly_digest: 'fax' }), province);
    expect(errorsOf(refused)).toEqual({
      overdue_escalation: ['validation.invalidChoice'],
      weekly_digest: ['validation.invalidChoice'],
    });
    expect(errorsOf(parseForm(form({ overdue_escalation: 'email' }), province))).toEqual({
      weekly_digest: ['validation.choose'],
    });
  });
});

describe('NotifyEmailSchema', () => {
  const parse = (fields: Record<string, string>) => parseForm(form(fields), NotifyEmailSchema);
  it('an address needs the consent box; it is trimmed and lower-cased', () => {
    expect(errorsOf(parse({ notifyEmail: 'a@gmail.com' }))).toEqual({
      consent: ['notifications.email.v.consent'],
    });
    const ok = parse({ notifyEmail: ' An.Nguyen@Gmail.com ', consent: 'on' });
    expect(ok.status === 'success' && ok.value).toEqual({
      notifyEmail: 'an.nguyen@gmail.com',
      consent: true,
    });
  });
  it('an empty address withdraws, box or not', () => {
    const empty = parse({ notifyEmail: '' });
    expect(empty.status === 'success' && empty.value.notifyEmail).toBeUndefined();
    expect(parse({}).status).toBe('success');
  });
  it('a malformed or overlong address is refused beside the field', () => {
    for (const bad of ['an', 'an@', '@gmail.com', 'a b@c.vn', `${'a'.repeat(250)}@gmail.com`])
      expect(Object.keys(errorsOf(parse({ notifyEmail: bad, consent: 'on' })) ?? {}), bad).toEqual([
        'notifyEmail',
      ]);
  });
});
