/**
 * Writes a backup file (format.ts) to `FILE.tmp`, then fsyncs and renames it to
 * `FILE`: a crash or an error leaves no half file under the name an operator would
 * restore from.
 */
import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { BSON } from 'mongodb';
import { type BackupHeader, type CollectionEntry, FRAME, MAGIC } from './format.ts';

/** Buffered writes: one syscall per ~1 MiB rather than per document. */
const FLUSH_BYTES = 1 << 20;

export class BackupWriter {
  private readonly hash = createHash('sha256');
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private collections = 0;
  private documents = 0;
  private inCollection = 0;
  private open = true;

  private constructor(
    private readonly file: string,
    private readonly tmp: string,
    private readonly fh: fsp.FileHandle,
  ) {}

  static async create(file: string, header: BackupHeader): Promise<BackupWriter> {
    const tmp = `${file}.tmp`;
    const fh = await fsp.open(tmp, 'w', 0o600);
    const writer = new BackupWriter(file, tmp, fh);
    writer.raw(MAGIC);
    writer.frame(FRAME.header, BSON.serialize(header));
    return writer;
  }

  beginCollection(entry: CollectionEntry): Promise<void> {
    this.collections++;
    this.inCollection = 0;
    this.frame(FRAME.collection, BSON.serialize(entry));
    return this.maybeFlush();
  }

  /** `bson`: the document's bytes as the server sent them. */
  document(bson: Uint8Array): Promise<void> {
    this.documents++;
    this.inCollection++;
    this.frame(FRAME.document, bson);
    return this.maybeFlush();
  }

  endCollection(): Promise<void> {
    this.frame(FRAME.end, BSON.serialize({ documents: this.inCollection }));
    return this.maybeFlush();
  }

  /** Writes the trailer, makes the file durable and gives it its name. Returns the totals. */
  async finish(): Promise<{ collections: number; documents: number; bytes: number; sha256: string }> {
    const sha256 = this.hash.digest('hex');
    const trailer = { collections: this.collections, documents: this.documents, sha256 };
    // The trailer is not part of what it hashes.
    this.pending.push(Buffer.of(FRAME.trailer), Buffer.from(BSON.serialize(trailer)));
    await this.flush();
    await this.fh.sync();
    const { size } = await this.fh.stat();
    await this.fh.close();
    this.open = false;
    await fsp.rename(this.tmp, this.file);
    // The rename itself is durable once the directory is synced.
    const dir = await fsp.open(path.dirname(this.file), 'r');
    await dir.sync().finally(() => dir.close());
    return { ...trailer, bytes: size };
  }

  /** Gives up: the temporary file is removed, FILE is left as it was. */
  async abort(): Promise<void> {
    if (this.open) await this.fh.close().catch(() => undefined);
    this.open = false;
    await fsp.rm(this.tmp, { force: true });
  }

  private frame(kind: number, bson: Uint8Array): void {
    this.raw(Buffer.of(kind));
    this.raw(bson);
  }

  private raw(bytes: Uint8Array): void {
    this.hash.update(bytes);
    this.pending.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    this.pendingBytes += bytes.byteLength;
  }

  private maybeFlush(): Promise<void> {
    return this.pendingBytes >= FLUSH_BYTES ? this.flush() : Promise.resolve();
  }

  private async flush(): Promise<void> {
    const chunks = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    if (chunks.length) await this.fh.write(Buffer.concat(chunks));
  }
}
