import { createHash } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import {
  ChainVerifier,
  GENESIS_HASH,
  canonicalize,
  chainAfter,
  chainAll,
  eventHash,
  verifyChain,
  type ChainContent,
} from '~/domain/audit-chain';

const AT = new Date('2026-11-20T03:04:05.678Z');
const actor = new ObjectId('65a000000000000000000001');
const member = new ObjectId('65a000000000000000000002');
const school = new ObjectId('65a000000000000000000003');

function content(i: number, extra: Partial<ChainContent> = {}): ChainContent {
  return {
    at: new Date(AT.getTime() + i * 1000),
    actorId: actor,
    action: 'member.update',
    entity: 'Member',
    entityId: member,
    unitId: school,
    details: { fields: ['phone'], before: { phone: `090${i}` }, after: { phone: `091${i}` }, version: i },
    ...extra,
  };
}

const chain = (n: number) =>
  chainAll(Array.from({ length: n }, (_, i) => content(i + 1))).map((e, i) => ({
    ...e,
    _id: new ObjectId(`65b0000000000000000000${String(i + 1).padStart(2, '0')}`),
  }));

describe('canonicalize', () => {
  it('sorts keys recursively, whatever order they were written in', () => {
    expect(canonicalize({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[1,{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalize({ b: 1, a: 2 })).toBe(canonicalize({ a: 2, b: 1 }));
  });

  it('writes Dates as ISO strings and ObjectIds as hex', () => {
    expect(canonicalize({ at: AT, id: member })).toBe(
      `{"at":"2026-11-20T03:04:05.678Z","id":"65a000000000000000000002"}`,
    );
  });

  it('drops undefined keys like BSON does, keeps nulls, and turns undefined in arrays into null', () => {
    expect(canonicalize({ a: undefined, b: null })).toBe('{"b":null}');
    expect(canonicalize([undefined, 1])).toBe('[null,1]');
    expect(canonicalize(undefined)).toBe('null');
  });

  it('escapes strings and keeps Vietnamese text as is', () => {
    expect(canonicalize({ 'tên "x"': 'Nguyễn Thị\n"Hà"' })).toBe('{"tên \\"x\\"":"Nguyễn Thị\\n\\"Hà\\""}');
  });

  it('spells out non-finite numbers and keeps integers and decimals exact', () => {
    expect(canonicalize([1, 1.5, -0, Number.NaN, Infinity])).toBe('[1,1.5,0,"NaN","Infinity"]');
  });

  it('distinguishes structure that a naive join would not', () => {
    expect(canonicalize({ a: 'b,c' })).not.toBe(canonicalize({ a: 'b', c: undefined }));
    expect(canonicalize(['1'])).not.toBe(canonicalize([1]));
    expect(canonicalize({})).toBe('{}');
    expect(canonicalize([])).toBe('[]');
  });
});

describe('eventHash', () => {
  it('is the SHA-256 hex of the canonical fields, prevHash included', () => {
    const c = content(1);
    const body = canonicalize({
      seq: 1,
      at: c.at,
      actorId: c.actorId,
      action: c.action,
      entity: c.entity,
      entityId: c.entityId,
      unitId: c.unitId,
      details: c.details,
      prevHash: GENESIS_HASH,
    });
    expect(eventHash(c, 1, GENESIS_HASH)).toBe(createHash('sha256').update(body).digest('hex'));
    expect(eventHash(c, 1, GENESIS_HASH)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('treats a missing field as null and ignores key order in details', () => {
    const a = eventHash({ at: AT, action: 'x', entity: 'Member' }, 1, GENESIS_HASH);
    const b = eventHash(
      { at: AT, action: 'x', entity: 'Member', actorId: null, entityId: null, unitId: null, details: null },
      1,
      GENESIS_HASH,
    );
    expect(a).toBe(b);
    const d1 = eventHash(content(1, { details: { x: 1, y: 2 } }), 3, GENESIS_HASH);
    const d2 = eventHash(content(1, { details: { y: 2, x: 1 } }), 3, GENESIS_HASH);
    expect(d1).toBe(d2);
  });

  it('changes with every covered field', () => {
    const base = eventHash(content(1), 5, GENESIS_HASH);
    const variants = [
      eventHash(content(1), 6, GENESIS_HASH),
      eventHash(content(1), 5, '1'.repeat(64)),
      eventHash(content(1, { at: new Date(AT.getTime() + 1) }), 5, GENESIS_HASH),
      eventHash(content(1, { actorId: school }), 5, GENESIS_HASH),
      eventHash(content(1, { action: 'member.create' }), 5, GENESIS_HASH),
      eventHash(content(1, { entity: 'Unit' }), 5, GENESIS_HASH),
      eventHash(content(1, { entityId: school }), 5, GENESIS_HASH),
      eventHash(content(1, { unitId: null }), 5, GENESIS_HASH),
      eventHash(content(1, { details: { fields: ['email'] } }), 5, GENESIS_HASH),
    ];
    for (const v of variants) expect(v).not.toBe(base);
    expect(new Set(variants).size).toBe(variants.length);
  });

  it('hashes ObjectIds and their hex strings alike, so a value read back hashes as written', () => {
    const withIds = eventHash(content(1), 1, GENESIS_HASH);
    const withHex = eventHash(
      content(1, {
        actorId: actor.toHexString(),
        entityId: member.toHexString(),
        unitId: school.toHexString(),
      }),
      1,
      GENESIS_HASH,
    );
    expect(withHex).toBe(withIds);
  });
});

describe('chainAfter / chainAll', () => {
  it('starts at seq 1 with 64 zeros and links each event to the previous hash', () => {
    const events = chainAll([content(1), content(2), content(3)]);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(events[0].prevHash).toBe(GENESIS_HASH);
    expect(events[1].prevHash).toBe(events[0].hash);
    expect(events[2].prevHash).toBe(events[1].hash);
    const next = chainAfter(events[2], content(4));
    expect(next.seq).toBe(4);
    expect(next.prevHash).toBe(events[2].hash);
    expect(verifyChain([...events, next]).ok).toBe(true);
  });

  it('continues after a given head', () => {
    const first = chainAll([content(1), content(2)]);
    const rest = chainAll([content(3)], first[1]);
    expect(rest[0].seq).toBe(3);
    expect(verifyChain([...first, ...rest]).ok).toBe(true);
  });
});

describe('verifyChain', () => {
  it('accepts an intact chain and reports its head', () => {
    const events = chain(10);
    const v = verifyChain(events);
    expect(v).toMatchObject({ ok: true, count: 10, headSeq: 10, headHash: events[9].hash, problem: null });
  });

  it('accepts an empty chain', () => {
    expect(verifyChain([])).toMatchObject({ ok: true, count: 0, headSeq: 0, headHash: GENESIS_HASH });
  });

  it('names an event whose details were modified', () => {
    const events = chain(6);
    events[3] = {
      ...events[3],
      details: { fields: ['phone'], before: { phone: 'x' }, after: {}, version: 4 },
    };
    const v = verifyChain(events);
    expect(v.ok).toBe(false);
    expect(v.problem).toMatchObject({ kind: 'hash', seq: 4, id: String(events[3]._id) });
    expect(v.headSeq).toBe(3);
  });

  it('names an event whose actor, time or action changed', () => {
    for (const change of [{ actorId: school }, { at: new Date(0) }, { action: 'member.create' }]) {
      const events = chain(4);
      events[1] = { ...events[1], ...change };
      expect(verifyChain(events).problem).toMatchObject({ kind: 'hash', seq: 2 });
    }
  });

  it('names the event after a deleted one (seq gap)', () => {
    const events = chain(6);
    const after = events[3];
    events.splice(2, 1);
    const v = verifyChain(events);
    expect(v.problem).toMatchObject({ kind: 'seq_gap', seq: 4, id: String(after._id) });
    expect(v.problem?.message).toContain('seq 3 missing');
  });

  it('names the gap after several deleted events with the range', () => {
    const events = chain(8);
    events.splice(2, 3);
    expect(verifyChain(events).problem?.message).toContain('seq 3..5 missing');
  });

  it('names a deleted first event', () => {
    expect(verifyChain(chain(3).slice(1)).problem).toMatchObject({ kind: 'seq_gap', seq: 2 });
  });

  it('finds reordered events (seq numbers swapped between two documents)', () => {
    const events = chain(5);
    const [two, three] = [events[1], events[2]];
    // Streamed by seq, the document that was third now comes second.
    const swapped = [events[0], { ...three, seq: 2 }, { ...two, seq: 3 }, events[3], events[4]];
    const v = verifyChain(swapped);
    expect(v.problem).toMatchObject({ kind: 'prev_hash', seq: 2, id: String(three._id) });
  });

  it('finds events fed out of seq order', () => {
    const events = chain(4);
    const v = verifyChain([events[0], events[2], events[1], events[3]]);
    expect(v.problem).toMatchObject({ kind: 'seq_gap', seq: 3 });
    const dup = verifyChain([events[0], events[1], events[1]]);
    expect(dup.problem).toMatchObject({ kind: 'seq_order', seq: 2 });
  });

  it('names an event whose prevHash was rewritten (even with a recomputed own hash)', () => {
    const events = chain(5);
    const forged = { ...events[2], prevHash: 'f'.repeat(64) };
    forged.hash = eventHash(forged, forged.seq, forged.prevHash);
    events[2] = forged;
    expect(verifyChain(events).problem).toMatchObject({ kind: 'prev_hash', seq: 3 });
  });

  it('refuses a first event whose prevHash is not the genesis', () => {
    const [first] = chainAll([content(1)], { seq: 0, hash: 'a'.repeat(64) });
    expect(verifyChain([first]).problem?.message).toContain('64 zeros');
  });

  it('catches a rewritten event only at the next link when its own hash was recomputed', () => {
    const events = chain(5);
    const edited = { ...events[1], details: { fields: ['forged'] } };
    edited.hash = eventHash(edited, edited.seq, edited.prevHash);
    events[1] = edited;
    expect(verifyChain(events).problem).toMatchObject({ kind: 'prev_hash', seq: 3 });
  });

  it('reports malformed events (no seq, no hash)', () => {
    const events = chain(2);
    const v = verifyChain([events[0], { ...events[1], hash: undefined }]);
    expect(v.problem).toMatchObject({ kind: 'malformed', seq: 2 });
    expect(verifyChain([{ action: 'x' }]).problem).toMatchObject({ kind: 'malformed', seq: null });
  });

  it('gives the same verdict fed in chunks of any size, and stops at the first problem', () => {
    const events = chain(25);
    events[17] = { ...events[17], action: 'tampered' };
    for (const size of [1, 2, 7, 25, 100]) {
      const v = new ChainVerifier();
      let fed = 0;
      for (let i = 0; i < events.length; i += size) {
        fed++;
        if (!v.push(events.slice(i, i + size))) break;
      }
      expect(v.result().problem).toMatchObject({ kind: 'hash', seq: 18 });
      expect(v.result().count).toBe(18);
      expect(fed).toBe(Math.floor(17 / size) + 1);
    }
  });
});
