/**
 * The seam between the wire server (framing, handshake, connections) and the
 * engine (commands, storage, indexes, cursors, persistence). The wire server
 * turns each OP_QUERY/OP_MSG into one call of `run`, with document sequences
 * already merged into the body; the engine never sees bytes or sockets.
 */
import type { Document } from 'bson';

/**
 * Optional fast path across the seam: on an array merged from an OP_MSG kind-1
 * document sequence, the wire server sets this (non-enumerable) property to the
 * exact BSON bytes of each element, same order. They are views into the request
 * message, valid while `run` executes. An executor may use them instead of
 * serializing documents again (the journal) or decode them its own way; one that
 * ignores them loses nothing.
 */
/** The replica set the engine answers as (one member, always primary); its URIs name it. */
export const REPLICA_SET_NAME = 'rs0';

export const RAW_DOCUMENTS: unique symbol = Symbol.for('embedded-mongo.rawDocuments');

/** Reads the raw bytes the wire attached to a document array (see RAW_DOCUMENTS). */
export function rawDocuments(value: unknown): Uint8Array[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const raw = (value as unknown as Record<symbol, unknown>)[RAW_DOCUMENTS];
  return Array.isArray(raw) && raw.length === value.length ? (raw as Uint8Array[]) : undefined;
}

const MALFORMED_BRAND = Symbol.for('embedded-mongo.malformedBson');

/**
 * Rejection of `run` meaning "these bytes are not valid BSON": the wire server then
 * closes the connection, as it does for any malformed message. Only an executor
 * that sets `validatesRawDocuments` may use it, for the RAW_DOCUMENTS it decodes.
 */
export class MalformedBsonError extends Error {
  readonly [MALFORMED_BRAND] = true;
  constructor(message: string) {
    super(`invalid BSON: ${message}`);
    this.name = 'MalformedBsonError';
  }
}

export function isMalformedBson(error: unknown): error is MalformedBsonError {
  return typeof error === 'object' && error !== null && MALFORMED_BRAND in error;
}

export interface CommandContext {
  /** Id of the TCP connection, unique for the life of the server. */
  connectionId: number;
  /**
   * The caller serializes the reply and keeps nothing of it (the wire server), so the
   * reply may reference the executor's own immutable documents instead of copies.
   */
  serializesReply?: boolean;
}

/** What the wire server counts, for serverStatus's `connections` and `network` sections. */
export interface WireStats {
  connections: { current: number; available: number; totalCreated: number };
  network: { bytesIn: number; bytesOut: number; numRequests: number };
}

export interface CommandExecutor {
  /**
   * Runs one command against database `dbName` (the body's `$db`).
   * The command name is the body's first key. Resolves to the reply body:
   * `{ ok: 1, ... }` or `{ ok: 0, errmsg, code, codeName }`. Never rejects for
   * anything a client can send: client errors become `ok: 0` replies (the one
   * exception: MalformedBsonError, see `validatesRawDocuments`).
   * A write resolves only once it is durable (journaled and fsynced when the
   * engine has a data directory).
   */
  run(dbName: string, command: Document, ctx: CommandContext): Promise<Document>;
  /**
   * When true, the wire server does not decode the documents of an `insert`'s
   * `documents` sequence that it could validate without decoding: they arrive as
   * `undefined`, and the executor decodes their RAW_DOCUMENTS bytes itself
   * (already checked: structure, sizes, UTF-8). Documents holding rarer BSON types
   * still arrive decoded.
   */
  readonly rawInsertDocuments?: boolean;
  /**
   * With `rawInsertDocuments`: the wire server does not validate those documents
   * either (structure, sizes, booleans, UTF-8: one pass over the bytes instead of
   * two). The executor must check them with the same outcome before it changes
   * anything, and reject `run` with a MalformedBsonError if any is invalid.
   */
  readonly validatesRawDocuments?: boolean;
  /**
   * The executor answers the handshake itself (`hello` / `isMaster`), e.g. as a
   * replica-set member; without this the wire server answers as a standalone.
   */
  hello?(body: Document, connectionId: number): Document;
  /** Told the address clients reach the server at (`127.0.0.1:27017`) once it listens. */
  listening?(address: string): void;
  /** Given, once it listens, a reader of the wire server's connection and traffic counts (serverStatus). */
  wireStats?(read: () => WireStats): void;
  /** The replica set the executor answers as, if any: the server's URI names it. */
  readonly replicaSetName?: string;
  /** Called when a connection closes, so its cursors can be released. */
  connectionClosed?(connectionId: number): void;
  /** Flushes and closes storage; later `run` calls reply with an error. */
  close(): Promise<void>;
}
