/**
 * The audit log's hash chains (docs/decisions/010-audit-hash-chain.md and
 * 019-audit-chains-per-record.md), pure: no I/O.
 *
 * Each record has its own chain (`chain`: "Member:<id>", "Unit:<id>"…; see
 * `chainKey`), appended in the same transaction as the change it records; anchors
 * (chain "AuditAnchor") periodically record every chain's head. Within a chain,
 * every event carries `seq` (1, 2, 3…), `prevHash` (the hash of event seq-1, or
 * 64 zeros for the first) and `hash` = SHA-256 over a canonical serialization of
 * its content (its chain included), `seq` and `prevHash`. Editing, deleting or
 * reordering an event inside a chain breaks either its own hash, the next event's
 * link, or the seq sequence. Events written before per-record chains form one
 * global chain without a `chain` field, which hashes as before.
 *
 * "Canonical" means the value read back from MongoDB hashes exactly like the value
 * written: keys sorted recursively, Date → ISO string, ObjectId → hex, undefined
 * object keys dropped (BSON drops them with ignoreUndefined), and a missing field
 * equal to null.
 */
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** The fields the hash covers; the names are part of the format, do not rename. */
export interface ChainContent {
  /** The chain the event belongs to; absent for the events of the global chain of old. */
  chain?: string | null;
  at: Date;
  actorId?: unknown;
  action: string;
  entity: string;
  entityId?: unknown;
  unitId?: unknown;
  details?: unknown;
}

export interface ChainedEvent extends ChainContent {
  _id?: unknown;
  seq: number;
  prevHash: string;
  hash: string;
}

function isObjectIdLike(value: object): value is { toHexString(): string } {
  return (
    (value as { _bsontype?: unknown })._bsontype === 'ObjectId' &&
    typeof (value as { toHexString?: unknown }).toHexString === 'function'
  );
}

