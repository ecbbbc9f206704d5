/**
 * Writes the deterministic demo data (seed/generate.ts) to the connected database.
 *
 * Idempotence: every seeded document has a deterministic `_id` (from its code,
 * email, date, or seed + index), and writes are `insertMany(ordered: false)`
 * that skip documents that already exist (duplicate-key errors are expected and
 * counted, anything else is thrown). So running the seed twice gives the same
 * data, a larger `members` count only adds the missing members, an interrupted
 * run resumes, and edits users made to seeded documents are never overwritten.
 * Mixing two seeds in one database is refused (their student codes would
 * collide); pass `reset: true` to empty the seeded collections first.
 *
 * Members are generated and written one batch at a time, so memory stays flat
 * at 200,000 members. Users are written last: a database with accounts is a
 * fully seeded one (see isDatabaseEmpty).
 */
import type { Collection, Document } from 'mongodb';
import { chainAfter, chainKey } from '../app/domain/audit-chain.ts';
import { calendarFromHolidayTable } from '../app/domain/working-days.ts';
import { anchorAuditChains, ensureAuditIndexes } from '../app/utils/audit/audit.server.ts';
import { hashPassword } from '../app/utils/auth/password.server.ts';
import { refreshAllPipelineDue } from '../app/utils/pipeline/pipeline-due.server.ts';
import { AuditEvent } from '../models/audit-event.ts';
import { CriteriaSetModel } from '../models/criteria-set.ts';
import { Holiday } from '../models/holiday.ts';
import { Member } from '../models/member.ts';
import { Password } from '../models/password.ts';
import { Target } from '../models/target.ts';
import { Unit } from '../models/unit.ts';
import { User } from '../models/user.ts';
import {
  DEMO_PASSWORD,
  createContext,
  generateFixedData,
  generateMembers,
  memberId,
  stableId,
} from './generate.ts';

export interface SeedProgress {
  phase: 'indexes' | 'units' | 'holidays' | 'targets' | 'criteria' | 'members' | 'users' | 'done';
  done: number;
  total: number;
}

export interface SeedOptions {
  /** Number of members, including the fixed demo student. Default 5,000. */
  members?: number;
  /** PRNG seed for the members. Default 1. */
  seed?: number;
  /** Members per insertMany. Default 1,000. */
  batchSize?: number;
  /** Empty the seeded collections first. */
  reset?: boolean;
  onProgress?: (progress: SeedProgress) => void;
}

type SeededKind = 'units' | 'users' | 'passwords' | 'holidays' | 'targets' | 'criteriaSets' | 'members';

export interface SeedResult {
  inserted: Record<SeededKind, number>;
  existing: Record<SeededKind, number>;
}

export class SeedConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeedConflictError';
  }
}

const SEEDED_MODELS = [Unit, User, Password, Member, Holiday, Target, CriteriaSetModel, AuditEvent] as const;

/** True when no user account exists: the app is unusable without one, and the seed writes users last. */
export async function isDatabaseEmpty(): Promise<boolean> {
  return (await User.collection.countDocuments({}, { limit: 1 })) === 0;
}

