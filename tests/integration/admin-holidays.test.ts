/**
 * /admin/holidays: admins only; list by year; add (a day off or a make-up working
 * day), rename, delete with per-field messages (400/409, nothing written); every
 * change and its event in one transaction (a refused event leaves no change), and a
 * change of dates reaches the working-day calendar and the stored deadlines at once.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { Holiday } from '../../models/holiday.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { action, loader } from '~/routes/admin.holidays';
import { verifyAudit } from '~/utils/audit/audit-verify.server';
import { refreshAllPipelineDue } from '~/utils/pipeline/pipeline-due.server';
import type * as PipelineDue from '~/utils/pipeline/pipeline-due.server';
import { loadCalendar } from '~/utils/pipeline/working-calendar.server';
import { signIn } from '../fixtures/auth.ts';
import { withRefusedAuditEvent } from '../fixtures/refuse-audit.ts';
import { call, get, post } from '../fixtures/remix.ts';

// The real refresh, watched: a change of dates must recompute the stored deadlines.
vi.mock('~/utils/pipeline/pipeline-due.server', async (importOriginal) => {
  const actual = await importOriginal<typeof PipelineDue>();
  return { ...actual, refreshAllPipelineDue: vi.fn(actual.refreshAllPipelineDue) };
});

let admin: string;
let union: string;
let province: string;

beforeAll(async () => {
  await seedDatabase({ members: 20, seed: 1, reset: true });
  [admin, union, province] = await Promise.all(
    ['admin@demo.vn', 'doantruong.pvd@demo.vn', 'tinhdoan@demo.vn'].map((e) => signIn(e)),
  );
});

// Other start-up paths (the seed) may refresh too: count the calls each change adds.
const refreshCount = () => vi.mocked(refreshAllPipelineDue).mock.calls.length;

const list = (query = '', cookie = admin) => call(loader, get(`/admin/holidays${query}`, cookie));
const act = (fields: Record<string, string>, cookie = admin) =>
  call(action, post('/admin/holidays', fields, cookie));

/** A form to add a day, and the messages it must get beside its fields. */
type RefusedAdd = [Record<string, string>, Record<string, string[]>];

/** Each form is answered 400 with its messages and its values; no day and no event is written. */
async function expectAddsRefused(cases: RefusedAdd[]) {
  expect(cases.length).toBeGreaterThan(0);
  const count = await Holiday.countDocuments();
  const events = await AuditEvent.countDocuments();
  for (const [fields, errors] of cases) {
    const res = await act({ intent: 'add', ...fields });
    expect(res).toHaveStatus(400);
    expect(res.data.fieldErrors).toEqual(errors);
    expect(res.data.values).toMatchObject(fields);
    // conform's reply for the form: the same messages, every invalid field beside itself.
    expect(res.data.result).toMatchObject({ status: 'error', error: errors });
  }
  expect(await Holiday.countDocuments()).toBe(count);
  expect(await AuditEvent.countDocuments()).toBe(events);
}

describe('access', () => {
  it('refuses everyone but admins, for reading and writing', async () => {
    for (const cookie of [union, province]) {
      expect((await list('', cookie)).status).toBe(403);
      expect((await act({ intent: 'add', date: '2026-12-24', name: 'X' }, cookie)).status).toBe(403);
    }
    expect(await Holiday.exists({ date: new Date('2026-12-24T00:00:00Z') })).toBeNull();
  });
});

describe('listing', () => {
  it('shows the seeded days of a year in date order and offers 2024–2027', async () => {
    const res = await list('?year=2025');
    expect(res).toHaveStatus(200);
    expect(res.data.year).toBe(2025);
    expect(res.data.years).toEqual(expect.arrayContaining([2024, 2025, 2026, 2027]));
    const dates = res.data.rows.map((r: { date: string }) => r.date);
    expect(dates.length).toBeGreaterThan(5);
    expect(dates.every((d: string) => d.startsWith('2025-'))).toBe(true);
    expect([...dates].sort()).toEqual(dates);
  });

  it('falls back to a sensible year for a bad one', async () => {
    expect((await list('?year=abc')).status).toBe(200);
  });
});

