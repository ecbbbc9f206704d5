/**
 * What the embedded server still refuses, each with a command that asks for it.
 * `db/README.md`'s list is rendered from this table by running every example on
 * a fresh in-memory engine and quoting the reply, and tests/refusals.test.ts runs
 * them again: the documentation cannot promise a refusal the server does not give,
 * nor quote a message it no longer sends. (Field-level refusals of the commands the
 * server runs come from command-fields.ts and are listed beside these.)
 */
import { Binary, Long, Timestamp, type Document } from 'bson';
import { COMMAND_FIELDS, type FieldTable } from './command-fields.ts';
import { UNSUPPORTED_STAGES } from './commands/aggregate.ts';
import { CODE_NAMES } from './errors.ts';
import { createEngine } from './index.ts';

export interface Refusal {
  /** What a client might ask for, in a few words. */
  feature: string;
  /** The code mongod-compatible clients branch on. */
  code: number;
  /** Commands run first (on database `t`), e.g. to create a collection. */
  setup?: Document[];
  /** The command that is refused (on database `t` unless `db` is given). */
  command: Document;
  db?: string;
  /** Runs `command` as the first statement of a transaction. */
  inTransaction?: boolean;
}

const agg = (pipeline: Document[]) => ({ aggregate: 'c', pipeline, cursor: {} });

export const REFUSALS: Refusal[] = [
  {
    feature: 'any command not listed as supported (users, roles, sharding, replica-set changes…)',
    code: 59,
    command: { usersInfo: 1 },
    db: 'admin',
  },
  { feature: 'the profiler (`profile` level 1 or 2)', code: 115, command: { profile: 1 } },
  {
    feature: 'a field a command does not have',
    code: 40415,
    command: { find: 'c', filter: {}, sortt: { a: 1 } },
  },
  {
    feature: 'text indexes',
    code: 67,
    command: { createIndexes: 'c', indexes: [{ key: { a: 'text' }, name: 'a_text' }] },
  },
  {
    feature: '2dsphere indexes',
    code: 67,
    command: { createIndexes: 'c', indexes: [{ key: { a: '2dsphere' }, name: 'a_geo' }] },
  },
  {
    feature: '2d indexes',
    code: 67,
    command: { createIndexes: 'c', indexes: [{ key: { a: '2d' }, name: 'a_2d' }] },
  },
  {
    feature: 'wildcard indexes',
    code: 67,
    command: { createIndexes: 'c', indexes: [{ key: { '$**': 1 }, name: 'all' }] },
  },
  { feature: '`$text` queries', code: 2, command: { find: 'c', filter: { $text: { $search: 'x' } } } },
  {
    feature: '`$meta` sort',
    code: 2,
    command: { find: 'c', filter: {}, sort: { s: { $meta: 'textScore' } } },
  },
  { feature: 'views', code: 115, command: { create: 'v', viewOn: 'c', pipeline: [] } },
  {
    feature: 'time-series collections',
    code: 115,
    command: { create: 'ts', timeseries: { timeField: 't' } },
  },
  { feature: 'capped collections', code: 115, command: { create: 'cap', capped: true, size: 4096 } },
  {
    feature: 'schema validators at `create`',
    code: 115,
    command: { create: 'val', validator: { a: { $type: 'string' } } },
  },
  {
    feature: 'schema validators through `collMod`',
    code: 115,
    setup: [{ create: 'c' }],
    command: { collMod: 'c', validator: { a: { $exists: true } } },
  },
  {
    feature: 'hiding an index (`collMod`)',
    code: 115,
    setup: [{ createIndexes: 'c', indexes: [{ key: { a: 1 }, name: 'a_1' }] }],
    command: { collMod: 'c', index: { name: 'a_1', hidden: true } },
  },
  { feature: 'change streams', code: 115, command: agg([{ $changeStream: {} }]) },
  { feature: 'Atlas Search', code: 115, command: agg([{ $search: { text: { query: 'x', path: 'a' } } }]) },
  { feature: '`$geoNear`', code: 115, command: agg([{ $geoNear: { near: [0, 0], distanceField: 'd' } }]) },
  {
    feature: '`$out` into another database',
    code: 115,
    command: agg([{ $out: { db: 'other', coll: 'x' } }]),
  },
  {
    feature: '`$merge` on fields other than `_id`',
    code: 115,
    command: agg([{ $merge: { into: 'x', on: 'a' } }]),
  },
  {
    feature: '`$merge` with a pipeline `whenMatched`',
    code: 115,
    command: agg([{ $merge: { into: 'x', whenMatched: [{ $set: { a: 1 } }] } }]),
  },
  {
    feature: '`$out` inside a transaction',
    code: 263,
    setup: [{ create: 'c' }],
    command: agg([{ $out: 'x' }]),
    inTransaction: true,
  },
  {
    feature: 'a reverse natural-order hint',
    code: 115,
    command: { find: 'c', filter: {}, hint: { $natural: -1 } },
  },
  {
    feature: 'a hint naming no index',
    code: 2,
    setup: [{ create: 'c' }],
    command: { find: 'c', filter: {}, hint: 'nope_1' },
  },
  { feature: '`explain` of other commands', code: 115, command: { explain: { distinct: 'c', key: 'a' } } },
  {
    feature: '`validate` with `repair`',
    code: 115,
    setup: [{ create: 'c' }],
    command: { validate: 'c', repair: true },
  },
  {
    feature: '`$collStats` latency statistics',
    code: 115,
    setup: [{ create: 'c' }],
    command: agg([{ $collStats: { latencyStats: {} } }]),
  },
  {
    feature: '`readConcern: { atClusterTime }` in a transaction',
    code: 72,
    setup: [{ create: 'c' }],
    command: {
      find: 'c',
      filter: {},
      readConcern: { level: 'snapshot', atClusterTime: new Timestamp({ t: 1, i: 1 }) },
    },
    inTransaction: true,
  },
  {
    feature: '`$setWindowFields` sorting by arrays, embedded documents or mixed types',
    code: 2,
    setup: [
      {
        insert: 'c',
        documents: [
          { _id: 1, v: [1, 10] },
          { _id: 2, v: 7 },
        ],
      },
    ],
    command: agg([{ $setWindowFields: { sortBy: { v: -1 }, output: { r: { $documentNumber: {} } } } }]),
  },
  { feature: 'an unknown aggregation stage', code: 40324, command: agg([{ $foo: {} }]) },
  { feature: 'an unknown expression', code: 168, command: agg([{ $project: { a: { $foo: 1 } } }]) },
  {
    feature: 'an unknown `$group` accumulator',
    code: 15952,
    command: agg([{ $group: { _id: null, a: { $foo: 1 } } }]),
  },
  {
    feature: '`$where` (server-side JavaScript)',
    code: 2,
    command: { find: 'c', filter: { $where: 'this.a > 1' } },
  },
  { feature: 'an unknown query operator', code: 2, command: { find: 'c', filter: { a: { $foo: 1 } } } },
  {
    feature: 'an unknown update modifier',
    code: 9,
    setup: [{ insert: 'c', documents: [{ _id: 1 }] }],
    command: { update: 'c', updates: [{ q: {}, u: { $foo: { a: 1 } } }] },
  },
];

