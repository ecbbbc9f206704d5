/**
 * Durable storage: an append-only journal of state-setting records plus a
 * periodic snapshot.
 *
 * Record framing (little endian):
 *   u32 payloadLength | u32 crc32(payload) | payload
 * Payload:
 *   u8 op | cstring db | cstring collection | BSON document (op-specific)
 * Ops (every one sets state, so replaying a record twice is harmless):
 *   PUT           the whole document (insert, update, upsert)
 *   PUT_MANY      several whole documents, back to back: the documents of an
 *                 insert journaled as their wire bytes, without a copy
 *   DEL           {_id}
 *   CREATE_COLL   {options}
 *   CREATE_INDEX  the index spec
 *   DROP_INDEX    {name}
 *   DROP_COLL     {}
 *   DROP_DB       {} (collection name empty)
 *   GROUP_BEGIN   {}: the records up to the next GROUP_END are one unit (a
 *                 transaction's commit, a retryable write, any command of
 *                 several records): replay applies them at GROUP_END, or drops
 *                 them if the group never ended (a crash in the middle). A
 *                 group's records are contiguous: they are appended in one
 *                 synchronous step (or, for a long insert, during one command).
 *   GROUP_END     {session?}: closes the group; `session` is the durable state
 *                 of the logical session whose write it was (sessions.ts)
 *   SESSION       {session}: that state on its own (snapshots)
 *   RENAME_COLL   {toDb, toColl}: the collection moves, documents and indexes
 *                 with it (a target dropped first is a DROP_COLL in the same group)
 *   SET_OPTIONS   {options}: the collection's options as collMod left them
 *
 * Files in the data directory:
 *   snapshot.bin      "EMSNAP01" | u32 generation | records (written atomically)
 *   journal-<gen>.log "EMJRNL01" | records appended after snapshot <gen> was taken
 * Recovery loads the snapshot and replays journals with generation >= its own,
 * stopping at the first record whose length or checksum is wrong (a crash in the
 * middle of a write): that tail is cut off.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { BSON, type Document } from 'bson';

export const enum Op {
  PUT = 1,
  DEL = 2,
  CREATE_COLL = 3,
  CREATE_INDEX = 4,
  DROP_INDEX = 5,
  DROP_COLL = 6,
  DROP_DB = 7,
  PUT_MANY = 8,
  GROUP_BEGIN = 9,
  GROUP_END = 10,
  SESSION = 11,
  RENAME_COLL = 12,
  SET_OPTIONS = 13,
}

export interface Rec {
  op: Op;
  db: string;
  coll: string;
  /** The BSON payload, raw (PUT keeps the document's own bytes). */
  body: Uint8Array;
}

const SNAP_MAGIC = Buffer.from('EMSNAP01');
const JRNL_MAGIC = Buffer.from('EMJRNL01');
const HEADER = 8 + 4;

// node:zlib crc32 exists since Node 20.15/22.2; fall back to a table version.
// `initial` continues a checksum: crc32(b, crc32(a)) is the checksum of a then b.
const crc32: (b: Uint8Array, initial?: number) => number =
  typeof (zlib as { crc32?: unknown }).crc32 === 'function'
    ? (b, initial = 0) => (zlib as unknown as { crc32(b: Uint8Array, v: number): number }).crc32(b, initial)
    : (() => {
        const t = new Uint32Array(256);
        for (let n = 0; n < 256; n++) {
          let c = n;
          for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
          t[n] = c >>> 0;
        }
        return (b: Uint8Array, initial = 0) => {
          let c = (initial ^ 0xffffffff) >>> 0;
          for (let i = 0; i < b.length; i++) c = t[(c ^ b[i]) & 0xff] ^ (c >>> 8);
          return (c ^ 0xffffffff) >>> 0;
        };
      })();

export function encode(op: Op, db: string, coll: string, body: Uint8Array | Document): Buffer {
  const bytes = body instanceof Uint8Array ? body : BSON.serialize(body);
  const dbB = Buffer.from(db, 'utf8');
  const cB = Buffer.from(coll, 'utf8');
  const payloadLen = 1 + dbB.length + 1 + cB.length + 1 + bytes.length;
  const buf = Buffer.allocUnsafe(8 + payloadLen);
  let o = 8;
  buf[o++] = op;
  dbB.copy(buf, o);
  o += dbB.length;
  buf[o++] = 0;
  cB.copy(buf, o);
  o += cB.length;
  buf[o++] = 0;
  buf.set(bytes, o);
  buf.writeUInt32LE(payloadLen, 0);
  buf.writeUInt32LE(crc32(buf.subarray(8)) >>> 0, 4);
  return buf;
}

