/**
 * The backup file format, version 1.
 *
 *   "DVUTBK\r\n"                    magic (8 bytes; the CR LF shows a text-mode copy that mangled it)
 *   frame*                          kind (1 byte, ASCII) + one BSON document (its own int32 length)
 *     H  header       { format: 'dvut-backup', version: 1, createdAt, source }
 *     C  collection   { db, name, type, options, indexes }   (listCollections / listIndexes as the server answered)
 *     D  document     the document's BSON bytes exactly as the server sent them (types kept)
 *     E  end          { documents }                          (how many D frames the collection had)
 *     T  trailer      { collections, documents, sha256 }     (sha256 of every byte before this frame)
 *
 * A file that stops before its trailer is truncated; one whose bytes do not hash to the
 * trailer's sha256, or with anything after the trailer, is damaged. Both are refused
 * before anything is restored (see reader.ts).
 */
export const MAGIC = Buffer.from('DVUTBK\r\n', 'latin1');
export const FORMAT = 'dvut-backup';
export const VERSION = 1;

export const FRAME = {
  header: 0x48, // H
  collection: 0x43, // C
  document: 0x44, // D
  end: 0x45, // E
  trailer: 0x54, // T
} as const;

/** Largest BSON document a frame may hold: MongoDB's 16 MiB plus room for a collection's index list. */
export const MAX_FRAME_BYTES = 17 * 1024 * 1024;

export interface BackupHeader {
  format: typeof FORMAT;
  version: number;
  createdAt: Date;
  /** 'embedded' (a data directory, through its server or opened directly) or 'uri'. */
  source: { kind: 'embedded' | 'uri'; dataDir?: string; host?: string };
}

export interface CollectionEntry {
  db: string;
  name: string;
  /** 'collection' or 'view' (a view has no documents; its definition is in options). */
  type: string;
  options: Record<string, unknown>;
  /** listIndexes specs, `_id_` included. */
  indexes: Record<string, unknown>[];
}

export interface Trailer {
  collections: number;
  documents: number;
  sha256: string;
}

/** A damaged, truncated or foreign file. Nothing has been written when it is thrown. */
export class BackupFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupFormatError';
  }
}
