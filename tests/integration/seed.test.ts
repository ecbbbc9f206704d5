/**
 * The seed against a real (embedded, in-memory) database: idempotence, the demo
 * accounts and the unique indexes. Each test passes `reset: true`, so it does
 * not depend on what another test left behind.
 */
import { createHash } from 'node:crypto';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../../db/connect.server.ts';
import { verifyPassword } from '../../app/utils/auth/password.server.ts';
import { AuditEvent } from '../../models/audit-event.ts';
import { Holiday } from '../../models/holiday.ts';
import { Member } from '../../models/member.ts';
import { Password } from '../../models/password.ts';
import { Unit } from '../../models/unit.ts';
import { User } from '../../models/user.ts';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, REFERENCE_DATE, memberId } from '../../seed/generate.ts';
import { nameSortKey } from '../../app/domain/text.ts';
import { EXIT_STAGES, PIPELINE_STAGES } from '../../app/domain/stages.ts';
import { SeedConflictError, isDatabaseEmpty, seedDatabase } from '../../seed/seed.server.ts';

let handle: DatabaseHandle | undefined;

beforeAll(async () => {
  // A shared setup file may already have connected this worker; then it owns the connection.
  if (mongoose.connection.readyState !== 1) handle = await connectDatabase({ dataDir: null });
});

afterAll(async () => {
  await handle?.close();
});

async function countAll() {
  return {
    units: await Unit.countDocuments(),
    users: await User.countDocuments(),
    passwords: await Password.countDocuments(),
    members: await Member.countDocuments(),
    holidays: await Holiday.countDocuments(),
  };
}

/** Digest of every member document, in _id order: equal digests mean equal data. */
async function membersDigest(): Promise<string> {
  const hash = createHash('sha256');
  for await (const doc of Member.collection.find({}, { sort: { _id: 1 } })) hash.update(JSON.stringify(doc));
  return hash.digest('hex');
}