describe('changing', () => {
  it('adds a day off, audits it, and the calendar sees it at once', async () => {
    // 4 June 2030 is a Tuesday.
    expect((await loadCalendar()).isWorkingDay('2030-06-04')).toBe(true);
    const refreshes = refreshCount();
    const res = await act({ intent: 'add', date: '2030-06-04', name: '  Nghỉ bù thử nghiệm  ' });
    expect(res).toRedirectTo('/admin/holidays?year=2030', { toast: 'holidayAdded' });
    const h = (await Holiday.findOne({ date: new Date('2030-06-04T00:00:00Z') }).lean())!;
    expect(h).toMatchObject({ name: 'Nghỉ bù thử nghiệm', year: 2030 });
    const event = (await AuditEvent.findOne({ action: 'holiday.create', entityId: h._id }).lean())!;
    expect(event.details).toMatchObject({ after: { date: '2030-06-04', name: 'Nghỉ bù thử nghiệm' } });
    expect(event.seq).toBeGreaterThan(0);
    expect((await loadCalendar()).isWorkingDay('2030-06-04')).toBe(false);
    expect(refreshCount()).toBe(refreshes + 1);
    expect((await list('?year=2030')).data.years).toContain(2030);
  });

  it('answers bad input with 400 and messages beside the fields, writing nothing', async () => {
    const cases: RefusedAdd[] = [
      [
        { date: '', name: '' },
        { date: ['validation.required'], name: ['validation.required'] },
      ],
      [{ date: '2026-02-30', name: 'Ngày lạ' }, { date: ['validation.date'] }],
      [
        { date: 'hôm nay', name: 'x'.repeat(201) },
        { date: ['validation.date'], name: ['validation.tooLong'] },
      ],
    ];
    await expectAddsRefused(cases);
  });

  it('puts a duplicate date beside the date field (409)', async () => {
    const count = await Holiday.countDocuments();
    const res = await act({ intent: 'add', date: '2025-09-02', name: 'Quốc khánh (trùng)' });
    expect(res).toHaveStatus(409);
    expect(res.data.fieldErrors).toEqual({ date: ['holidays.v.dateTaken'] });
    expect(res.data.result).toMatchObject({ status: 'error', error: { date: ['holidays.v.dateTaken'] } });
    expect(await Holiday.countDocuments()).toBe(count);
  });

  it('renames with before/after in the log, and refuses an empty name', async () => {
    const h = (await Holiday.findOne({ date: new Date('2030-06-04T00:00:00Z') }).lean())!;
    const bad = await act({ intent: 'rename', id: String(h._id), name: '   ' });
    expect(bad).toHaveStatus(400);
    expect(bad.data).toMatchObject({
      intent: 'rename',
      id: String(h._id),
      fieldErrors: { name: ['validation.required'] },
      result: { status: 'error', error: { name: ['validation.required'] } },
    });
    const refreshes = refreshCount();
    const res = await act({ intent: 'rename', id: String(h._id), name: 'Nghỉ bù (đổi tên)' });
    expect(res).toRedirectTo('/admin/holidays?year=2030', { toast: 'holidaySaved' });
    expect((await Holiday.findById(h._id).lean())!.name).toBe('Nghỉ bù (đổi tên)');
    // A name is not part of the calendar.
    expect(refreshCount()).toBe(refreshes);
    const event = (await AuditEvent.findOne({ action: 'holiday.rename', entityId: h._id }).lean())!;
    expect(event.details).toMatchObject({
      before: { name: 'Nghỉ bù thử nghiệm' },
      after: { name: 'Nghỉ bù (đổi tên)' },
    });
  });

  it('deletes, audits the deleted day, and 404s an unknown or malformed id', async () => {
    const h = (await Holiday.findOne({ date: new Date('2030-06-04T00:00:00Z') }).lean())!;
    const refreshes = refreshCount();
    const res = await act({ intent: 'delete', id: String(h._id) });
    expect(res).toRedirectTo('/admin/holidays?year=2030', { toast: 'holidayDeleted' });
    expect(await Holiday.exists({ _id: h._id })).toBeNull();
    expect((await loadCalendar()).isWorkingDay('2030-06-04')).toBe(true);
    expect(refreshCount()).toBe(refreshes + 1);
    const event = (await AuditEvent.findOne({ action: 'holiday.delete', entityId: h._id }).lean())!;
    expect(event.details).toMatchObject({ before: { date: '2030-06-04', name: 'Nghỉ bù (đổi tên)' } });
    expect((await act({ intent: 'delete', id: String(h._id) })).status).toBe(404);
    expect((await act({ intent: 'delete', id: 'nope' })).status).toBe(404);
    expect((await act({ intent: 'explode' })).status).toBe(400);
  });

  it('leaves a valid audit chain behind', async () => {
    expect(await verifyAudit()).toMatchObject({ ok: true, unchained: 0 });
  });
});

describe('one change, one transaction', () => {
  const day = new Date('2031-06-03T00:00:00Z');

  it('adds no day when its event cannot be written, and recomputes nothing', async () => {
    const refreshes = refreshCount();
    const events = await AuditEvent.countDocuments({ action: 'holiday.create' });
    await withRefusedAuditEvent({ action: 'holiday.create' }, async () => {
      await expect(act({ intent: 'add', date: '2031-06-03', name: 'Nghỉ thử' })).rejects.toMatchObject({
        code: 11000,
      });
    });
    expect(await Holiday.exists({ date: day })).toBeNull();
    expect(await AuditEvent.countDocuments({ action: 'holiday.create' })).toBe(events);
    expect(refreshCount()).toBe(refreshes);
    expect((await loadCalendar()).isWorkingDay('2031-06-03')).toBe(true);
  });

  it('keeps the old name, and the day, when the event of a rename or a deletion cannot be written', async () => {
    expect((await act({ intent: 'add', date: '2031-06-03', name: 'Nghỉ thử' })).status).toBe(302);
    const h = (await Holiday.findOne({ date: day }).lean())!;
    await withRefusedAuditEvent({ action: 'holiday.rename', entityId: h._id }, async () => {
      await expect(act({ intent: 'rename', id: String(h._id), name: 'Tên mới' })).rejects.toMatchObject({
        code: 11000,
      });
    });
    expect((await Holiday.findById(h._id).lean())!.name).toBe('Nghỉ thử');
    const refreshes = refreshCount();
    await withRefusedAuditEvent({ action: 'holiday.delete', entityId: h._id }, async () => {
      await expect(act({ intent: 'delete', id: String(h._id) })).rejects.toMatchObject({ code: 11000 });
    });
    expect(await Holiday.exists({ _id: h._id })).not.toBeNull();
    expect(refreshCount()).toBe(refreshes);
    expect(
      (await AuditEvent.find({ entity: 'Holiday', entityId: h._id }).lean()).map((e) => e.action),
    ).toEqual(['holiday.create']);
    expect(await verifyAudit()).toMatchObject({ ok: true, unchained: 0, gaps: [] });
  });
});

