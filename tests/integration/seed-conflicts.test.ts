/**
 * The seeded demo is consistent with the admission rules it is judged by (issue 16, path 4):
 * a full recompute of the rule conflicts — the server's own `refreshConflicts`, as every write
 * runs it — over every seeded record in the pipeline flags none (dates of birth, certificates,
 * dossier dates, introducers, votes against their chi bộ's register and step dates all hold).
 * So the board, the list and the province's count start at zero conflicts, and a conflict
 * a tester sees comes from what they did. The recompute can flag: one record made inconsistent
 * afterwards is the only one counted.
 */
import mongoose, { type Types } from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { Member } from '../../models/member.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { refreshConflicts } from '~/utils/pipeline/pipeline-conflicts.server';

let ids: Types.ObjectId[] = [];

beforeAll(async () => {
  await seedDatabase({ members: 1500, seed: 1, reset: true });
  ids = (
    await Member.find({ 'pipeline.stage': mongoose.trusted({ $ne: 'member' }) })
      .select({ _id: 1 })
      .lean()
  ).map((m) => m._id);
}, 120_000);

const withOpenConflicts = () =>
  Member.countDocuments({ 'pipeline.openConflicts': mongoose.trusted({ $gt: 0 }) });

describe('the seeded demo after a full recompute of rule conflicts', () => {
  it('flags no seeded record', async () => {
    expect(ids.length).toBeGreaterThan(300);
    const added: string[] = [];
    for (const id of ids) {
      for (const c of await refreshConflicts(id, null)) added.push(c.message.vi);
    }
    expect(added).toEqual([]);
    expect(await withOpenConflicts()).toBe(0);
  }, 120_000);

  it('flags a record made inconsistent afterwards, and only that one', async () => {
    const voted = (await Member.findOne({
      'pipeline.branchVote.meetingDate': mongoose.trusted({ $type: 'date' }),
    })
      .select({ pipeline: 1 })
      .lean())!;
    const meeting = voted.pipeline.branchVote!.meetingDate!;
    // Seventeen on the meeting day.
    const dob = new Date(Date.UTC(meeting.getUTCFullYear() - 17, meeting.getUTCMonth(), 1));
    await Member.updateOne({ _id: voted._id }, { $set: { dateOfBirth: dob } });
    const added = await refreshConflicts(voted._id, null);
    expect(added.map((c) => `${c.step}:${c.code}`)).toContain('record_branch_vote:age_below_min');
    expect(await withOpenConflicts()).toBe(1);
  });
});