export interface RefusalReply {
  refusal: Refusal;
  code: number;
  codeName: string;
  errmsg: string;
}

/**
 * Runs every example on its own fresh in-memory engine (no state shared between
 * rows) and returns the server's own code and message for each.
 */
export async function replyToRefusals(refusals = REFUSALS): Promise<RefusalReply[]> {
  const out: RefusalReply[] = [];
  for (const refusal of refusals) {
    const engine = await createEngine();
    try {
      const ctx = { connectionId: 1 };
      for (const step of refusal.setup ?? []) {
        const r = await engine.run('t', step, ctx);
        if (r.ok !== 1) throw new Error(`setup of "${refusal.feature}" failed: ${r.errmsg}`);
      }
      const command = refusal.inTransaction
        ? {
            ...refusal.command,
            lsid: { id: new Binary(Buffer.alloc(16, 7), 4) },
            txnNumber: Long.fromNumber(1),
            startTransaction: true,
            autocommit: false,
          }
        : refusal.command;
      const reply = await engine.run(refusal.db ?? 't', command, ctx);
      const error = reply.ok === 1 ? reply.writeErrors?.[0] : reply;
      out.push({
        refusal,
        code: error?.code ?? 0,
        codeName: error
          ? (error.codeName ?? CODE_NAMES[error.code] ?? `Location${error.code}`)
          : 'none: the command succeeded',
        errmsg: error?.errmsg ?? '',
      });
    } finally {
      await engine.close();
    }
  }
  return out;
}

/** `find.min`, `update.updates.collation`…: every field refused with 115 by the field tables. */
export function refusedFields(): { field: string; reason: string }[] {
  const out: { field: string; reason: string }[] = [];
  const walk = (table: FieldTable, prefix: string) => {
    for (const [k, r] of Object.entries(table.refused ?? {}))
      out.push({ field: prefix + k, reason: r.reason });
    for (const [k, sub] of Object.entries(table.nested ?? {})) walk(sub, `${prefix}${k}.`);
  };
  for (const [name, table] of Object.entries(COMMAND_FIELDS)) walk(table, `${name}.`);
  return out;
}

export const refusedStages = (): { stage: string; reason: string }[] =>
  Object.entries(UNSUPPORTED_STAGES).map(([stage, reason]) => ({ stage, reason }));
