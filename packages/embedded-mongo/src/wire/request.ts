import type { Document } from 'bson';

/** One client request, decoded and ready for the handshake or the executor. */
export interface WireRequest {
  opCode: number;
  requestID: number;
  /** OP_MSG `moreToCome`: the client expects no reply. */
  moreToCome: boolean;
  dbName: string;
  /** The command, with OP_MSG document sequences merged in by identifier. */
  body: Document;
  /**
   * Set when the request is well-formed but must not run (a document over
   * 16 MiB, a missing `$db`…): this error is the reply.
   */
  rejection?: Document;
}

export function commandError(code: number, codeName: string, errmsg: string): Document {
  return { ok: 0, errmsg, code, codeName };
}

export function tooLarge(what: string, size: number, limit: number): Document {
  return commandError(10334, 'BSONObjectTooLarge', `${what} is ${size} bytes, over the ${limit} byte limit`);
}
