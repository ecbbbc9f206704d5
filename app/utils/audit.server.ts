/**
 * Writing and checking the hash-chained audit log (app/domain/audit-chain.ts,
 * docs/decisions/010-audit-hash-chain.md).
 *
 * `appendAudit` reads the head (highest seq), links the new event after it and
 * inserts. Two writers that read the same head both try the same seq; the unique
 * index on `seq` lets exactly one in and the other retries on the new head. That
 * works across processes and needs no transaction. Within one process the writes
 * are queued anyway, so retries only happen between processes.
 *
 * Events go in through the driver (`AuditEvent.collection`), not a mongoose
 * document: the hash must cover exactly the stored bytes, and mongoose may reshape
 * Mixed values on save. The content is first passed through a BSON round trip so
 * what is hashed is what MongoDB will hand back.
 */
import { BSON, type Document } from 'mongodb';
import { Types } from 'mongoose';
import { AuditEvent } from '../../models/audit-event';
import { ChainVerifier, chainAfter, type ChainContent, type ChainVerdict } from '~/domain/audit-chain';

export interface AuditInput {
  actorId?: Types.ObjectId | string | null;
  action: string;
  entity: string;
  entityId?: Types.ObjectId | null;
  unitId?: Types.ObjectId | null;
  /**
   * Free-form, never sensitive values. Conventions the admin browser reads:
   * `before` / `after` (the changed fields), `reason`.
   */
  details?: Record<string, unknown>;
  at?: Date;
}

export interface StoredAuditEvent extends ChainContent {
  _id: Types.ObjectId;
  seq: number;
  prevHash: string;
  hash: string;
}

const MAX_ATTEMPTS = 50;

/** A duplicate key, from insertOne or (as its first write error) from an insertMany. */
function isDuplicateKey(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; writeErrors?: { code?: unknown } | { code?: unknown }[] };
  const first = Array.isArray(e.writeErrors) ? e.writeErrors[0] : e.writeErrors;
  return e.code === 11000 || first?.code === 11000;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// One writer per process: concurrent requests wait here instead of racing for a seq.
let queue: Promise<unknown> = Promise.resolve();
function serialised<T>(task: () => Promise<T>): Promise<T> {
  const run = queue.then(task);
  queue = run.catch(() => undefined);
  return run;
}

// The unique seq index must exist before the first insert, or duplicates could slip in.
let indexesReady: Promise<unknown> | null = null;
function ensureIndexes(): Promise<unknown> {
  indexesReady ??= AuditEvent.init().catch((error: unknown) => {
    indexesReady = null;
    throw error;
  });
  return indexesReady;
}

type Head = { seq: number; hash: string } | null;

async function readHead(): Promise<Head> {
  const head = await AuditEvent.collection.findOne(
    { seq: { $exists: true } },
    { sort: { seq: -1 }, projection: { seq: 1, hash: 1 } },
  );
  lastHead = head ? { seq: head.seq as number, hash: head.hash as string } : null;
  return lastHead;
}

// The head this process last wrote or read. Reading the head is a sort; the embedded
// server answers it by scanning (~0.5 s at 100,000 events), while checking that the
// remembered head is still there is an equality lookup on the unique index. If another
// process appended since, the insert hits the unique index and we re-read the head.
let lastHead: Head | undefined;

async function probableHead(): Promise<Head> {
  if (lastHead) {
    const still = await AuditEvent.collection.findOne(
      { seq: lastHead.seq, hash: lastHead.hash },
      { projection: { _id: 1 } },
    );
    if (still) return lastHead;
  }
  return readHead();
}

/** The content exactly as MongoDB will return it (undefined dropped, types settled). */
function normalise(event: AuditInput): ChainContent {
  const raw = {
    at: event.at ?? new Date(),
    actorId: event.actorId ? new Types.ObjectId(String(event.actorId)) : null,
    action: event.action,
    entity: event.entity,
    entityId: event.entityId ?? null,
    unitId: event.unitId ?? null,
    details: event.details ?? null,
  };
  return BSON.deserialize(BSON.serialize(raw, { ignoreUndefined: true })) as ChainContent;
}

