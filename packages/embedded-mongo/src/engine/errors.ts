/**
 * MongoDB error codes and the mapping of everything that can go wrong inside the
 * engine (our own checks, mingo's plain `Error`s) to MongoDB's `{ok: 0, code,
 * codeName, errmsg}` reply shape. The driver and mongoose branch on `code`, so
 * the codes must be the ones a real mongod 7.0 sends.
 */
import type { Document } from 'bson';

export const CODE_NAMES: Record<number, string> = {
  1: 'InternalError',
  2: 'BadValue',
  9: 'FailedToParse',
  14: 'TypeMismatch',
  20: 'IllegalOperation',
  26: 'NamespaceNotFound',
  27: 'IndexNotFound',
  40: 'ConflictingUpdateOperators',
  43: 'CursorNotFound',
  48: 'NamespaceExists',
  52: 'DollarPrefixedFieldName',
  56: 'EmptyFieldName',
  59: 'CommandNotFound',
  66: 'ImmutableField',
  67: 'CannotCreateIndex',
  72: 'InvalidOptions',
  73: 'InvalidNamespace',
  85: 'IndexOptionsConflict',
  86: 'IndexKeySpecsConflict',
  115: 'CommandNotSupported',
  168: 'InvalidPipelineOperator',
  15952: 'Location15952',
  40415: 'Location40415',
  11000: 'DuplicateKey',
  10334: 'BSONObjectTooLarge',
  11600: 'InterruptedAtShutdown',
  11601: 'Interrupted',
  13: 'Unauthorized',
  50: 'MaxTimeMSExpired',
  112: 'WriteConflict',
  125: 'CommandFailed',
  225: 'TransactionTooOld',
  251: 'NoSuchTransaction',
  256: 'TransactionCommitted',
  263: 'OperationNotSupportedInTransaction',
  40324: 'Location40324',
  13113: 'MergeStageNoMatchingDocument',
};

export class MongoError extends Error {
  constructor(
    readonly code: number,
    message: string,
    /** Extra reply fields (e.g. keyPattern/keyValue for 11000). */
    readonly extra: Document = {},
  ) {
    super(message);
  }
  get codeName(): string {
    return CODE_NAMES[this.code] ?? `Location${this.code}`;
  }
}

export const err = (code: number, message: string, extra?: Document) => new MongoError(code, message, extra);

/**
 * mingo throws plain `Error`s with English messages; map the ones clients can
 * provoke to the code MongoDB uses for the same mistake.
 */
export function toMongoError(e: unknown): MongoError {
  if (e instanceof MongoError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  let m: RegExpMatchArray | null;
  if ((m = msg.match(/unknown query operator (\$\w+)/i))) return err(2, `unknown operator: ${m[1]}`);
  if ((m = msg.match(/unknown top level operator:? '?(\$\w+)'?/i)))
    return err(
      2,
      `unknown top level operator: ${m[1]}. If you have a field name that starts with a '$' symbol, consider using $getField or $setField.`,
    );
  if ((m = msg.match(/Unknown update operator: '?(\$\w+)'?/i)))
    return err(
      9,
      `Unknown modifier: ${m[1]}. Expected a valid update modifier or pipeline-style update specified as an array`,
    );
  if ((m = msg.match(/updating the path '([^']*)' would create a conflict at '([^']*)'/i)))
    return err(40, `Updating the path '${m[1]}' would create a conflict at '${m[2]}'`);
  if (/immutable field '_id'/i.test(msg))
    return err(66, `Performing an update on the path '_id' would modify the immutable field '_id'`);
  if ((m = msg.match(/unregistered pipeline operator '?(\$\w+)'?/i)))
    return err(40324, `Unrecognized pipeline stage name: '${m[1]}'`);
  // mingo looks an unknown expression operator up as an accumulator last, and says so.
  if ((m = msg.match(/accumulator '(\$\w+)' is not registered/i)))
    return err(168, `Unrecognized expression '${m[1]}'`);
  if (
    (m = msg.match(/(?:unknown|invalid) pipeline operator:? '?(\$\w+)'?/i)) ||
    (m = msg.match(/pipeline operator '?(\$\w+)'? is not/i))
  )
    return err(40324, `Unrecognized pipeline stage name: '${m[1]}'`);
  if ((m = msg.match(/(?:unknown|invalid|unsupported) (?:expression )?operator:? '?(\$\w+)'?/i)))
    return err(168, `Unrecognized expression '${m[1]}'`);
  if (/non-numeric argument/i.test(msg)) return err(14, msg);
  if (/positional operator|for '\.\$' as part of the query/i.test(msg))
    return err(2, 'The positional operator did not find the match needed from the query.');
  return err(2, msg);
}

export function errorReply(e: unknown): Document {
  const me = toMongoError(e);
  return { ok: 0, errmsg: me.message, code: me.code, codeName: me.codeName, ...me.extra };
}
