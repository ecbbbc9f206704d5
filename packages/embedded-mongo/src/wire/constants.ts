/** Opcodes and limits of the MongoDB wire protocol that the embedded server speaks. */

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_MSG = 2013;

export const HEADER_SIZE = 16;

/** Advertised in the handshake; the driver sizes its batches from these. */
export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;
export const MAX_MESSAGE_SIZE_BYTES = 48_000_000;
export const MAX_WRITE_BATCH_SIZE = 100_000;

/**
 * A command body may exceed a document's limit by this much, as in mongod
 * (BSONObjMaxInternalSize): a full-size document still fits inside an
 * `insert` body together with the command fields.
 */
export const MAX_COMMAND_BODY_SIZE = MAX_BSON_OBJECT_SIZE + 16 * 1024;

export const OP_MSG_CHECKSUM_PRESENT = 1 << 0;
export const OP_MSG_MORE_TO_COME = 1 << 1;
export const OP_MSG_EXHAUST_ALLOWED = 1 << 16;
/** Bits 0-15 are "required": a receiver must reject unknown ones. */
export const OP_MSG_KNOWN_REQUIRED_BITS = OP_MSG_CHECKSUM_PRESENT | OP_MSG_MORE_TO_COME;

export const OP_REPLY_QUERY_FAILURE = 1 << 1;
