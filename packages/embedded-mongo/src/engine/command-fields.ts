/**
 * The fields each command accepts, as mongod 7.0 parses them (its IDL): a field
 * it does not know is `40415` "BSON field 'update.updates.sort' is an unknown
 * field." before anything runs, and a field it knows but this server does not
 * implement is refused (`115`), never ignored. A client that sends an option
 * only a newer server knows (mongoose's `updateOne().sort()`, MongoDB 8.0) must
 * fail here as it fails on 7.0, not quietly do something else.
 *
 * The same tables render the README's list (scripts/docs.ts), so the two agree.
 */
import type { Document } from 'bson';
import { err } from './errors.ts';

/** Why a known field is refused, and the values that mean "not used" (accepted). */
export interface Refusal {
  reason: string;
  /** A value that asks for nothing (e.g. `tailable: false`) is accepted. */
  inert?: (v: unknown) => boolean;
}

export interface FieldTable {
  /** Fields that are implemented (or mean nothing on a one-member replica set), with a note for the README. */
  supported: Record<string, string>;
  /** Fields mongod 7.0 knows that this server refuses. */
  refused?: Record<string, Refusal>;
  /** Arrays of sub-documents parsed field by field too (`update.updates`). */
  nested?: Record<string, FieldTable>;
}

/** Fields mongod 7.0 accepts on every command (its generic arguments) that a client sends. */
export const GENERIC_FIELDS: Record<string, string> = {
  $db: '',
  lsid: 'sessions',
  txnNumber: 'retryable writes and transactions',
  autocommit: 'transactions',
  startTransaction: 'transactions',
  readConcern: 'local, majority, snapshot; one member: all read the same data',
  writeConcern: 'one member: every acknowledged write is journaled',
  $clusterTime: 'gossiped back',
  $readPreference: 'one member answers every read',
  apiVersion: '',
  apiStrict: '',
  apiDeprecationErrors: '',
  comment: 'no profiler or log to show it in',
  maxTimeMS: 'bounds a write waiting for a transaction; reads run to completion',
};

const isFalse = (v: unknown) => v === false || v === undefined || v === null;
const isEmptyDoc = (v: unknown) =>
  v === undefined ||
  v === null ||
  (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);
const refused = (reason: string, inert?: (v: unknown) => boolean): Refusal => ({ reason, inert });

/** What a command's `collation` does (README); refusals are listed under "Not supported". */
const COLLATION = 'string matching, sorting and index use honour it: ICU locales through `Intl.Collator`';
const LET = '`$$name` in `$expr` and expressions';
const NO_VALIDATION = 'validators are refused at create: nothing to bypass';

const UPDATE_STATEMENT: FieldTable = {
  supported: {
    q: '',
    u: 'operators, replacement, pipeline',
    upsert: '',
    multi: '',
    arrayFilters: '',
    collation: COLLATION,
    hint: 'must name an index; results as without it',
    c: 'constants of a pipeline update, with `let`',
  },
};

const DELETE_STATEMENT: FieldTable = {
  supported: {
    q: '',
    limit: '0 or 1',
    collation: COLLATION,
    hint: 'must name an index; results as without it',
  },
};

const FIND: FieldTable = {
  supported: {
    find: '',
    filter: '',
    sort: '',
    projection: '',
    skip: '',
    limit: '',
    batchSize: '',
    singleBatch: '',
    collation: COLLATION,
    hint: 'must name an index; results as without it',
    allowDiskUse: 'everything is in memory',
    allowPartialResults: 'not sharded: always complete',
    let: LET,
  },
  refused: {
    min: refused('index bounds (`min`) are not implemented', isEmptyDoc),
    max: refused('index bounds (`max`) are not implemented', isEmptyDoc),
    returnKey: refused('`returnKey` is not implemented', isFalse),
    showRecordId: refused('record ids do not exist here', isFalse),
    tailable: refused('tailable cursors need capped collections, which are not supported', isFalse),
    awaitData: refused('tailable cursors need capped collections, which are not supported', isFalse),
    oplogReplay: refused('there is no oplog', isFalse),
    noCursorTimeout: refused('idle cursors are always reaped after 10 minutes', isFalse),
    readOnce: refused('`readOnce` is not implemented', isFalse),
  },
};

