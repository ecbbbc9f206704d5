/**
 * Writing the hash-chained audit log (app/domain/audit-chain.ts; decisions 010 and
 * 019-audit-chains-per-record.md). Checking it is audit-verify.server.ts.
 *
 * Each record has its own chain ("Member:<id>"). An append reads that chain's head
 * (highest seq) and inserts the event linked after it, in the transaction of the
 * change it records when there is one (`inTransaction`): then the change and its
 * event commit together or not at all. Two transactions appending to one chain are
 * two changes of one record, which conflict anyway; the second is retried by the
 * driver and links after the first. Outside a transaction (an event about a read:
 * a reveal, an export) the unique `{ chain, seq }` index arbitrates: a writer that
 * lost the race reads the new head and tries again.
 *
 * Events go in through the driver (`AuditEvent.collection`), not a mongoose
 * document: the hash must cover exactly the stored bytes, and mongoose may reshape
 * Mixed values on save. The content is first passed through a BSON round trip so
 * what is hashed is what MongoDB will hand back.
 */
import { BSON, type ClientSession, type Document } from 'mongodb';
import { Types } from 'mongoose';
import { AuditEvent } from '../../../models/audit-event';
import { ANCHOR_CHAIN, chainAfter, chainKey, type ChainContent } from '~/domain/audit-chain';
import { currentSession, inTransaction } from '../transaction.server';

export interface AuditInput {
  actorId?: Types.ObjectId | string | null;
  action: string;
  entity: string;
  entityId?: Types.ObjectId | null;
  unitId?: Types.ObjectId | null;
  /**
   * Free-form, never sensitive values. Conventions the admin browser and
   * `npm run audit:verify` read: `before` / `after` (the changed fields), `reason`,
   * `version` (a member's `__v` after the change the event records; 0 at creation).
   */
  details?: Record<string, unknown>;
  at?: Date;
}

export interface StoredAuditEvent extends ChainContent {
  _id: Types.ObjectId;
  chain: string;
  seq: number;
  prevHash: string;
  hash: string;
}

type Head = { seq: number; hash: string };

const MAX_ATTEMPTS = 50;

/** A duplicate key, from insertOne or (as its first write error) from an insertMany. */
function isDuplicateKey(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; writeErrors?: { code?: unknown } | { code?: unknown }[] };
  const first = Array.isArray(e.writeErrors) ? e.writeErrors[0] : e.writeErrors;
  return e.code === 11000 || first?.code === 11000;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The unique { chain, seq } index must exist before the first insert, or duplicates could
// slip in; the global `seq_1` index of the single chain of old would refuse per-record seqs.
let indexesReady: Promise<unknown> | null = null;
export function ensureAuditIndexes(): Promise<unknown> {
  indexesReady ??= (async () => {
    const existing = await AuditEvent.collection.indexes().catch(() => []);
    if (existing.some((ix) => ix.name === 'seq_1')) await AuditEvent.collection.dropIndex('seq_1');
    await AuditEvent.init();
  })().catch((error: unknown) => {
    indexesReady = null;
    throw error;
  });
  return indexesReady;
}

/** The content exactly as MongoDB will return it (undefined dropped, types settled). */
function normalise(event: AuditInput): ChainContent & { chain: string } {
  const entityId = event.entityId ?? null;
  const raw = {
    chain: chainKey(event.entity, entityId),
    at: event.at ?? new Date(),
    actorId: event.actorId ? new Types.ObjectId(String(event.actorId)) : null,
    action: event.action,
    entity: event.entity,
    entityId,
    unitId: event.unitId ?? null,
    details: event.details ?? null,
  };
  return BSON.deserialize(BSON.serialize(raw, { ignoreUndefined: true })) as ChainContent & { chain: string };
}

/** The heads of these chains (absent: the chain has no event yet), as the session sees them. */
export async function readHeads(chains: string[], session?: ClientSession): Promise<Map<string, Head>> {
  const heads = new Map<string, Head>();
  if (chains.length === 1) {
    const head = await AuditEvent.collection.findOne(
      { chain: chains[0], seq: { $exists: true } },
      { sort: { chain: 1, seq: -1 }, projection: { seq: 1, hash: 1 }, session },
    );
    if (head) heads.set(chains[0], { seq: head.seq as number, hash: head.hash as string });
    return heads;
  }
  const rows = AuditEvent.collection.aggregate<{ _id: string; seq: number; hash: string }>(
    [
      { $match: { chain: { $in: chains }, seq: { $exists: true } } },
      { $sort: { chain: 1, seq: -1 } },
      { $group: { _id: '$chain', seq: { $first: '$seq' }, hash: { $first: '$hash' } } },
    ],
    { session },
  );
  for await (const row of rows) heads.set(row._id, { seq: row.seq, hash: row.hash });
  return heads;
}

/** Links the events after their chains' heads (in the order given) and inserts them. */
async function linkAndInsert(
  contents: (ChainContent & { chain: string })[],
  session: ClientSession | undefined,
): Promise<StoredAuditEvent[]> {
  const heads = await readHeads([...new Set(contents.map((c) => c.chain))], session);
  const linked = contents.map((content) => {
    const event = { _id: new Types.ObjectId(), ...chainAfter(heads.get(content.chain) ?? null, content) };
    heads.set(content.chain, { seq: event.seq, hash: event.hash });
    return event as StoredAuditEvent;
  });
  if (linked.length === 1) await AuditEvent.collection.insertOne(linked[0] as Document, { session });
  else await AuditEvent.collection.insertMany(linked as Document[], { session, ordered: true });
  return linked;
}

