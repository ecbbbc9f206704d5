import { HEADER_SIZE } from './constants.ts';

export interface MessageHeader {
  messageLength: number;
  requestID: number;
  responseTo: number;
  opCode: number;
}

export function readHeader(frame: Buffer): MessageHeader {
  return {
    messageLength: frame.readInt32LE(0),
    requestID: frame.readInt32LE(4),
    responseTo: frame.readInt32LE(8),
    opCode: frame.readInt32LE(12),
  };
}

/** Allocates `HEADER_SIZE + extra` bytes with the header filled in, the rest for the caller. */
export function allocHeader(
  messageLength: number,
  requestID: number,
  responseTo: number,
  opCode: number,
  extra: number,
): Buffer {
  const buffer = Buffer.allocUnsafe(HEADER_SIZE + extra);
  buffer.writeInt32LE(messageLength, 0);
  buffer.writeInt32LE(requestID, 4);
  buffer.writeInt32LE(responseTo, 8);
  buffer.writeInt32LE(opCode, 12);
  return buffer;
}
