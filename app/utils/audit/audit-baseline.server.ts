/**
 * `npm run audit:baseline`: for a database that existed before every change was written
 * with its event (issue 15, decision 018), records in each member's chain where complete
 * auditing begins for it.
 *
 * `audit:verify` requires an event for every version of every member. Members written by
 * earlier releases lack some (the app did not record them all): every such member would
 * stay a gap for ever, and the check could never pass again. This appends, once, a
 * `member.baseline` event to each of them, saying which versions have no event and that
 * versions up to the current one are taken as they are. `audit:verify` then counts the
 * member's versions from there on, and reports how many members start from a baseline.
 * It hides nothing: the baseline is itself a chained event, with the missing versions
 * listed, and running it again finds nothing to do.
 */
import type { Types } from 'mongoose';
import { AuditEvent } from '../../../models/audit-event';
import { Member } from '../../../models/member';
import { appendAuditMany, type AuditInput } from './audit.server';

const BATCH = 500;
const LISTED = 20;

/** Versions each member's events cover: recorded ones, and everything up to a baseline. */
export async function coveredVersions(): Promise<Map<string, { versions: Set<number>; baseline: number }>> {
  const covered = new Map<string, { versions: Set<number>; baseline: number }>();
  const cursor = AuditEvent.collection.find(
    { entity: 'Member', 'details.version': { $type: 'number' } },
    { projection: { entityId: 1, action: 1, 'details.version': 1 } },
  );
  for await (const e of cursor) {
    const id = String(e.entityId);
    let c = covered.get(id);
    if (!c) covered.set(id, (c = { versions: new Set(), baseline: -1 }));
    const v = (e.details as { version: number }).version;
    if (e.action === 'member.baseline') c.baseline = Math.max(c.baseline, v);
    else c.versions.add(v);
  }
  return covered;
}

/** The versions 0…`v` of a member that no event covers. */
export function missingVersions(
  c: { versions: Set<number>; baseline: number } | undefined,
  v: number,
): number[] {
  const missing: number[] = [];
  for (let version = 0; version <= v; version++)
    if (!(c && (version <= c.baseline || c.versions.has(version)))) missing.push(version);
  return missing;
}

/** Appends the baselines; returns how many members got one. */
export async function baselineUnrecordedMembers(now = new Date()): Promise<number> {
  const covered = await coveredVersions();
  let written = 0;
  let batch: AuditInput[] = [];
  const flush = async () => {
    if (!batch.length) return;
    await appendAuditMany(batch);
    written += batch.length;
    batch = [];
  };
  const members = Member.collection.find({}, { projection: { __v: 1, schoolId: 1 } });
  for await (const m of members) {
    const v = typeof m.__v === 'number' ? m.__v : 0;
    const missing = missingVersions(covered.get(String(m._id)), v);
    if (!missing.length) continue;
    batch.push({
      action: 'member.baseline',
      entity: 'Member',
      entityId: m._id as Types.ObjectId,
      unitId: (m.schoolId as Types.ObjectId | undefined) ?? null,
      at: now,
      details: { version: v, missing: missing.slice(0, LISTED), missingCount: missing.length },
    });
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  return written;
}