/** Deterministic JSON text of a value: sorted keys, Dates and ObjectIds as strings. */
export function canonicalize(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      // NaN and ±Infinity survive BSON (doubles) but not JSON: spell them out.
      return Number.isFinite(value) ? JSON.stringify(value) : JSON.stringify(String(value));
    case 'bigint':
      return value.toString();
    case 'object':
      break;
    default:
      // Functions and symbols are not stored by BSON either.
      return 'null';
  }
  if (value instanceof Date)
    return JSON.stringify(Number.isNaN(value.getTime()) ? null : value.toISOString());
  if (isObjectIdLike(value)) return JSON.stringify(value.toHexString());
  if (Array.isArray(value)) return `[${value.map(canonicalize).join(',')}]`;
  // Other BSON types (Long, Decimal128, Binary…) have a stable toJSON/toString.
  if (!isPlainObject(value)) {
    const json = (value as { toJSON?: () => unknown }).toJSON?.();
    return json !== undefined && json !== value ? canonicalize(json) : JSON.stringify(String(value));
  }
  const entries = Object.keys(value)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalize((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** The chain anchors go to: each anchor lists the heads of the chains written since the last. */
export const ANCHOR_CHAIN = 'AuditAnchor';

/** The chain of a record's events: "Member:<id>", or the entity alone for events about no one record. */
export function chainKey(entity: string, entityId?: unknown): string {
  if (entityId === null || entityId === undefined) return entity;
  const id =
    typeof entityId === 'object' && isObjectIdLike(entityId) ? entityId.toHexString() : String(entityId);
  return `${entity}:${id}`;
}

/** The hash of one event: its seq, content (its chain included) and the previous event's hash. */
export function eventHash(content: ChainContent, seq: number, prevHash: string): string {
  const body = canonicalize({
    // Only present in per-record chains, so the events of the old global chain hash as they did.
    ...(typeof content.chain === 'string' ? { chain: content.chain } : {}),
    seq,
    at: content.at,
    actorId: content.actorId ?? null,
    action: content.action,
    entity: content.entity,
    entityId: content.entityId ?? null,
    unitId: content.unitId ?? null,
    details: content.details ?? null,
    prevHash,
  });
  return createHash('sha256').update(body, 'utf8').digest('hex');
}

/** Links `content` after `head` (null: it is the first event). */
export function chainAfter<T extends ChainContent>(
  head: { seq: number; hash: string } | null,
  content: T,
): T & { seq: number; prevHash: string; hash: string } {
  const seq = head ? head.seq + 1 : 1;
  const prevHash = head ? head.hash : GENESIS_HASH;
  return { ...content, seq, prevHash, hash: eventHash(content, seq, prevHash) };
}

/** Chains a list of events in the order given, after `head` (for bulk writers such as a seed). */
export function chainAll<T extends ChainContent>(
  events: readonly T[],
  head: { seq: number; hash: string } | null = null,
): (T & { seq: number; prevHash: string; hash: string })[] {
  const out: (T & { seq: number; prevHash: string; hash: string })[] = [];
  let last = head;
  for (const e of events) {
    const linked = chainAfter(last, e);
    out.push(linked);
    last = linked;
  }
  return out;
}

export type ChainProblemKind = 'seq_gap' | 'seq_order' | 'prev_hash' | 'hash' | 'malformed';

export interface ChainProblem {
  kind: ChainProblemKind;
  /** The stored seq of the broken event (null when it has none). */
  seq: number | null;
  id: string | null;
  /** Plain-English explanation for the command line. */
  message: string;
}

export interface ChainVerdict {
  ok: boolean;
  /** Events checked (up to and including the first broken one). */
  count: number;
  /** The last good event: record `headHash` elsewhere to detect truncation later. */
  headSeq: number;
  headHash: string;
  problem: ChainProblem | null;
}

const idOf = (e: { _id?: unknown }) => (e._id == null ? null : String(e._id));

/**
 * Streaming verifier: feed events in ascending seq order, chunk by chunk, then read
 * `result()`. Memory is constant: only the previous event's seq and hash are kept.
 * It stops at the first broken event, which is the one the report names.
 */
export class ChainVerifier {
  private count = 0;
  private headSeq = 0;
  private headHash = GENESIS_HASH;
  private problem: ChainProblem | null = null;

  get broken(): boolean {
    return this.problem !== null;
  }

  /** Checks a chunk; returns false once a broken event has been found (stop feeding). */
  push(events: Iterable<Partial<ChainedEvent>>): boolean {
    for (const e of events) {
      if (this.problem) return false;
      this.check(e);
    }
    return !this.problem;
  }

  private fail(kind: ChainProblemKind, e: Partial<ChainedEvent>, message: string) {
    this.problem = { kind, seq: typeof e.seq === 'number' ? e.seq : null, id: idOf(e), message };
  }

  private check(e: Partial<ChainedEvent>) {
    this.count++;
    const expected = this.headSeq + 1;
    if (
      typeof e.seq !== 'number' ||
      !Number.isInteger(e.seq) ||
      typeof e.hash !== 'string' ||
      typeof e.prevHash !== 'string' ||
      !(e.at instanceof Date) ||
      typeof e.action !== 'string' ||
      typeof e.entity !== 'string'
    ) {
      return this.fail(
        'malformed',
        e,
        'missing or mistyped chain fields (seq, prevHash, hash, at, action, entity)',
      );
    }
    if (e.seq > expected) {
      const missing = e.seq - 1 === expected ? `${expected}` : `${expected}..${e.seq - 1}`;
      return this.fail('seq_gap', e, `seq ${missing} missing before this event (deleted?)`);
    }
    if (e.seq < expected) {
      return this.fail(
        'seq_order',
        e,
        `seq ${e.seq} found where ${expected} was expected (reordered or duplicated)`,
      );
    }
    if (e.prevHash !== this.headHash) {
      return this.fail(
        'prev_hash',
        e,
        expected === 1
          ? 'prevHash of the first event is not 64 zeros'
          : `prevHash does not match the hash of seq ${this.headSeq}`,
      );
    }
    const actual = eventHash(e as ChainContent, e.seq, e.prevHash);
    if (actual !== e.hash) {
      return this.fail('hash', e, 'stored hash does not match the content (the event was modified)');
    }
    this.headSeq = e.seq;
    this.headHash = e.hash;
  }

  result(): ChainVerdict {
    return {
      ok: !this.problem,
      count: this.count,
      headSeq: this.headSeq,
      headHash: this.headHash,
      problem: this.problem,
    };
  }
}

/** Verifies a whole chain in memory (tests, small logs). */
export function verifyChain(events: Iterable<Partial<ChainedEvent>>): ChainVerdict {
  const v = new ChainVerifier();
  v.push(events);
  return v.result();
}
