import { BSON, type Document } from 'bson';
import {
  HEADER_SIZE,
  MAX_BSON_OBJECT_SIZE,
  MAX_COMMAND_BODY_SIZE,
  OP_MSG,
  OP_MSG_CHECKSUM_PRESENT,
  OP_MSG_MORE_TO_COME,
  OP_MSG_KNOWN_REQUIRED_BITS,
} from './constants.ts';
import { RAW_DOCUMENTS } from '../contract.ts';
import { crc32c } from './crc32c.ts';
import { decodeDocument, documentSizeAt, readCString, validateDocument } from './bson-io.ts';
import { commandNumbers } from '../bson-numbers.ts';
import { ProtocolError } from './errors.ts';
import { allocHeader, readHeader } from './header.ts';
import { commandError, tooLarge, type WireRequest } from './request.ts';

const FLAGS_SIZE = 4;

/**
 * Decodes an OP_MSG frame. Malformed bytes throw ProtocolError (the caller
 * closes the connection); oversized documents yield a `rejection` instead,
 * because the message itself is intact and the client deserves an answer.
 * `rawInsertDocuments`/`validateRaw`: see the executor flags in ../contract.ts.
 */
export function parseOpMsg(frame: Buffer, rawInsertDocuments = false, validateRaw = true): WireRequest {
  const { messageLength, requestID, opCode } = readHeader(frame);
  if (opCode !== OP_MSG) throw new ProtocolError(`expected OP_MSG, got opcode ${opCode}`);
  if (messageLength < HEADER_SIZE + FLAGS_SIZE + 1) throw new ProtocolError('OP_MSG too short');
  const flags = frame.readUInt32LE(HEADER_SIZE);
  if ((flags & 0xffff & ~OP_MSG_KNOWN_REQUIRED_BITS) !== 0) {
    throw new ProtocolError(`OP_MSG has unknown required flag bits 0x${flags.toString(16)}`);
  }
  const moreToCome = (flags & OP_MSG_MORE_TO_COME) !== 0;
  let end = messageLength;
  if (flags & OP_MSG_CHECKSUM_PRESENT) {
    end -= 4;
    if (end < HEADER_SIZE + FLAGS_SIZE + 1) throw new ProtocolError('OP_MSG too short for its checksum');
    if (crc32c(frame, 0, end) !== frame.readUInt32LE(end))
      throw new ProtocolError('OP_MSG checksum mismatch');
  }

  let body: Document | undefined;
  let rejection: Document | undefined;
  const sequences: Array<[string, Document[]]> = [];
  let offset = HEADER_SIZE + FLAGS_SIZE;
  let lazyCount = 0;
  while (offset < end) {
    const kind = frame[offset++];
    if (kind === 0) {
      if (body) throw new ProtocolError('OP_MSG has more than one body section');
      const size = documentSizeAt(frame, offset, end);
      if (size > MAX_COMMAND_BODY_SIZE) {
        rejection ??= tooLarge('command body', size, MAX_COMMAND_BODY_SIZE);
        body = {};
      } else {
        body = commandNumbers(decodeDocument(frame, offset, size));
        // Only a body over 16 MiB can hold a document over 16 MiB, so the
        // sizes are computed in that rare case only.
        if (size > MAX_BSON_OBJECT_SIZE) rejection ??= oversizedDocument(body);
      }
      offset += size;
    } else if (kind === 1) {
      if (end - offset < 4) throw new ProtocolError('truncated document sequence');
      const sectionEnd = offset + frame.readInt32LE(offset);
      if (sectionEnd > end || sectionEnd < offset + 5)
        throw new ProtocolError('document sequence size out of range');
      const [identifier, docsStart] = readCString(frame, offset + 4, sectionEnd);
      const docs: Document[] = [];
      const raw: Buffer[] = [];
      for (let at = docsStart; at < sectionEnd;) {
        const size = documentSizeAt(frame, at, sectionEnd);
        if (size > MAX_BSON_OBJECT_SIZE)
          rejection ??= tooLarge(`document ${docs.length} of '${identifier}'`, size, MAX_BSON_OBJECT_SIZE);
        else if (!rejection) {
          // An executor that decodes inserted documents itself gets them validated
          // but not decoded (`undefined` + the bytes; see RAW_DOCUMENTS).
          // `validateRaw` false: the executor validates them itself (validatesRawDocuments).
          const lazy =
            rawInsertDocuments &&
            identifier === 'documents' &&
            (!validateRaw || validateDocument(frame, at, size));
          docs.push(lazy ? (undefined as unknown as Document) : decodeDocument(frame, at, size));
          raw.push(frame.subarray(at, at + size));
          if (lazy) lazyCount++;
        }
        at += size;
      }
      // The bytes of each document, so the executor need not serialize them again.
      Object.defineProperty(docs, RAW_DOCUMENTS, { value: raw, enumerable: false });
      sequences.push([identifier, docs]);
      offset = sectionEnd;
    } else {
      throw new ProtocolError(`unknown OP_MSG section kind ${kind}`);
    }
  }
  if (!body) throw new ProtocolError('OP_MSG has no body section');
  if (lazyCount > 0 && Object.keys(body)[0] !== 'insert') {
    // Only `insert` takes its documents undecoded.
    for (const [, docs] of sequences) {
      const raw = (docs as unknown as Record<symbol, Buffer[]>)[RAW_DOCUMENTS];
      for (let i = 0; i < docs.length; i++)
        if (docs[i] === undefined) docs[i] = decodeDocument(raw[i], 0, raw[i].length);
    }
  }

  for (const [identifier, docs] of sequences) {
    if (Object.prototype.hasOwnProperty.call(body, identifier)) {
      rejection ??= commandError(
        2,
        'BadValue',
        `duplicate field '${identifier}' in body and document sequence`,
      );
    }
    // defineProperty, because assigning to a client-chosen `__proto__` would replace the prototype.
    Object.defineProperty(body, identifier, {
      value: docs,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  const dbName = body.$db;
  if (!rejection && (typeof dbName !== 'string' || dbName === '')) {
    rejection = commandError(40571, 'Location40571', 'OP_MSG requests require a $db argument');
  }
  return { opCode, requestID, moreToCome, dbName: typeof dbName === 'string' ? dbName : '', body, rejection };
}

function oversizedDocument(body: Document): Document | undefined {
  const docs: unknown = body.documents;
  if (!Array.isArray(docs)) return undefined;
  for (let i = 0; i < docs.length; i++) {
    const size = BSON.calculateObjectSize(docs[i] as Document);
    if (size > MAX_BSON_OBJECT_SIZE)
      return tooLarge(`document ${i} of 'documents'`, size, MAX_BSON_OBJECT_SIZE);
  }
  return undefined;
}

/**
 * Builds an OP_MSG reply as two buffers (header+flags+kind, then the body) so
 * a multi-megabyte batch is written to the socket without another copy.
 */
export function encodeOpMsg(requestID: number, responseTo: number, reply: Document): [Buffer, Uint8Array] {
  const body = BSON.serialize(reply);
  const prefix = allocHeader(
    HEADER_SIZE + FLAGS_SIZE + 1 + body.length,
    requestID,
    responseTo,
    OP_MSG,
    FLAGS_SIZE + 1,
  );
  prefix.writeUInt32LE(0, HEADER_SIZE);
  prefix[HEADER_SIZE + FLAGS_SIZE] = 0;
  return [prefix, body];
}
