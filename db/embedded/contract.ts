/**
 * The seam between the wire server (framing, handshake, connections) and the
 * engine (commands, storage, indexes, cursors, persistence). The wire server
 * turns each OP_QUERY/OP_MSG into one call of `run`, with document sequences
 * already merged into the body; the engine never sees bytes or sockets.
 */
import type { Document } from 'bson';

export interface CommandContext {
  /** Id of the TCP connection, unique for the life of the server. */
  connectionId: number;
}

export interface CommandExecutor {
  /**
   * Runs one command against database `dbName` (the body's `$db`).
   * The command name is the body's first key. Resolves to the reply body:
   * `{ ok: 1, ... }` or `{ ok: 0, errmsg, code, codeName }`. Never rejects for
   * anything a client can send: client errors become `ok: 0` replies.
   * A write resolves only once it is durable (journaled and fsynced when the
   * engine has a data directory).
   */
  run(dbName: string, command: Document, ctx: CommandContext): Promise<Document>;
  /** Called when a connection closes, so its cursors can be released. */
  connectionClosed?(connectionId: number): void;
  /** Flushes and closes storage; later `run` calls reply with an error. */
  close(): Promise<void>;
}
