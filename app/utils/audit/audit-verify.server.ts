/**
 * `npm run audit:verify`: the audit log is intact, and complete.
 *
 * Intact (decisions 010 and 019): every chain, walked in `{ chain, seq }` order with
 * flat memory per chain, has seq 1, 2, 3… with each prevHash the previous hash and
 * each hash matching the content; every chain reaches the head the last anchor
 * recorded for it (a deleted tail or a deleted chain shows).
 *
 * Complete (decision 018: every change is written with its event in one transaction):
 * - every member version has its event: events of a member carry `details.version`
 *   (its `__v` after the change; 0 at creation), and versions 0…`__v` are all there
 *   (or, for a member from before issue 15, those after its `member.baseline` event:
 *   `npm run audit:baseline`, audit-baseline.server.ts);
 * - every approved submission is in its member's record (`submissionId` on the award
 *   or activity it became);
 * - every bulk step lists the records it changed and each of them has its step's
 *   event naming the bulk, and the other way round;
 * - imported members are covered by the first rule: an import creates a member with
 *   its `member.import` event (version 0) in the same transaction.
 * It names the first broken link, and the first gaps, so an operator can look.
 */
import type { Document } from 'mongodb';
import { AuditEvent } from '../../../models/audit-event';
import { Member } from '../../../models/member';
import { Submission } from '../../../models/submission';
import { ANCHOR_CHAIN, ChainVerifier, type ChainProblem } from '~/domain/audit-chain';
import { missingVersions } from './audit-baseline.server';

export interface AuditGap {
  kind: 'member_creation' | 'member_version' | 'submission' | 'bulk';
  /** Plain-English explanation for the command line. */
  message: string;
}

export interface AuditVerifyReport {
  /** Intact and complete. */
  ok: boolean;
  /** Chained events checked (up to the first broken one), in how many chains. */
  events: number;
  chains: number;
  /** The anchor chain's head: record it elsewhere to show later that nothing was cut since. */
  anchor: { seq: number; hash: string } | null;
  /** The first broken link, with its chain (null: the global chain of old). */
  problem: (ChainProblem & { chain: string | null }) | null;
  /** The first completeness gaps (up to MAX_GAPS), and how many there are in all. */
  gaps: AuditGap[];
  gapCount: number;
  /** Events outside any chain (no seq): linked at start-up, else written around appendAudit. */
  unchained: number;
  firstUnchainedId: string | null;
  /** `baselined`: members whose versions are counted from a baseline event (audit:baseline). */
  checked: { members: number; submissions: number; bulks: number; baselined: number };
}

const MAX_GAPS = 20;
const hex = (id: unknown) => (id == null ? '' : String(id));

interface Anchored {
  seq: number;
  hash: string;
}

/** The highest head each chain was anchored at (anchor events list `[chain, seq, hash]`). */
async function anchoredHeads(): Promise<Map<string, Anchored>> {
  const anchored = new Map<string, Anchored>();
  const cursor = AuditEvent.collection.find(
    { chain: ANCHOR_CHAIN, seq: { $exists: true } },
    { sort: { chain: 1, seq: 1 }, projection: { details: 1 } },
  );
  for await (const a of cursor) {
    const heads = (a.details as { heads?: unknown } | undefined)?.heads;
    if (!Array.isArray(heads)) continue;
    for (const h of heads) {
      if (!Array.isArray(h) || typeof h[0] !== 'string' || typeof h[1] !== 'number') continue;
      const prev = anchored.get(h[0]);
      if (!prev || h[1] >= prev.seq) anchored.set(h[0], { seq: h[1], hash: String(h[2]) });
    }
  }
  return anchored;
}

/** What the walk over the events collects for the completeness checks. */
interface Seen {
  /** Member id → the versions its events record, and the highest baseline (-1: none). */
  versions: Map<string, { versions: Set<number>; baseline: number }>;
  /** Bulk id → the member ids its event lists. */
  bulkLists: Map<string, Set<string>>;
  /** Bulk id → the member ids whose step event names it. */
  bulkRefs: Map<string, Set<string>>;
}

function collect(e: Document, seen: Seen): void {
  const details = (e.details ?? {}) as Record<string, unknown>;
  if (e.entity === 'Member' && e.entityId) {
    const id = hex(e.entityId);
    if (typeof details.version === 'number') {
      let c = seen.versions.get(id);
      if (!c) seen.versions.set(id, (c = { versions: new Set(), baseline: -1 }));
      if (e.action === 'member.baseline') c.baseline = Math.max(c.baseline, details.version);
      else c.versions.add(details.version);
    }
    if (details.bulkId) {
      const bulk = hex(details.bulkId);
      let refs = seen.bulkRefs.get(bulk);
      if (!refs) seen.bulkRefs.set(bulk, (refs = new Set()));
      refs.add(id);
    }
  }
  if (e.action === 'pipeline.bulk' && e.entityId && Array.isArray(details.members)) {
    seen.bulkLists.set(hex(e.entityId), new Set(details.members.map(hex)));
  }
}

