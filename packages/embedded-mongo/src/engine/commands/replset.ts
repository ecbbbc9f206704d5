/**
 * The replica-set and diagnostics commands shells and GUIs call on connect or on
 * request (`rs.status()`, `rs.conf()`, `db.getProfilingStatus()`, `show log`), answered
 * truthfully for what this server is: the one member, primary since it started, of
 * `rs0`; no profiler; no log kept in memory. Asking it to profile is refused (115).
 */
import { Long, ObjectId, type Document } from 'bson';
import { REPLICA_SET_NAME } from '../../contract.ts';
import { err } from '../errors.ts';
import type { Ctx, Handler } from './types.ts';

/** Fixed for the life of the data: mongod generates it once per set. */
const REPLICA_SET_ID = new ObjectId('7fffffff0000000000000002');

function adminOnly(ctx: Ctx, name: string): void {
  if (ctx.db !== 'admin') throw err(13, `${name} may only be run against the admin database.`);
}

export const replSetGetStatus: Handler = (ctx) => {
  adminOnly(ctx, 'replSetGetStatus');
  const ts = ctx.clock.current;
  const opTime = { ts, t: Long.fromNumber(1) };
  const wall = ctx.clock.lastWriteDate;
  const started = new Date(ctx.startedAt);
  return {
    set: REPLICA_SET_NAME,
    date: new Date(),
    myState: 1,
    term: Long.fromNumber(1),
    syncSourceHost: '',
    syncSourceId: -1,
    heartbeatIntervalMillis: Long.fromNumber(2000),
    majorityVoteCount: 1,
    writeMajorityCount: 1,
    votingMembersCount: 1,
    writableVotingMembersCount: 1,
    optimes: {
      lastCommittedOpTime: opTime,
      lastCommittedWallTime: wall,
      readConcernMajorityOpTime: opTime,
      appliedOpTime: opTime,
      durableOpTime: opTime,
      lastAppliedWallTime: wall,
      lastDurableWallTime: wall,
    },
    members: [
      {
        _id: 0,
        name: ctx.address,
        health: 1,
        state: 1,
        stateStr: 'PRIMARY',
        uptime: Math.floor((Date.now() - ctx.startedAt) / 1000),
        optime: opTime,
        optimeDate: wall,
        lastAppliedWallTime: wall,
        lastDurableWallTime: wall,
        syncSourceHost: '',
        syncSourceId: -1,
        infoMessage: '',
        electionTime: ts,
        electionDate: started,
        configVersion: 1,
        configTerm: 1,
        self: true,
        lastHeartbeatMessage: '',
      },
    ],
    ok: 1,
  };
};

export const replSetGetConfig: Handler = (ctx) => {
  adminOnly(ctx, 'replSetGetConfig');
  return {
    config: {
      _id: REPLICA_SET_NAME,
      version: 1,
      term: 1,
      members: [
        {
          _id: 0,
          host: ctx.address,
          arbiterOnly: false,
          buildIndexes: true,
          hidden: false,
          priority: 1,
          tags: {},
          secondaryDelaySecs: Long.fromNumber(0),
          votes: 1,
        },
      ],
      protocolVersion: Long.fromNumber(1),
      writeConcernMajorityJournalDefault: true,
      settings: {
        chainingAllowed: true,
        heartbeatIntervalMillis: 2000,
        heartbeatTimeoutSecs: 10,
        electionTimeoutMillis: 10000,
        catchUpTimeoutMillis: -1,
        catchUpTakeoverDelayMillis: 30000,
        getLastErrorModes: {},
        getLastErrorDefaults: { w: 1, wtimeout: 0 },
        replicaSetId: REPLICA_SET_ID,
      },
    },
    ok: 1,
  };
};

/** `profile: -1` reads the level, `0` keeps it off; turning the profiler on is refused. */
export const profile: Handler = (ctx) => {
  const level = Number(ctx.body.profile);
  if (level !== -1 && level !== 0 && level !== 1 && level !== 2)
    throw err(2, `Invalid profiling level: ${String(ctx.body.profile)}`);
  if (level > 0) throw err(115, 'the profiler is not supported by the embedded server');
  const reply: Document = { was: 0, slowms: 100, sampleRate: 1, ok: 1 };
  return reply;
};

const LOGS = ['global', 'startupWarnings'];

/** The server writes no log lines and keeps none: the logs mongod names exist and are empty. */
export const getLog: Handler = (ctx) => {
  adminOnly(ctx, 'getLog');
  const name = ctx.body.getLog;
  if (name === '*') return { names: LOGS, ok: 1 };
  if (typeof name !== 'string')
    throw err(14, 'Argument to getLog must be of type String; found a value of another type');
  if (!LOGS.includes(name)) throw err(2, `No log named '${name}'`);
  return { totalLinesWritten: 0, log: [], ok: 1 };
};