/** One event with its own retry loop, outside the in-process queue (the concurrency test's "other processes"). */
export async function appendAuditUnqueued(event: AuditInput): Promise<StoredAuditEvent> {
  await ensureIndexes();
  const content = normalise(event);
  const _id = new Types.ObjectId();
  for (let attempt = 1; ; attempt++) {
    const linked = { _id, ...chainAfter(attempt === 1 ? await probableHead() : await readHead(), content) };
    try {
      await AuditEvent.collection.insertOne(linked as Document);
      lastHead = { seq: linked.seq, hash: linked.hash };
      return linked as StoredAuditEvent;
    } catch (error) {
      if (!isDuplicateKey(error) || attempt >= MAX_ATTEMPTS) throw error;
      // Another writer took this seq: back off a little (jittered) and link after it.
      await sleep(Math.random() * Math.min(25, 2 * attempt));
    }
  }
}

interface Waiting {
  event: AuditInput;
  resolve: (stored: StoredAuditEvent) => void;
  reject: (error: unknown) => void;
}
const waiting: Waiting[] = [];
let draining = false;
const MAX_BATCH = 200;

/**
 * Appends one event to the chained audit log. A failed append throws: callers log before acting.
 *
 * Events that arrive while a write is under way are chained together and go in with the
 * next `insertMany` (one round trip, one journal flush for all of them). One at a time,
 * each append paid a head check and an insert in the database's queue, so under load
 * (`npm run bench:load`: 50 users, ~1.5 steps/s) steps queued here for 15-30 s.
 */
export function appendAudit(event: AuditInput): Promise<StoredAuditEvent> {
  return new Promise<StoredAuditEvent>((resolve, reject) => {
    waiting.push({ event, resolve, reject });
    if (!draining) void drain();
  });
}

async function drain(): Promise<void> {
  draining = true;
  try {
    while (waiting.length) {
      const batch = waiting.splice(0, MAX_BATCH);
      await serialised(() => appendBatch(batch)).catch(() => undefined);
    }
  } finally {
    draining = false;
  }
}

/** Index of the first event an ordered insertMany refused (the ones before it are stored). */
function firstRefused(error: unknown): number {
  const e = error as { writeErrors?: { index?: number } | { index?: number }[] };
  const first = Array.isArray(e.writeErrors) ? e.writeErrors[0] : e.writeErrors;
  return typeof first?.index === 'number' ? first.index : 0;
}

async function appendBatch(batch: Waiting[]): Promise<void> {
  let items: { w: Waiting; _id: Types.ObjectId; content: ChainContent }[] = [];
  for (const w of batch) {
    try {
      items.push({ w, _id: new Types.ObjectId(), content: normalise(w.event) });
    } catch (error) {
      w.reject(error);
    }
  }
  try {
    await ensureIndexes();
    for (let attempt = 1; items.length; attempt++) {
      let head = attempt === 1 ? await probableHead() : await readHead();
      const linked = items.map(({ _id, content }) => {
        const event = { _id, ...chainAfter(head, content) };
        head = { seq: event.seq, hash: event.hash };
        return event;
      });
      try {
        await AuditEvent.collection.insertMany(linked as Document[], { ordered: true });
        lastHead = head;
        items.forEach((item, i) => item.w.resolve(linked[i] as StoredAuditEvent));
        return;
      } catch (error) {
        if (!isDuplicateKey(error) || attempt >= MAX_ATTEMPTS) throw error;
        // Another process took a seq: what went in before it is stored; the rest is
        // linked again after the new head, after a short jittered pause.
        const stored = firstRefused(error);
        items.slice(0, stored).forEach((item, i) => item.w.resolve(linked[i] as StoredAuditEvent));
        items = items.slice(stored);
        await sleep(Math.random() * Math.min(25, 2 * attempt));
      }
    }
  } catch (error) {
    for (const item of items) item.w.reject(error);
  }
}

