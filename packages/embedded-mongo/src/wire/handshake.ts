import type { Document } from 'bson';
import { MAX_BSON_OBJECT_SIZE, MAX_MESSAGE_SIZE_BYTES, MAX_WRITE_BATCH_SIZE } from './constants.ts';

const HANDSHAKE_COMMANDS = new Set(['hello', 'ismaster', 'isMaster']);

export function isHandshake(body: Document): boolean {
  for (const key in body) return HANDSHAKE_COMMANDS.has(key);
  return false;
}

/**
 * The reply of a standalone server, for executors that do not answer the handshake
 * themselves (the engine answers as a replica-set primary). Deliberately absent:
 * - `topologyVersion`: it makes the driver switch to streaming (exhaust) hello;
 * - `compression`: then the driver never sends OP_COMPRESSED;
 * - `setName`/`msg`: we are neither a replica set member nor a mongos.
 * Wire version 21 is MongoDB 7.0; higher ones turn on features we do not serve.
 */
export function handshakeReply(body: Document, connectionId: number): Document {
  const legacy = !('hello' in body);
  return {
    helloOk: true,
    ...(legacy ? { ismaster: true } : { isWritablePrimary: true }),
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    maxMessageSizeBytes: MAX_MESSAGE_SIZE_BYTES,
    maxWriteBatchSize: MAX_WRITE_BATCH_SIZE,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId,
    minWireVersion: 0,
    maxWireVersion: 21,
    readOnly: false,
    ok: 1,
  };
}