/** Per command, under its canonical name (aliases below). Commands not listed take any field. */
export const COMMAND_FIELDS: Record<string, FieldTable> = {
  find: FIND,
  insert: {
    supported: { insert: '', documents: '', ordered: '', bypassDocumentValidation: NO_VALIDATION },
  },
  update: {
    supported: { update: '', updates: '', ordered: '', let: LET, bypassDocumentValidation: NO_VALIDATION },
    nested: { updates: UPDATE_STATEMENT },
  },
  delete: {
    supported: { delete: '', deletes: '', ordered: '', let: LET },
    nested: { deletes: DELETE_STATEMENT },
  },
  findAndModify: {
    supported: {
      findAndModify: '',
      query: '',
      sort: '',
      remove: '',
      update: 'operators, replacement, pipeline',
      new: '',
      fields: '',
      upsert: '',
      arrayFilters: '',
      collation: COLLATION,
      hint: 'must name an index; results as without it',
      let: LET,
      bypassDocumentValidation: NO_VALIDATION,
    },
  },
  aggregate: {
    supported: {
      aggregate: '',
      pipeline: '',
      cursor: '',
      allowDiskUse: 'everything is in memory',
      collation: COLLATION,
      hint: 'must name an index; results as without it',
      let: LET,
      bypassDocumentValidation: NO_VALIDATION,
      explain: 'the plan and the counts, as the `explain` command gives them',
    },
  },
  count: {
    supported: {
      count: '',
      query: '',
      limit: '',
      skip: '',
      collation: COLLATION,
      hint: 'must name an index; results as without it',
    },
  },
  distinct: {
    supported: { distinct: '', key: '', query: '', collation: COLLATION + '; values it holds equal are one' },
  },
  getMore: { supported: { getMore: '', collection: '', batchSize: '' } },
  killCursors: { supported: { killCursors: '', cursors: '' } },
  createIndexes: {
    supported: { createIndexes: '', indexes: '', commitQuorum: 'one member: built before the reply' },
  },
  dropIndexes: { supported: { dropIndexes: '', index: '' } },
  listIndexes: { supported: { listIndexes: '', cursor: 'the whole list in the first batch' } },
  listCollections: {
    supported: {
      listCollections: '',
      filter: '',
      nameOnly: '',
      authorizedCollections: 'one user who may read everything',
      cursor: 'the whole list in the first batch',
    },
  },
  create: {
    supported: {
      create: '',
      collation: 'the default for queries and indexes that give none; `simple` overrides it',
      validationLevel: 'no validator to apply it to',
      validationAction: 'no validator to apply it to',
      storageEngine: 'storage-engine tuning',
      indexOptionDefaults: 'storage-engine tuning',
    },
    refused: {
      capped: refused('capped collections are not supported', isFalse),
      size: refused('capped collections are not supported'),
      max: refused('capped collections are not supported'),
      validator: refused('schema validators are not enforced, so they are refused', isEmptyDoc),
      viewOn: refused('views are not supported'),
      pipeline: refused('views are not supported'),
      timeseries: refused('time-series collections are not supported'),
      clusteredIndex: refused('clustered collections are not supported'),
      expireAfterSeconds: refused('clustered collections are not supported'),
      idIndex: refused('a custom `_id` index is not implemented'),
      changeStreamPreAndPostImages: refused('change streams are not supported'),
      encryptedFields: refused('queryable encryption is not supported'),
    },
  },
  drop: { supported: { drop: '' } },
  dropDatabase: { supported: { dropDatabase: '' } },
  listDatabases: {
    supported: {
      listDatabases: '',
      filter: '',
      nameOnly: '',
      authorizedDatabases: 'one user who may read everything',
    },
  },
};

/** Aliases mongod accepts for a command; its errors name the canonical command. */
export const COMMAND_ALIASES: Record<string, string> = {
  findandmodify: 'findAndModify',
  deleteIndexes: 'dropIndexes',
};

const GENERIC = new Set(Object.keys(GENERIC_FIELDS));
/** A field a driver may add to any command (sessions, concerns, gossip), not the command's own. */
export const isGenericField = (key: string) => GENERIC.has(key) || key.startsWith('$');
/** Each table's supported fields as a Set: this runs on every command (findOne included). */
const supportedSets = new WeakMap<FieldTable, Set<string>>();
function supportedOf(table: FieldTable): Set<string> {
  let set = supportedSets.get(table);
  if (!set) supportedSets.set(table, (set = new Set(Object.keys(table.supported))));
  return set;
}

function checkTable(table: FieldTable, doc: Document, path: string, generic: boolean, skip?: string): void {
  const supported = supportedOf(table);
  for (const key of Object.keys(doc)) {
    if (key === skip || (generic && GENERIC.has(key))) continue;
    if (supported.has(key)) {
      const sub = table.nested?.[key];
      if (sub && Array.isArray(doc[key]))
        for (const item of doc[key] as unknown[])
          if (item !== null && typeof item === 'object' && !Array.isArray(item))
            checkTable(sub, item as Document, `${path}.${key}`, false);
      continue;
    }
    const r = table.refused && Object.hasOwn(table.refused, key) ? table.refused[key] : undefined;
    if (r) {
      if (r.inert?.(doc[key])) continue;
      throw err(115, `BSON field '${path}.${key}' is not supported by the embedded server: ${r.reason}`);
    }
    throw err(40415, `BSON field '${path}.${key}' is an unknown field.`);
  }
}

/** Throws mongod's error for the first field of `command` that `name` does not take (or we refuse). */
export function checkCommandFields(name: string, command: Document): void {
  const canonical = COMMAND_ALIASES[name] ?? name;
  const table = Object.hasOwn(COMMAND_FIELDS, canonical) ? COMMAND_FIELDS[canonical] : undefined;
  if (!table) return;
  // The command's own name is its first field, whatever alias was used.
  checkTable(table, command, canonical, true, name);
}