describe('seedDatabase', () => {
  it('seeds 500 members, and seeding again changes nothing', async () => {
    const first = await seedDatabase({ members: 500, seed: 1, reset: true, batchSize: 200 });
    expect(first.inserted.members).toBe(500);
    const counts = await countAll();
    expect(counts.members).toBe(500);
    expect(counts.users).toBe(counts.passwords);
    expect(counts.units).toBeGreaterThan(300);
    const digest = await membersDigest();

    const second = await seedDatabase({ members: 500, seed: 1 });
    expect(second.inserted).toEqual({
      units: 0,
      users: 0,
      passwords: 0,
      holidays: 0,
      targets: 0,
      criteriaSets: 0,
      members: 0,
    });
    expect(second.existing.members).toBe(500);
    expect(await countAll()).toEqual(counts);
    expect(await membersDigest()).toBe(digest);

    // A larger count only adds the missing members.
    const third = await seedDatabase({ members: 650, seed: 1, batchSize: 200 });
    expect(third.inserted.members).toBe(150);
    expect(await Member.countDocuments()).toBe(650);
    expect(await isDatabaseEmpty()).toBe(false);
  });

  it('puts demo records in every stage, some overdue, some certificates about to expire, returned ones with reasons', async () => {
    await seedDatabase({ members: 1500, seed: 1, reset: true });
    const stages = new Set(await Member.distinct('pipeline.stage'));
    for (const s of [...PIPELINE_STAGES, ...EXIT_STAGES]) expect(stages.has(s), s).toBe(true);
    const today = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000);
    const overdue = await Member.countDocuments({ 'pipeline.due.at': mongoose.trusted({ $lt: today }) });
    // Relative to the seed's reference day: the demo data is drawn as of that day.
    const expiring = await Member.countDocuments({
      'pipeline.stage': mongoose.trusted({ $in: ['awareness_class', 'dossier', 'introduced'] }),
      'pipeline.certificate.expiresAt': mongoose.trusted({
        $gte: REFERENCE_DATE,
        $lt: new Date(REFERENCE_DATE.getTime() + 183 * 86_400_000),
      }),
    });
    expect(overdue).toBeGreaterThan(0);
    expect(expiring).toBeGreaterThan(0);
    const returned = await Member.find({ 'pipeline.stage': 'returned' }).select({ pipeline: 1 }).lean();
    expect(returned.length).toBeGreaterThan(0);
    for (const m of returned) expect(m.pipeline.returnReason?.trim()).toBeTruthy();
  }, 60_000);

  it('creates the demo accounts with the demo password and the linked student', async () => {
    await seedDatabase({ members: 60, seed: 1, reset: true });
    for (const { email, role } of DEMO_ACCOUNTS) {
      const user = await User.findOne({ email }).lean();
      expect(user?.role, email).toBe(role);
      const password = await Password.findOne({ userId: user!._id }).lean();
      expect(await verifyPassword(DEMO_PASSWORD, password!.hash)).toBe(true);
    }
    const student = await User.findOne({ email: 'sinhvien@demo.vn' }).lean();
    const member = await Member.findById(student!.memberId).lean();
    expect(member?.pipeline.stage).toBe('dossier');
    const pvd = await Unit.findOne({ code: 'PVD' }).lean();
    expect(String(member!.schoolId)).toBe(String(pvd!._id));
    // Scope queries: everything under PVD through `ancestors`.
    expect(await Member.countDocuments({ ancestors: pvd!._id })).toBe(
      await Member.countDocuments({ schoolId: pvd!._id }),
    );
    // citizenId is never returned unless asked for.
    expect(member).not.toHaveProperty('citizenId');
    const withId = await Member.findById(member!._id).select('+citizenId').lean();
    expect(withId?.citizenId).toMatch(/^\d{12}$/);
  });

  it('keeps the unique indexes', async () => {
    await seedDatabase({ members: 80, seed: 1, reset: true });
    const admin = await User.findOne({ email: 'admin@demo.vn' }).lean();
    await expect(
      User.create({ email: 'ADMIN@demo.vn', name: 'x', role: 'admin', unitId: admin!.unitId }),
    ).rejects.toMatchObject({ code: 11000 });
    const unit = await Unit.findOne({ code: 'PVD' }).lean();
    await expect(Unit.create({ name: 'x', code: 'PVD', kind: 'school' })).rejects.toMatchObject({
      code: 11000,
    });
    const m = await Member.findOne({ schoolId: unit!._id }).lean();
    const copy = { ...m, _id: new mongoose.Types.ObjectId() };
    await expect(Member.collection.insertOne(copy)).rejects.toMatchObject({ code: 11000 });
    await expect(Password.create({ userId: admin!._id, hash: 'x' })).rejects.toMatchObject({ code: 11000 });
    // One student account per member; staff accounts (memberId null) are not constrained.
    const student = await User.findOne({ email: 'sinhvien@demo.vn' }).lean();
    await expect(
      User.create({
        email: 'x@demo.vn',
        name: 'x',
        role: 'student',
        unitId: student!.unitId,
        memberId: student!.memberId,
      }),
    ).rejects.toMatchObject({ code: 11000 });
    await User.create({ email: 'staff2@demo.vn', name: 'y', role: 'school_union', unitId: admin!.unitId });
    const holiday = await Holiday.findOne().lean();
    await expect(Holiday.create({ date: holiday!.date, name: 'x', year: 2024 })).rejects.toMatchObject({
      code: 11000,
    });
  });

  it('refuses to mix two seeds unless asked to reset', async () => {
    await seedDatabase({ members: 30, seed: 1, reset: true });
    await expect(seedDatabase({ members: 30, seed: 2 })).rejects.toBeInstanceOf(SeedConflictError);
    await seedDatabase({ members: 30, seed: 2, reset: true });
    expect(await Member.countDocuments({ _id: memberId(2, 1) })).toBe(1);
    expect(await Member.countDocuments({ _id: memberId(1, 1) })).toBe(0);
  });

  it('recomputes the derived name keys when a member is renamed', async () => {
    await seedDatabase({ members: 5, seed: 1, reset: true });
    const id = memberId(1, 0);
    const updated = await Member.findOneAndUpdate(
      { _id: id },
      { $set: { fullName: 'Đặng Văn Ân' } },
      { returnDocument: 'after' },
    ).lean();
    expect(updated?.searchKey).toBe(`dang van an ${updated!.studentCode}`);
    expect(updated?.nameSortKey).toBe(nameSortKey('Đặng Văn Ân'));
  });

  it('keeps audit events append-only', async () => {
    const event = await AuditEvent.create({ action: 'seed.test', entity: 'Member' });
    await expect(AuditEvent.updateOne({ _id: event._id }, { $set: { action: 'x' } })).rejects.toThrow(
      /append-only/,
    );
    await expect(AuditEvent.deleteOne({ _id: event._id })).rejects.toThrow(/append-only/);
  });
});
