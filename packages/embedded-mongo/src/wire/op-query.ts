import { BSON, type Document } from 'bson';
import {
  HEADER_SIZE,
  MAX_COMMAND_BODY_SIZE,
  OP_QUERY,
  OP_REPLY,
  OP_REPLY_QUERY_FAILURE,
} from './constants.ts';
import { decodeDocument, documentSizeAt, readCString } from './bson-io.ts';
import { commandNumbers } from '../bson-numbers.ts';
import { ProtocolError } from './errors.ts';
import { allocHeader, readHeader } from './header.ts';
import { commandError, tooLarge, type WireRequest } from './request.ts';

/**
 * Decodes a legacy OP_QUERY. Drivers send exactly one: the first `isMaster`
 * on `admin.$cmd`. Old tools may send other commands on `<db>.$cmd`; those
 * run too. Queries on real collections were removed from MongoDB in 5.1 and
 * are refused with an error reply.
 */
export function parseOpQuery(frame: Buffer): WireRequest {
  const { messageLength, requestID, opCode } = readHeader(frame);
  if (opCode !== OP_QUERY) throw new ProtocolError(`expected OP_QUERY, got opcode ${opCode}`);
  let offset = HEADER_SIZE + 4; // flags: tailable, slaveOk… mean nothing for a command
  if (messageLength < offset + 1) throw new ProtocolError('OP_QUERY too short');
  const [namespace, afterName] = readCString(frame, offset, messageLength);
  offset = afterName + 8; // numberToSkip, numberToReturn
  const size = documentSizeAt(frame, offset, messageLength);
  if (size > MAX_COMMAND_BODY_SIZE) {
    return {
      opCode,
      requestID,
      moreToCome: false,
      dbName: '',
      body: {},
      rejection: tooLarge('query', size, MAX_COMMAND_BODY_SIZE),
    };
  }
  const query = commandNumbers(decodeDocument(frame, offset, size));
  offset += size;
  // An optional field selector may follow; commands ignore it, but it must still be well-formed.
  if (offset < messageLength) {
    const selectorSize = documentSizeAt(frame, offset, messageLength);
    decodeDocument(frame, offset, selectorSize);
    offset += selectorSize;
  }
  if (offset !== messageLength) throw new ProtocolError('trailing bytes after OP_QUERY');

  const dot = namespace.indexOf('.');
  const dbName = dot > 0 ? namespace.slice(0, dot) : '';
  // Legacy drivers wrap the command as { $query: {...}, $readPreference: ... }.
  const wrapped = query.$query;
  const body: Document =
    wrapped !== null && typeof wrapped === 'object' && !Array.isArray(wrapped) ? wrapped : query;
  if (!dbName || namespace.slice(dot + 1) !== '$cmd') {
    const error = commandError(
      352,
      'UnsupportedOpQueryCommand',
      `OP_QUERY is only supported for commands on <db>.$cmd, not '${namespace}'`,
    );
    return {
      opCode,
      requestID,
      moreToCome: false,
      dbName,
      body,
      rejection: { $err: error.errmsg, ...error },
    };
  }
  return { opCode, requestID, moreToCome: false, dbName, body };
}

/** Builds an OP_REPLY carrying one document, as two buffers (see encodeOpMsg). */
export function encodeOpQueryReply(
  requestID: number,
  responseTo: number,
  reply: Document,
): [Buffer, Uint8Array] {
  const body = BSON.serialize(reply);
  const extra = 4 + 8 + 4 + 4;
  const prefix = allocHeader(HEADER_SIZE + extra + body.length, requestID, responseTo, OP_REPLY, extra);
  // A legacy client learns of a failed query from this flag plus `$err`.
  prefix.writeInt32LE(typeof reply.$err === 'string' ? OP_REPLY_QUERY_FAILURE : 0, HEADER_SIZE);
  prefix.writeBigInt64LE(0n, HEADER_SIZE + 4); // cursorID: a command reply never has one
  prefix.writeInt32LE(0, HEADER_SIZE + 12); // startingFrom
  prefix.writeInt32LE(1, HEADER_SIZE + 16); // numberReturned
  return [prefix, body];
}