export async function seedDatabase(options: SeedOptions = {}): Promise<SeedResult> {
  const members = Math.max(1, Math.floor(options.members ?? 5000));
  const seed = Math.floor(options.seed ?? 1);
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 1000));
  const report = options.onProgress ?? (() => {});
  const result: SeedResult = {
    inserted: { units: 0, users: 0, passwords: 0, holidays: 0, targets: 0, criteriaSets: 0, members: 0 },
    existing: { units: 0, users: 0, passwords: 0, holidays: 0, targets: 0, criteriaSets: 0, members: 0 },
  };

  if (options.reset) {
    for (const model of SEEDED_MODELS) await model.collection.deleteMany({});
  }

  // Indexes first: the unique ones are what make a re-run skip instead of duplicate.
  report({ phase: 'indexes', done: 0, total: SEEDED_MODELS.length });
  for (const [i, model] of SEEDED_MODELS.entries()) {
    await model.createIndexes();
    report({ phase: 'indexes', done: i + 1, total: SEEDED_MODELS.length });
  }

  await checkSameSeed(seed, members);

  const fixed = generateFixedData(members);
  const count = (key: keyof SeedResult['inserted'], r: { inserted: number; existing: number }) => {
    result.inserted[key] += r.inserted;
    result.existing[key] += r.existing;
  };
  /** One collection of the fixed data, its progress reported before and after. */
  const insertFixed = async (
    phase: SeedProgress['phase'],
    key: keyof SeedResult['inserted'],
    collection: Parameters<typeof insertMissing>[0],
    docs: Parameters<typeof insertMissing>[1],
  ) => {
    report({ phase, done: 0, total: docs.length });
    count(key, await insertMissing(collection, docs));
    report({ phase, done: docs.length, total: docs.length });
  };

  await insertFixed('units', 'units', Unit.collection, fixed.units);
  await insertFixed('holidays', 'holidays', Holiday.collection, fixed.holidays);
  await insertFixed('targets', 'targets', Target.collection, fixed.targets);

  // Default criteria sets, active for the province. A set an admin has since retired
  // keeps its _id, so it is skipped like any existing document and never reactivated.
  await insertFixed('criteria', 'criteriaSets', CriteriaSetModel.collection, fixed.criteriaSets);

  const ctx = createContext(seed, fixed.tree);
  report({ phase: 'members', done: 0, total: members });
  await ensureAuditIndexes();
  for (let from = 0; from < members; from += batchSize) {
    const to = Math.min(members, from + batchSize);
    const batch = generateMembers(ctx, from, to);
    count('members', await insertMissing(Member.collection, batch));
    // Each member's chain starts with its creation (version 0), as every member's must
    // (`npm run audit:verify`). A run cut short between the two writes is completed by the
    // next run: both are skipped where they exist.
    await insertMissing(
      AuditEvent.collection,
      batch.map((m) => creationEvent(m, seed)),
    );
    report({ phase: 'members', done: to, total: members });
  }
  // Each record's next legal deadline depends on today, so it is computed here, not generated.
  await refreshAllPipelineDue({
    calendar: calendarFromHolidayTable(fixed.holidays),
  });

  // One scrypt hash shared by every demo account: hashing ~40 times would cost seconds.
  const existingPasswords = await Password.collection.countDocuments({
    _id: { $in: fixed.users.map((u) => stableId('password', u.email)) },
  });
  if (existingPasswords < fixed.users.length) {
    const hash = await hashPassword(DEMO_PASSWORD);
    const now = new Date();
    const passwords = fixed.users.map((u) => ({
      _id: stableId('password', u.email),
      userId: u._id,
      hash,
      createdAt: now,
      updatedAt: now,
      __v: 0,
    }));
    count('passwords', await insertMissing(Password.collection, passwords));
  } else {
    result.existing.passwords += existingPasswords;
  }
  report({ phase: 'users', done: 0, total: fixed.users.length });
  count('users', await insertMissing(User.collection, fixed.users));
  report({ phase: 'users', done: fixed.users.length, total: fixed.users.length });

  // Every seeded chain's head goes into the anchor chain.
  await anchorAuditChains();
  report({ phase: 'done', done: members, total: members });
  return result;
}

/** A seeded member's first audit event: its creation, linked as seq 1 of its own chain. */
function creationEvent(m: ReturnType<typeof generateMembers>[number], seed: number): Document {
  return {
    _id: stableId('audit', String(m._id)),
    ...chainAfter(null, {
      chain: chainKey('Member', m._id),
      at: m.createdAt,
      actorId: null,
      action: 'member.seed',
      entity: 'Member',
      entityId: m._id,
      unitId: m.schoolId ?? null,
      details: { version: 0, seed },
    }),
  };
}

/**
 * Refuses to add members of `seed` to a database that already holds members of
 * another seed (or imported ones): their student codes would collide, and the
 * result would be neither data set.
 */
async function checkSameSeed(seed: number, members: number): Promise<void> {
  const demoId = memberId(seed, 0);
  const other = await Member.collection.findOne({ _id: { $ne: demoId } }, { projection: { _id: 1 } });
  if (!other || members < 2) return;
  const ours = await Member.collection.countDocuments({ _id: memberId(seed, 1) }, { limit: 1 });
  if (ours === 0) {
    throw new SeedConflictError(
      `The database already holds members that seed ${seed} did not create. Seed with the same --seed, or pass --reset to empty the seeded collections first.`,
    );
  }
}

interface BulkErrorLike {
  code?: number;
  writeErrors?: { code?: number }[] | { code?: number };
  result?: { insertedCount?: number };
  insertedCount?: number;
}

/**
 * insertMany(ordered: false) that treats duplicate keys as "already there".
 * With ordered:false the server inserts every other document of the batch.
 */
async function insertMissing<T extends Document>(
  collection: Collection<Document>,
  docs: T[],
): Promise<{ inserted: number; existing: number }> {
  if (docs.length === 0) return { inserted: 0, existing: 0 };
  try {
    const res = await collection.insertMany(docs, { ordered: false, ignoreUndefined: true });
    return { inserted: res.insertedCount, existing: 0 };
  } catch (error) {
    const e = error as BulkErrorLike;
    const writeErrors = Array.isArray(e.writeErrors) ? e.writeErrors : e.writeErrors ? [e.writeErrors] : [];
    const onlyDuplicates =
      writeErrors.length > 0 ? writeErrors.every((w) => w.code === 11000) : e.code === 11000;
    if (!onlyDuplicates) throw error;
    const inserted = e.insertedCount ?? e.result?.insertedCount ?? docs.length - writeErrors.length;
    return { inserted, existing: docs.length - inserted };
  }
}