/**
 * The part of a record's payload before its BSON: `u8 op | cstring db | cstring coll`.
 * With `recordHead`, makes a record around a body without copying it.
 */
export function recordPrefix(op: Op, db: string, coll: string): Buffer {
  const dbB = Buffer.from(db, 'utf8');
  const cB = Buffer.from(coll, 'utf8');
  const out = Buffer.alloc(1 + dbB.length + 1 + cB.length + 1);
  out[0] = op;
  dbB.copy(out, 1);
  cB.copy(out, 2 + dbB.length);
  return out;
}

/**
 * The head of a record whose payload is `prefix` (see `recordPrefix`) followed by
 * `body`: framing plus prefix. Written right before `body`, it makes the record
 * without copying the body (the documents of an insert, straight from the wire).
 */
export function recordHead(prefix: Buffer, body: Uint8Array): Buffer {
  const head = Buffer.allocUnsafe(8 + prefix.length);
  head.writeUInt32LE(prefix.length + body.length, 0);
  head.writeUInt32LE(crc32(body, crc32(prefix)) >>> 0, 4);
  prefix.copy(head, 8);
  return head;
}

/** Calls `onDoc` with each document of a PUT_MANY body; false if the body is not a sequence of documents. */
export function eachDocument(body: Uint8Array, onDoc: (bytes: Uint8Array) => void): boolean {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let o = 0;
  while (o < body.length) {
    if (o + 5 > body.length) return false;
    const size = view.getInt32(o, true);
    if (size < 5 || o + size > body.length) return false;
    onDoc(body.subarray(o, o + size));
    o += size;
  }
  return true;
}

/** Decodes records from `buf` starting at `offset`; returns where valid data ends. */
export function decodeAll(buf: Buffer, offset: number, onRecord: (r: Rec) => void): number {
  let o = offset;
  while (o + 8 <= buf.length) {
    const len = buf.readUInt32LE(o);
    const sum = buf.readUInt32LE(o + 4);
    if (len < 4 || o + 8 + len > buf.length) break;
    const payload = buf.subarray(o + 8, o + 8 + len);
    if (crc32(payload) >>> 0 !== sum) break;
    const op = payload[0] as Op;
    const dbEnd = payload.indexOf(0, 1);
    const cEnd = dbEnd < 0 ? -1 : payload.indexOf(0, dbEnd + 1);
    if (cEnd < 0) break;
    onRecord({
      op,
      db: payload.toString('utf8', 1, dbEnd),
      coll: payload.toString('utf8', dbEnd + 1, cEnd),
      body: payload.subarray(cEnd + 1),
    });
    o += 8 + len;
  }
  return o;
}

const journalName = (gen: number) => `journal-${gen}.log`;
/** Files up to this size are read whole; larger ones are streamed in 4 MiB reads. */
const WHOLE_FILE_MAX = 512 * 1024 * 1024;

async function fsyncDir(dir: string): Promise<void> {
  try {
    const fh = await fsp.open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Some platforms cannot fsync a directory; rename is still atomic.
  }
}

export interface Recovered {
  generation: number;
  snapshotBytes: number;
  journalBytes: number;
  journalRecords: number;
  truncatedBytes: number;
}

/**
 * Reads the records of a file (after its header): whole when it is up to
 * WHOLE_FILE_MAX, else in 4 MiB reads so recovery never holds a huge snapshot. Returns the header and the offset
 * where valid records end.
 */