describe('make-up working days', () => {
  // Saturday 08/06/2030 and Friday 07/06/2030.
  const saturday = new Date('2030-06-08T00:00:00Z');

  it('lists the seeded make-up Saturdays with their kind', async () => {
    const res = await list('?year=2026');
    const row = res.data.rows.find((r: { date: string }) => r.date === '2026-01-10');
    expect(row).toMatchObject({ kind: 'workday' });
    expect(res.data.rows.find((r: { date: string }) => r.date === '2026-01-02')).toMatchObject({
      kind: 'holiday',
    });
    expect((await loadCalendar()).isWorkingDay('2026-01-10')).toBe(true);
  });

  it('adds a Saturday worked: audited with its kind, counted by the calendar at once', async () => {
    const calendar = await loadCalendar();
    expect(calendar.isWorkingDay('2030-06-08')).toBe(false);
    expect(calendar.addWorkingDays('2030-06-07', 1)).toBe('2030-06-10');
    const refreshes = refreshCount();
    const res = await act({ intent: 'add', date: '2030-06-08', name: 'Làm bù cho thứ Sáu', kind: 'workday' });
    expect(res).toRedirectTo('/admin/holidays?year=2030', { toast: 'holidayAdded' });
    const h = (await Holiday.findOne({ date: saturday }).lean())!;
    expect(h).toMatchObject({ kind: 'workday', name: 'Làm bù cho thứ Sáu', year: 2030 });
    const event = (await AuditEvent.findOne({ action: 'holiday.create', entityId: h._id }).lean())!;
    expect(event.details).toMatchObject({ after: { date: '2030-06-08', kind: 'workday' } });
    // Deadlines count it: Friday + 1 working day is now that Saturday.
    const after = await loadCalendar();
    expect(after.isWorkingDay('2030-06-08')).toBe(true);
    expect(after.addWorkingDays('2030-06-07', 1)).toBe('2030-06-08');
    expect(refreshCount()).toBe(refreshes + 1);
    const listed = await list('?year=2030');
    expect(listed.data.rows.find((r: { date: string }) => r.date === '2030-06-08')).toMatchObject({
      kind: 'workday',
    });
    // Deleting it makes the Saturday a day off again.
    expect((await act({ intent: 'delete', id: String(h._id) })).status).toBe(302);
    expect((await loadCalendar()).isWorkingDay('2030-06-08')).toBe(false);
    const deleted = (await AuditEvent.findOne({ action: 'holiday.delete', entityId: h._id }).lean())!;
    expect(deleted.details).toMatchObject({ before: { date: '2030-06-08', kind: 'workday' } });
  });

  it('refuses a make-up day on a weekday or an unknown kind with 400 beside the field, writing nothing', async () => {
    const refreshes = refreshCount();
    const cases: RefusedAdd[] = [
      [{ date: '2030-06-07', name: 'Làm bù', kind: 'workday' }, { date: ['holidays.v.workdayWeekday'] }],
      [{ date: '2030-06-08', name: 'Làm bù', kind: 'weekend' }, { kind: ['holidays.v.kind'] }],
      [
        { date: '2030-02-30', name: '', kind: 'workday' },
        { date: ['validation.date'], name: ['validation.required'] },
      ],
    ];
    await expectAddsRefused(cases);
    expect(refreshCount()).toBe(refreshes);
    expect((await loadCalendar()).isWorkingDay('2030-06-07')).toBe(true);
  });

  it('refuses a make-up day on a date already in the table (409)', async () => {
    const count = await Holiday.countDocuments();
    // Sunday 22/02/2026 is in Tết.
    const res = await act({ intent: 'add', date: '2026-02-22', name: 'Làm bù', kind: 'workday' });
    expect(res).toHaveStatus(409);
    expect(res.data.fieldErrors).toEqual({ date: ['holidays.v.dateTaken'] });
    expect(await Holiday.countDocuments()).toBe(count);
    expect(await verifyAudit()).toMatchObject({ ok: true, gaps: [] });
  });
});
