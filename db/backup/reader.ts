/**
 * Reads a backup file (format.ts) frame by frame, streaming, and checks it as it goes:
 * the magic, the header's format and version, the order of frames, each collection's
 * document count, and at the end the sha256 over everything before the trailer.
 * `verifyBackup` reads the whole file once; restore runs it before writing anything.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { BSON } from 'mongodb';
import {
  type BackupHeader,
  BackupFormatError,
  type CollectionEntry,
  FORMAT,
  FRAME,
  MAGIC,
  MAX_FRAME_BYTES,
  type Trailer,
  VERSION,
} from './format.ts';

export type Frame =
  | { kind: 'header'; header: BackupHeader }
  | { kind: 'collection'; entry: CollectionEntry }
  | { kind: 'document'; bson: Buffer }
  | { kind: 'end'; documents: number }
  | { kind: 'trailer'; trailer: Trailer };

const KINDS = new Map<number, Frame['kind']>(
  Object.entries(FRAME).map(([name, byte]) => [byte, name as Frame['kind']]),
);

function parse(bytes: Buffer, at: number): Record<string, unknown> {
  try {
    return BSON.deserialize(bytes);
  } catch (error) {
    throw new BackupFormatError(`damaged: unreadable record at byte ${at} (${(error as Error).message})`);
  }
}

/** Raw frames: kind byte + BSON bytes, with each frame's offset. Hashes every byte before the trailer. */
async function* rawFrames(
  file: string,
  hash: ReturnType<typeof createHash>,
): AsyncGenerator<{ kind: number; bytes: Buffer; at: number }> {
  let buffer: Buffer = Buffer.alloc(0);
  let offset = 0; // file offset of buffer[0]
  let magicSeen = false;
  let hashing = true;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
    buffer = buffer.length ? Buffer.concat([buffer, chunk as Buffer]) : (chunk as Buffer);
    if (!magicSeen) {
      if (buffer.length < MAGIC.length) continue;
      if (!buffer.subarray(0, MAGIC.length).equals(MAGIC))
        throw new BackupFormatError('not a backup file made by db:backup (unknown magic bytes)');
      hash.update(buffer.subarray(0, MAGIC.length));
      buffer = buffer.subarray(MAGIC.length);
      offset += MAGIC.length;
      magicSeen = true;
    }
    let pos = 0;
    while (buffer.length - pos >= 5) {
      const kind = buffer[pos];
      const size = buffer.readInt32LE(pos + 1);
      if (!KINDS.has(kind) || size < 5 || size > MAX_FRAME_BYTES)
        throw new BackupFormatError(`damaged: invalid record at byte ${offset + pos}`);
      if (buffer.length - pos < 1 + size) break;
      const frame = buffer.subarray(pos, pos + 1 + size);
      if (frame[size] !== 0) throw new BackupFormatError(`damaged: invalid record at byte ${offset + pos}`);
      // The trailer holds the hash of what precedes it: neither it nor anything after it is hashed.
      if (kind === FRAME.trailer) hashing = false;
      if (hashing) hash.update(frame);
      yield { kind, bytes: frame.subarray(1), at: offset + pos };
      pos += 1 + size;
    }
    buffer = buffer.subarray(pos);
    offset += pos;
  }
  if (!magicSeen) throw new BackupFormatError('not a backup file made by db:backup (too short)');
  if (buffer.length)
    throw new BackupFormatError(`truncated: the file ends inside a record at byte ${offset}`);
}

/**
 * Every frame of the file, checked. The last one yielded is the trailer, and only
 * after the checksum matched; a consumer that must not act on a damaged file reads
 * it through once first (verifyBackup).
 */
export async function* readBackup(file: string): AsyncGenerator<Frame> {
  const hash = createHash('sha256');
  let state: 'start' | 'between' | 'collection' | 'done' = 'start';
  let inCollection = 0;
  let collections = 0;
  let documents = 0;
  for await (const { kind, bytes, at } of rawFrames(file, hash)) {
    if (state === 'done')
      throw new BackupFormatError(`damaged: data after the end of the backup at byte ${at}`);
    if (state === 'start') {
      if (kind !== FRAME.header)
        throw new BackupFormatError('damaged: the file does not start with a header');
      const header = parse(bytes, at) as unknown as BackupHeader;
      if (header.format !== FORMAT) throw new BackupFormatError('not a backup file made by db:backup');
      if (header.version !== VERSION)
        throw new BackupFormatError(
          `backup format version ${String(header.version)} is not supported (this tool reads version ${VERSION})`,
        );
      state = 'between';
      yield { kind: 'header', header };
    } else if (kind === FRAME.collection && state === 'between') {
      state = 'collection';
      inCollection = 0;
      collections++;
      yield { kind: 'collection', entry: parse(bytes, at) as unknown as CollectionEntry };
    } else if (kind === FRAME.document && state === 'collection') {
      inCollection++;
      documents++;
      yield { kind: 'document', bson: bytes };
    } else if (kind === FRAME.end && state === 'collection') {
      const { documents: expected } = parse(bytes, at) as { documents: number };
      if (expected !== inCollection)
        throw new BackupFormatError(
          `damaged: a collection lists ${expected} documents but has ${inCollection}`,
        );
      state = 'between';
      yield { kind: 'end', documents: inCollection };
    } else if (kind === FRAME.trailer && state === 'between') {
      const trailer = parse(bytes, at) as unknown as Trailer;
      if (trailer.sha256 !== hash.digest('hex'))
        throw new BackupFormatError('damaged: the checksum (sha256) does not match the content');
      if (trailer.collections !== collections || trailer.documents !== documents)
        throw new BackupFormatError('damaged: the totals in the trailer do not match the content');
      state = 'done';
      yield { kind: 'trailer', trailer };
    } else throw new BackupFormatError(`damaged: unexpected record at byte ${at}`);
  }
  if (state !== 'done') throw new BackupFormatError('truncated: the file ends before the end of the backup');
}

/** Reads the whole file; throws BackupFormatError unless it is intact. */
export async function verifyBackup(file: string): Promise<{ header: BackupHeader; trailer: Trailer }> {
  let header: BackupHeader | undefined;
  let trailer: Trailer | undefined;
  for await (const frame of readBackup(file)) {
    if (frame.kind === 'header') header = frame.header;
    else if (frame.kind === 'trailer') trailer = frame.trailer;
  }
  return { header: header!, trailer: trailer! };
}