/**
 * Start-up step: events written before the chain existed (no `seq`) are linked at
 * the end of the chain in (at, _id) order. This is the one place that modifies an
 * audit event, and only to add the three chain fields; it goes through the driver
 * because the model's hooks refuse every update on purpose.
 * Returns how many events were linked.
 */
export async function chainLegacyAuditEvents(batchSize = 500): Promise<number> {
  await ensureIndexes();
  const collection = AuditEvent.collection;
  const total = await collection.estimatedDocumentCount();
  if (total === 0) return 0;
  const head = await readHead();
  // Cheap common case: seq 1..total all present means nothing is left to link.
  if (head && head.seq === total) return 0;
  let linked = 0;
  for (;;) {
    const batch = await collection
      .find({ seq: { $exists: false } }, { sort: { at: 1, _id: 1 }, limit: batchSize })
      .toArray();
    if (batch.length === 0) return linked;
    for (const doc of batch) if (await serialised(() => linkExisting(doc))) linked++;
  }
}

async function linkExisting(doc: Document): Promise<boolean> {
  const content: ChainContent = {
    at: doc.at instanceof Date ? doc.at : new Date(0),
    actorId: doc.actorId ?? null,
    action: String(doc.action ?? ''),
    entity: String(doc.entity ?? ''),
    entityId: doc.entityId ?? null,
    unitId: doc.unitId ?? null,
    details: doc.details ?? null,
  };
  for (let attempt = 1; ; attempt++) {
    const { seq, prevHash, hash } = chainAfter(
      attempt === 1 ? await probableHead() : await readHead(),
      content,
    );
    // A legacy event without `at` gets one, so the stored document hashes as linked.
    const set = doc.at instanceof Date ? { seq, prevHash, hash } : { at: content.at, seq, prevHash, hash };
    try {
      const result = await AuditEvent.collection.updateOne(
        { _id: doc._id, seq: { $exists: false } },
        { $set: set },
      );
      if (result.modifiedCount === 1) lastHead = { seq, hash };
      // Zero: another process starting at the same time linked it first.
      return result.modifiedCount === 1;
    } catch (error) {
      if (!isDuplicateKey(error) || attempt >= MAX_ATTEMPTS) throw error;
      await sleep(Math.random() * Math.min(25, 2 * attempt));
    }
  }
}

export interface AuditVerifyReport extends ChainVerdict {
  /** Events with no seq: outside the chain (not yet linked, or written around appendAudit). */
  unchained: number;
  firstUnchainedId: string | null;
}

/**
 * Walks the chain in seq order through a cursor, `batchSize` events at a time, so
 * memory stays flat however long the log is. Stops at the first broken event.
 */
export async function verifyAuditChain(
  options: { batchSize?: number; onProgress?: (checked: number) => void } = {},
): Promise<AuditVerifyReport> {
  const batchSize = options.batchSize ?? 1000;
  const verifier = new ChainVerifier();
  const cursor = AuditEvent.collection.find({ seq: { $exists: true } }, { sort: { seq: 1 }, batchSize });
  let chunk: Document[] = [];
  let checked = 0;
  try {
    for await (const doc of cursor) {
      chunk.push(doc);
      if (chunk.length < batchSize) continue;
      checked += chunk.length;
      const more = verifier.push(chunk);
      chunk = [];
      options.onProgress?.(checked);
      if (!more) break;
    }
    if (chunk.length && !verifier.broken) verifier.push(chunk);
  } finally {
    await cursor.close();
  }
  const verdict = verifier.result();
  const unchained = await AuditEvent.collection.countDocuments({ seq: { $exists: false } });
  const first = unchained
    ? await AuditEvent.collection.findOne(
        { seq: { $exists: false } },
        { sort: { at: 1, _id: 1 }, projection: { _id: 1 } },
      )
    : null;
  return {
    ...verdict,
    ok: verdict.ok && unchained === 0,
    unchained,
    firstUnchainedId: first ? String(first._id) : null,
  };
}