/**
 * Appends events to their records' chains: in the running transaction if there is
 * one (they then commit with the change they record), else in a transaction of their
 * own when there are several, so they go in together or not at all. A failed append
 * throws: callers log before acting.
 */
export async function appendAuditMany(events: AuditInput[]): Promise<StoredAuditEvent[]> {
  if (events.length === 0) return [];
  await ensureAuditIndexes();
  const contents = events.map(normalise);
  const session = currentSession();
  if (session) return linkAndInsert(contents, session);
  if (contents.length > 1) return inTransaction((s) => linkAndInsert(contents, s));
  for (let attempt = 1; ; attempt++) {
    try {
      return await linkAndInsert(contents, undefined);
    } catch (error) {
      if (!isDuplicateKey(error) || attempt >= MAX_ATTEMPTS) throw error;
      // Another writer took this seq of the chain: back off a little (jittered), link after it.
      await sleep(Math.random() * Math.min(25, 2 * attempt));
    }
  }
}

/** Appends one event (see appendAuditMany). */
export async function appendAudit(event: AuditInput): Promise<StoredAuditEvent> {
  const [stored] = await appendAuditMany([event]);
  return stored;
}

/**
 * Start-up step: events written without any chain (before chains existed, or around
 * appendAudit) are linked at the end of their record's chain in (at, _id) order. This
 * is the one place that modifies an audit event, and only to add the chain fields; it
 * goes through the driver because the model's hooks refuse every update on purpose.
 * Returns how many events were linked.
 */
export async function chainLegacyAuditEvents(batchSize = 500): Promise<number> {
  await ensureAuditIndexes();
  const collection = AuditEvent.collection;
  let linked = 0;
  for (;;) {
    const batch = await collection
      .find({ seq: { $exists: false } }, { sort: { at: 1, _id: 1 }, limit: batchSize })
      .toArray();
    if (batch.length === 0) return linked;
    for (const doc of batch) if (await linkExisting(doc)) linked++;
  }
}

async function linkExisting(doc: Document): Promise<boolean> {
  const chain = chainKey(String(doc.entity ?? ''), doc.entityId ?? null);
  const content: ChainContent = {
    chain,
    at: doc.at instanceof Date ? doc.at : new Date(0),
    actorId: doc.actorId ?? null,
    action: String(doc.action ?? ''),
    entity: String(doc.entity ?? ''),
    entityId: doc.entityId ?? null,
    unitId: doc.unitId ?? null,
    details: doc.details ?? null,
  };
  for (let attempt = 1; ; attempt++) {
    const { seq, prevHash, hash } = chainAfter((await readHeads([chain])).get(chain) ?? null, content);
    // A legacy event without `at` gets one, so the stored document hashes as linked.
    const set =
      doc.at instanceof Date
        ? { chain, seq, prevHash, hash }
        : { chain, at: content.at, seq, prevHash, hash };
    try {
      const result = await AuditEvent.collection.updateOne(
        { _id: doc._id, seq: { $exists: false } },
        { $set: set },
      );
      // Zero: another process starting at the same time linked it first.
      return result.modifiedCount === 1;
    } catch (error) {
      if (!isDuplicateKey(error) || attempt >= MAX_ATTEMPTS) throw error;
      await sleep(Math.random() * Math.min(25, 2 * attempt));
    }
  }
}

/**
 * An anchor may land before an event whose `at` is earlier (a transaction commits up to
 * its lifetime, 60 s, after it began): the next anchor looks back this far as well.
 */
const ANCHOR_OVERLAP_MS = 5 * 60_000;
/** Heads listed per anchor event (an event stays far below MongoDB's 16 MB). */
const HEADS_PER_ANCHOR = 10_000;

/**
 * Records, in the anchor chain, the head (seq and hash) of every chain written since
 * the last anchor. `npm run audit:verify` then checks that each chain still reaches
 * its anchored head: deleting a record's last events, or its whole chain, or
 * rewriting a chain from some event on, no longer goes unnoticed once anchored.
 * Run every few minutes by the server and after seeding. Returns the anchors written.
 */
export async function anchorAuditChains(now = new Date()): Promise<number> {
  await ensureAuditIndexes();
  const last = await AuditEvent.collection.findOne(
    { chain: ANCHOR_CHAIN, seq: { $exists: true } },
    { sort: { chain: 1, seq: -1 }, projection: { details: 1 } },
  );
  const until = (last?.details as { until?: unknown } | undefined)?.until;
  const filter: Document = { seq: { $exists: true }, chain: { $exists: true, $ne: ANCHOR_CHAIN } };
  if (until instanceof Date) filter.at = { $gte: new Date(until.getTime() - ANCHOR_OVERLAP_MS) };
  const chains = ((await AuditEvent.collection.distinct('chain', filter)) as string[]).sort();
  if (chains.length === 0) return 0;
  const heads = await readHeads(chains);
  const listed = chains.filter((c) => heads.has(c)).map((c) => [c, heads.get(c)!.seq, heads.get(c)!.hash]);
  const anchors: AuditInput[] = [];
  for (let i = 0; i < listed.length; i += HEADS_PER_ANCHOR) {
    anchors.push({
      action: 'audit.anchor',
      entity: ANCHOR_CHAIN,
      at: now,
      details: { until: now, heads: listed.slice(i, i + HEADS_PER_ANCHOR) },
    });
  }
  await appendAuditMany(anchors);
  return anchors.length;
}