function readRecordsFile(
  p: string,
  magic: Buffer,
  apply: (r: Rec) => void,
): { header: Buffer; ok: boolean; end: number; size: number } {
  const fd = fs.openSync(p, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const header = Buffer.alloc(Math.min(HEADER, size));
    fs.readSync(fd, header, 0, header.length, 0);
    if (size < HEADER || !header.subarray(0, 8).equals(magic)) return { header, ok: false, end: 0, size };
    if (size <= WHOLE_FILE_MAX) {
      // One read into one buffer: fastest, and a single large allocation goes back
      // to the OS when freed (many 4 MiB ones fragment the C heap and keep RSS up).
      const all = Buffer.allocUnsafe(size - HEADER);
      let got = 0;
      while (got < all.length) {
        const n = fs.readSync(fd, all, got, all.length - got, HEADER + got);
        if (n <= 0) break;
        got += n;
      }
      const used = decodeAll(all.subarray(0, got), 0, apply);
      return { header, ok: true, end: HEADER + used, size };
    }
    let buf = Buffer.alloc(0);
    let bufStart = HEADER; // file offset of buf[0]
    let filePos = HEADER;
    for (;;) {
      const used = decodeAll(buf, 0, apply);
      bufStart += used;
      buf = buf.subarray(used);
      if (buf.length >= 8) {
        const len = buf.readUInt32LE(0);
        if (8 + len <= buf.length) break; // complete record that failed its checks: corrupt
        if (bufStart + 8 + len > size) break; // claims more bytes than the file has: torn tail
      }
      if (filePos >= size) break;
      const need = buf.length >= 8 ? 8 + buf.readUInt32LE(0) - buf.length : 8;
      const chunk = Buffer.allocUnsafe(Math.min(Math.max(4 << 20, need), size - filePos));
      const n = fs.readSync(fd, chunk, 0, chunk.length, filePos);
      if (n <= 0) break;
      filePos += n;
      buf = buf.length ? Buffer.concat([buf, chunk.subarray(0, n)]) : chunk.subarray(0, n);
    }
    return { header, ok: true, end: bufStart, size };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads snapshot + journals, feeding every valid record to `apply`; `fileEnd` is
 * called after each file (a group still open there never ended: see GROUP_BEGIN).
 */
export async function recover(
  dir: string,
  apply: (r: Rec) => void,
  fileEnd: () => void = () => undefined,
): Promise<Recovered> {
  // Private to this account: the data is in clear (see auth/credentials.ts).
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  let generation = 0;
  let snapshotBytes = 0;
  const snapPath = path.join(dir, 'snapshot.bin');
  if (fs.existsSync(snapPath)) {
    const { header, ok, end, size } = readRecordsFile(snapPath, SNAP_MAGIC, apply);
    if (!ok) throw new Error(`embedded engine: ${snapPath} is not a snapshot file`);
    if (end !== size) throw new Error(`embedded engine: snapshot ${snapPath} is corrupt at byte ${end}`);
    fileEnd();
    generation = header.readUInt32LE(8);
    snapshotBytes = size;
  }
  const journals = (await fsp.readdir(dir))
    .map((f) => /^journal-(\d+)\.log$/.exec(f))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  let journalBytes = 0;
  let journalRecords = 0;
  let truncatedBytes = 0;
  for (const gen of journals) {
    const p = path.join(dir, journalName(gen));
    if (gen < generation) {
      await fsp.rm(p, { force: true });
      continue;
    }
    const { ok, end, size } = readRecordsFile(p, JRNL_MAGIC, (r) => {
      journalRecords++;
      apply(r);
    });
    fileEnd();
    if (!ok) {
      // Unreadable header (crash while creating the file): nothing in it was acknowledged.
      truncatedBytes += size;
      continue;
    }
    journalBytes += end - HEADER;
    truncatedBytes += size - end;
  }
  return {
    generation: Math.max(generation, ...journals, 0),
    snapshotBytes,
    journalBytes,
    journalRecords,
    truncatedBytes,
  };
}

/**
 * The writable journal. `append` resolves once the records are on disk;
 * concurrent appends share one write + fsync (group commit).
 */
export class Journal {
  private fd: number;
  private queue: Buffer[] = [];
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private flushing: Promise<void> | null = null;
  /** Bytes appended since the current generation started. */
  bytes = 0;
  private closed = false;

  private constructor(
    readonly dir: string,
    public generation: number,
  ) {
    this.fd = Journal.openGen(dir, generation);
  }

  /** Opens (creating with a header if needed) the journal of a generation. */
  private static openGen(dir: string, gen: number): number {
    const p = path.join(dir, journalName(gen));
    const fd = fs.openSync(p, 'a+', 0o600);
    const size = fs.fstatSync(fd).size;
    if (size === 0) {
      const h = Buffer.alloc(HEADER);
      JRNL_MAGIC.copy(h);
      h.writeUInt32LE(gen >>> 0, 8);
      fs.writeSync(fd, h);
      fs.fsyncSync(fd);
    }
    return fd;
  }

  static open(dir: string, generation: number): Journal {
    return new Journal(dir, generation);
  }

  /** Cuts a journal back to its last valid record (after a crash mid-write). */
  static truncateTail(dir: string, gen: number, validEnd: number): void {
    const p = path.join(dir, journalName(gen));
    if (fs.existsSync(p)) fs.truncateSync(p, validEnd);
  }

  append(records: Buffer[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('journal closed'));
    if (records.length === 0) return Promise.resolve();
    for (const r of records) {
      this.queue.push(r);
      this.bytes += r.length;
    }
    const p = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.flushing) this.flushing = this.flushLoop();
    return p;
  }

  private async flushLoop(): Promise<void> {
    // Whatever accumulates while one fsync runs goes out in the next one.
    while (this.queue.length) {
      const bufs = this.queue;
      const waiters = this.waiters;
      this.queue = [];
      this.waiters = [];
      try {
        const fd = this.fd;
        // Vectored writes: the buffers go out as they are (an insert's documents are
        // views of the wire message), at most IOV_MAX of them per call.
        for (let i = 0; i < bufs.length; i += WRITEV_MAX) await writeAll(fd, bufs.slice(i, i + WRITEV_MAX));
        await fdatasyncAsync(fd);
        for (const w of waiters) w.resolve();
      } catch (e) {
        for (const w of waiters) w.reject(e);
      }
    }
    this.flushing = null;
  }

  /** Waits for everything appended so far to be durable. */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /**
   * Starts a new generation and calls `capture` at the exact switch point: every
   * record appended before it is durable in the old journal, every later one
   * goes to the new journal. So a snapshot captured there plus the new journal
   * is exactly the state, with nothing replayed twice.
   */
  async rotate<T>(capture: () => T): Promise<{ generation: number; captured: T }> {
    while (this.flushing) await this.flushing;
    // Synchronous from here: no append can interleave.
    const next = this.generation + 1;
    const fd = Journal.openGen(this.dir, next);
    const old = this.fd;
    this.fd = fd;
    this.generation = next;
    this.bytes = 0;
    fs.closeSync(old);
    return { generation: next, captured: capture() };
  }

  async close(): Promise<void> {
    await this.drain();
    this.closed = true;
    fs.closeSync(this.fd);
  }
}

/** Buffers per writev call (Linux's IOV_MAX). */
const WRITEV_MAX = 1024;

/** Writes every byte of `bufs` at the end of `fd`, continuing after short writes. */
async function writeAll(fd: number, bufs: Buffer[]): Promise<void> {
  let rest = bufs;
  while (rest.length) {
    let n = await new Promise<number>((res, rej) =>
      fs.writev(fd, rest, null, (e, w) => (e ? rej(e) : res(w))),
    );
    let k = 0;
    while (k < rest.length && n >= rest[k].length) n -= rest[k++].length;
    rest = rest.slice(k);
    if (n > 0) rest[0] = rest[0].subarray(n);
  }
}
function fdatasyncAsync(fd: number): Promise<void> {
  return new Promise((res, rej) => fs.fdatasync(fd, (e) => (e ? rej(e) : res())));
}

/**
 * Writes `snapshot.bin` for `generation` atomically: tmp file, fsync, rename,
 * fsync of the directory; then removes journals older than `generation`.
 * `produce` yields records in chunks; we yield to the event loop between chunks
 * so a background compaction does not stall writers.
 */
export async function writeSnapshot(
  dir: string,
  generation: number,
  produce: () => Iterable<Buffer[]>,
): Promise<number> {
  const tmp = path.join(dir, 'snapshot.bin.tmp');
  const fh = await fsp.open(tmp, 'w', 0o600);
  let size = 0;
  try {
    const h = Buffer.alloc(HEADER);
    SNAP_MAGIC.copy(h);
    h.writeUInt32LE(generation >>> 0, 8);
    await fh.write(h);
    size += h.length;
    for (const chunk of produce()) {
      if (chunk.length === 0) continue;
      const b = Buffer.concat(chunk);
      await fh.write(b);
      size += b.length;
      await new Promise((r) => setImmediate(r));
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsp.rename(tmp, path.join(dir, 'snapshot.bin'));
  await fsyncDir(dir);
  for (const f of await fsp.readdir(dir)) {
    const m = /^journal-(\d+)\.log$/.exec(f);
    if (m && Number(m[1]) < generation) await fsp.rm(path.join(dir, f), { force: true });
  }
  return size;
}
