/**
 * A yearly Union rating with its participation rate, through the member edit page (issue 16):
 * "xuất sắc" below 90 % recorded participation is refused beside the rate, nothing written;
 * at 90 % or without a rate it is saved; the rate is stored and shown on the profile.
 */
import type { Types } from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { Member } from '../../models/member.ts';
import { Unit } from '../../models/unit.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { loader as profileLoader } from '~/routes/members.$id._index';
import { action as editAction } from '~/routes/members.$id.edit';
import { verifyAudit } from '~/utils/audit/audit-verify.server';
import { signIn } from '../fixtures/auth.ts';
import { call, get, post } from '../fixtures/remix.ts';

let union: string;
let id: Types.ObjectId;

const stored = async () => (await Member.findById(id).lean())!;
const change = async (fields: Record<string, string>) =>
  call(
    editAction,
    post(`/members/${id}/edit`, { ...fields, version: String((await stored()).__v ?? 0) }, union),
    { id: String(id) },
  );
const ratingOf = async (year: string) => (await stored()).unionRatings.find((r) => r.year === year);

beforeAll(async () => {
  await seedDatabase({ members: 30, seed: 1, reset: true });
  union = await signIn('doantruong.pvd@demo.vn');
  const pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
  id = (await Member.findOne({ schoolId: pvd._id }).lean())!._id;
  await Member.updateOne({ _id: id }, { $set: { unionRatings: [] } });
});

describe('a Union rating with participation', () => {
  it('refuses "xuất sắc" below 90 % beside the rate, writing nothing', async () => {
    const before = await stored();
    const events = await AuditEvent.countDocuments({ entityId: id });
    const res = await change({
      intent: 'rating.save',
      key: '',
      year: '2025-2026',
      level: 'excellent',
      participation: '89,5',
    });
    expect(res).toHaveStatus(400);
    expect(res.data.fieldErrors.participation).toEqual(['member.v.excellentParticipation']);
    const after = await stored();
    expect(after.__v).toBe(before.__v);
    expect(after.unionRatings).toHaveLength(0);
    expect(await AuditEvent.countDocuments({ entityId: id })).toBe(events);
  });

  it('saves "xuất sắc" at 90 % with its rate, and without a rate', async () => {
    expect(
      (
        await change({
          intent: 'rating.save',
          key: '',
          year: '2025-2026',
          level: 'excellent',
          participation: '90',
        })
      ).status,
    ).toBe(302);
    expect((await ratingOf('2025-2026'))?.participation).toBe(90);
    expect(
      (await change({ intent: 'rating.save', key: '', year: '2024-2025', level: 'excellent' })).status,
    ).toBe(302);
    expect((await ratingOf('2024-2025'))?.participation).toBeUndefined();
    expect(
      (
        await change({
          intent: 'rating.save',
          key: '',
          year: '2023-2024',
          level: 'good',
          participation: '60',
        })
      ).status,
    ).toBe(302);
    expect((await ratingOf('2023-2024'))?.participation).toBe(60);
  });

  it('shows the rate on the profile', async () => {
    const res = await call(profileLoader, get(`/members/${id}`, union), { id: String(id) });
    expect(res).toHaveStatus(200);
    const ratings = res.data.member.ratings as { year: string; participation: string }[];
    expect(ratings.map((r) => [r.year, r.participation])).toEqual([
      ['2025-2026', '90'],
      ['2024-2025', ''],
      ['2023-2024', '60'],
    ]);
  });

  it('leaves an audit log with no gaps', async () => {
    expect((await verifyAudit()).gaps).toEqual([]);
  });
});
