/**
 * Dates a user reads are Vietnamese dates. A step recorded at 01:30 in Vietnam
 * (18:30 UTC the day before) shows the Vietnamese day on the Quy trình timeline, in the
 * dossier date it implies and in the member's history CSV; the
 * document date the user typed (a calendar day) stays the day typed.
 */
import type { Types } from 'mongoose';
import mongoose from 'mongoose';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Member } from '../../models/member.ts';
import { User } from '../../models/user.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { OPEN_STAGES } from '~/domain/stages';
import { action as tokensAction } from '~/routes/admin.tokens';
import { loader as apiMember } from '~/routes/api.v1.members.$id';
import { loader as profileLoader } from '~/routes/members.$id._index';
import { loader as historyCsv } from '~/routes/members.$id.history[.]csv';
import { action, loader } from '~/routes/members.$id.pipeline';
import { loader as reportsLoader } from '~/routes/reports._index';
import { verifyAudit } from '~/utils/audit/audit-verify.server';
import { signIn } from '../fixtures/auth.ts';
import { INTRODUCTION_FORM } from '../fixtures/pipeline-forms.ts';
import { BASE, call, get, post } from '../fixtures/remix.ts';

let party: string;
let memberId: Types.ObjectId;

// Wednesday 02/12/2026 at 01:30 in Vietnam is still Tuesday 01/12 in UTC.
const RECORDED_AT = new Date('2026-12-01T18:30:00Z');

beforeAll(async () => {
  await seedDatabase({ members: 20, seed: 1, reset: true });
  party = await signIn('danguy.pvd@demo.vn');
  memberId = (await User.findOne({ email: 'sinhvien@demo.vn' }).lean())!.memberId as Types.ObjectId;
});

afterEach(() => {
  vi.useRealTimers();
});

const url = () => `/members/${memberId}/pipeline`;

describe('a step recorded at 01:30 in Vietnam', () => {
  it('shows that day on the timeline, in the dossier and in the history export', async () => {
    const m = (await Member.findById(memberId).select({ __v: 1, 'pipeline.stage': 1 }).lean())!;
    expect(m.pipeline.stage).toBe('dossier');

    // Only the clock is faked: the step goes through the real route, transaction and audit log.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(RECORDED_AT);
    const res = await call(
      action,
      post(url(), { ...INTRODUCTION_FORM, version: String(m.__v ?? 0) }, party),
      { id: String(memberId) },
    );
    vi.useRealTimers();
    expect(res).toHaveStatus(302);

    const stored = (await Member.findById(memberId).lean())!.pipeline.history.at(-1)!;
    expect(stored.at.toISOString()).toBe(RECORDED_AT.toISOString());

    const page = await call(loader, get(url(), party), { id: String(memberId) });
    expect(page).toHaveStatus(200);
    const entry = page.data.history[0];
    expect(entry).toMatchObject({ stage: 'introduced', at: '2026-12-02', refDate: '2026-11-16' });

    const csv = await call(historyCsv, get(`/members/${memberId}/history.csv`, party), {
      id: String(memberId),
    });
    expect(csv).toHaveStatus(200);
    const line = String(csv.data)
      .split('\r\n')
      .find((l) => l.includes('45-NQ/ĐTN'));
    expect(line).toContain('02/12/2026');
    expect(line).toContain('01:30');
    expect(await verifyAudit()).toMatchObject({ ok: true, gaps: [] });
  });

  it('shows a step without a document date on the Vietnamese day it was recorded', async () => {
    // A history entry whose only date is the instant it was recorded (older steps, imports).
    const history = (await Member.findById(memberId).lean())!.pipeline.history;
    const at = history.findIndex((h) => h.stage === 'introduced');
    await Member.updateOne({ _id: memberId }, { $unset: { [`pipeline.history.${at}.refDate`]: 1 } });
    const page = await call(loader, get(url(), party), { id: String(memberId) });
    expect(page.data.history[0]).toMatchObject({ stage: 'introduced', at: '2026-12-02', refDate: null });
    // The 4-KNĐ date the introduction implies is the day it was recorded in Vietnam.
    const row = page.data.dossier.find((d: { form: string }) => d.form === '4-KNĐ');
    expect(row.derived.receivedAt).toBe('2026-12-02');
  });
});

describe('counted in Vietnamese days', () => {
  it('a record in its stage since yesterday (Vietnam) has been there 1 day at 00:30 today', async () => {
    // The step's day, 01/12/2026, stored at UTC midnight (07:00 in Vietnam).
    await Member.updateOne({ _id: memberId }, { $set: { 'pipeline.stageSince': new Date('2026-12-01') } });
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-01T17:30:00Z')); // 00:30 on 02/12 in Vietnam
    const res = await call(profileLoader, get(`/members/${memberId}`, party), { id: String(memberId) });
    vi.useRealTimers();
    expect(res).toHaveStatus(200);
    expect(res.data.member.daysInStage).toBe(1);
  });

  it('the reports list a record created at 01:30 in Vietnam under that day', async () => {
    // A record created (not moved by any step since) long ago: stageSince is the creation instant.
    const other = (await Member.findOne({
      schoolId: (await Member.findById(memberId).lean())!.schoolId,
      _id: mongoose.trusted({ $ne: memberId }),
      'pipeline.stage': mongoose.trusted({ $in: [...OPEN_STAGES] }),
    }).lean())!;
    await Member.updateOne(
      { _id: other._id },
      { $set: { 'pipeline.stageSince': new Date('2015-03-01T18:30:00Z') } },
    );
    const res = await call(reportsLoader, get('/reports', party));
    expect(res).toHaveStatus(200);
    const stuck = res.data.dashboard.bottlenecks.find((b: { kind: string }) => b.kind === 'stuck');
    expect(stuck.items.find((i: { id: string }) => i.id === String(other._id))).toMatchObject({
      date: '2015-03-02',
    });
  });

  it('the JSON API gives the day a record created at 01:30 in Vietnam entered its stage', async () => {
    const m = (await Member.findById(memberId).select({ schoolId: 1 }).lean())!;
    await Member.updateOne(
      { _id: memberId },
      { $set: { 'pipeline.stageSince': new Date('2026-03-01T18:30:00Z') } },
    );
    const admin = await signIn('admin@demo.vn');
    const token = await call(
      tokensAction,
      post('/admin/tokens', { intent: 'create', name: 'Ngày Việt Nam', unitId: String(m.schoolId) }, admin),
    );
    expect(token).toHaveStatus(200);
    const res = await call(
      apiMember,
      new Request(`${BASE}/api/v1/members/${memberId}`, {
        headers: {
          Authorization: `Bearer ${(token.data as { created: { secret: string } }).created.secret}`,
        },
      }),
      { id: String(memberId) },
    );
    expect(res).toHaveStatus(200);
    expect((res.data as { data: { pipeline: { stageSince: string } } }).data.pipeline.stageSince).toBe(
      '2026-03-02',
    );
  });
});
