/**
 * A client sent bytes we cannot make sense of. The connection that sent them
 * is closed; nothing else is affected.
 */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}