export async function verifyAudit(
  options: { batchSize?: number; onProgress?: (checked: number) => void } = {},
): Promise<AuditVerifyReport> {
  const batchSize = options.batchSize ?? 1000;
  const anchored = await anchoredHeads();
  const seen: Seen = { versions: new Map(), bulkLists: new Map(), bulkRefs: new Map() };
  let problem: AuditVerifyReport['problem'] = null;
  let anchor: AuditVerifyReport['anchor'] = null;
  let events = 0;
  let chains = 0;
  let chain: string | null | undefined;
  let verifier = new ChainVerifier();
  let lastSeq = 0;
  let lastHash = '';
  const reached = new Set<string>();

  const fail = (c: string | null, p: ChainProblem) => {
    problem ??= { ...p, chain: c };
  };
  /** A chain ends: it must reach the head it was anchored at. */
  const close = () => {
    if (chain === undefined || chain === null || problem) return;
    const a = anchored.get(chain);
    if (a && a.seq > lastSeq)
      fail(chain, {
        kind: 'seq_gap',
        seq: lastSeq + 1,
        id: null,
        message: `chain ends at seq ${lastSeq} but was anchored at seq ${a.seq} (its last events were deleted)`,
      });
    if (chain === ANCHOR_CHAIN) anchor = { seq: lastSeq, hash: lastHash };
  };

  const cursor = AuditEvent.collection.find(
    { seq: { $exists: true } },
    { sort: { chain: 1, seq: 1 }, batchSize },
  );
  try {
    for await (const e of cursor) {
      const c = typeof e.chain === 'string' ? e.chain : null;
      if (c !== chain) {
        close();
        if (problem) break;
        chain = c;
        chains++;
        verifier = new ChainVerifier();
        lastSeq = 0;
        if (c !== null) reached.add(c);
      }
      events++;
      if (!verifier.push([e])) {
        fail(c, verifier.result().problem!);
        break;
      }
      lastSeq = e.seq as number;
      lastHash = e.hash as string;
      const a = c === null ? undefined : anchored.get(c);
      if (a && a.seq === lastSeq && a.hash !== e.hash) {
        fail(c, {
          kind: 'hash',
          seq: lastSeq,
          id: hex(e._id),
          message: `the event differs from the one anchored at this seq (the chain was rewritten from here or before)`,
        });
        break;
      }
      collect(e, seen);
      if (events % 50_000 === 0) options.onProgress?.(events);
    }
    close();
  } finally {
    await cursor.close();
  }
  if (!problem) {
    for (const [c, a] of anchored) {
      if (reached.has(c)) continue;
      fail(c, {
        kind: 'seq_gap',
        seq: 1,
        id: null,
        message: `chain was anchored at seq ${a.seq} but has no event any more (it was deleted)`,
      });
      break;
    }
  }

  const gaps: AuditGap[] = [];
  let gapCount = 0;
  const gap = (g: AuditGap) => {
    gapCount++;
    if (gaps.length < MAX_GAPS) gaps.push(g);
  };
  const checked = { members: 0, submissions: 0, bulks: seen.bulkLists.size, baselined: 0 };

  // Every member version has its event.
  for await (const m of Member.collection.find({}, { projection: { __v: 1, studentCode: 1 } })) {
    checked.members++;
    const id = hex(m._id);
    const covered = seen.versions.get(id);
    if (covered && covered.baseline >= 0) checked.baselined++;
    const v = typeof m.__v === 'number' ? m.__v : 0;
    const [first] = missingVersions(covered, v);
    if (first === undefined) continue;
    gap(
      first === 0
        ? {
            kind: 'member_creation',
            message: `member ${id} (${m.studentCode}) has no event recording its creation`,
          }
        : {
            kind: 'member_version',
            message: `member ${id} (${m.studentCode}): version ${first} of ${v} has no event`,
          },
    );
  }

  // Every approved submission is in its member's record.
  const pending: Document[] = [];
  const checkBatch = async () => {
    const members = await Member.collection
      .find(
        { _id: { $in: pending.map((s) => s.memberId) } },
        { projection: { 'awards.submissionId': 1, 'activities.submissionId': 1 } },
      )
      .toArray();
    const items = new Map(
      members.map((m) => [
        hex(m._id),
        new Set([...(m.awards ?? []), ...(m.activities ?? [])].map((x: Document) => hex(x.submissionId))),
      ]),
    );
    for (const s of pending) {
      if (!items.get(hex(s.memberId))?.has(hex(s._id)))
        gap({
          kind: 'submission',
          message: `approved submission ${hex(s._id)} is not in member ${hex(s.memberId)}'s record`,
        });
    }
    pending.length = 0;
  };
  for await (const s of Submission.collection.find({ status: 'approved' }, { projection: { memberId: 1 } })) {
    checked.submissions++;
    pending.push(s);
    if (pending.length >= 500) await checkBatch();
  }
  if (pending.length) await checkBatch();

  // Every bulk step lists the records it changed, and each of them names it.
  for (const [bulk, members] of seen.bulkLists) {
    const refs = seen.bulkRefs.get(bulk) ?? new Set<string>();
    for (const m of members)
      if (!refs.has(m))
        gap({ kind: 'bulk', message: `bulk step ${bulk} lists member ${m}, who has no event of it` });
  }
  for (const [bulk, refs] of seen.bulkRefs) {
    const members = seen.bulkLists.get(bulk);
    for (const m of refs)
      if (!members?.has(m))
        gap({
          kind: 'bulk',
          message: members
            ? `member ${m}'s step names bulk step ${bulk}, which does not list it`
            : `member ${m}'s step names bulk step ${bulk}, which has no event`,
        });
  }

  const unchained = await AuditEvent.collection.countDocuments({ seq: { $exists: false } });
  const first = unchained
    ? await AuditEvent.collection.findOne(
        { seq: { $exists: false } },
        { sort: { at: 1, _id: 1 }, projection: { _id: 1 } },
      )
    : null;
  return {
    ok: !problem && gapCount === 0 && unchained === 0,
    events,
    chains,
    anchor,
    problem,
    gaps,
    gapCount,
    unchained,
    firstUnchainedId: first ? hex(first._id) : null,
    checked,
  };
}
