/**
 * A real client session (issue 19): mongosh, as an administrator would run it, against the
 * embedded server (or the MongoDB named by MONGODB_URI, where every assertion must hold too).
 * The session script is db/tests/fixtures/mongosh-session.js; mongosh comes from the npm
 * registry on first use (fixtures/mongosh.ts). Without it the suite is skipped, loudly.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EJSON, type Document } from 'bson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTarget, type Target } from './conformance/target.ts';
import { findMongosh, MONGOSH_VERSION } from './fixtures/mongosh.ts';

const script = fileURLToPath(new URL('./fixtures/mongosh-session.js', import.meta.url));
const MARKER = '--- mongosh-session results ---';

const mongosh = await findMongosh();
const missing = 'missing' in mongosh ? mongosh.missing : undefined;
if (missing) console.warn(`\n*** SKIPPED db/tests/mongosh.test.ts: no mongosh (${missing}) ***\n`);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe.skipIf(missing !== undefined)(
  missing ? `mongosh session (SKIPPED: ${missing})` : `mongosh ${MONGOSH_VERSION} session`,
  () => {
    let target: Target;
    let uri: string;
    let home: string;
    let session: Run;
    let steps: Record<string, { value?: unknown; error?: Document }>;

    /** mongosh without rc file, telemetry or writes to the user's home (its logs go to a temporary one). */
    const mongoshRun = (args: string[]) =>
      new Promise<Run>((resolve) => {
        const bin = (mongosh as { bin: string }).bin;
        execFile(
          bin,
          [uri, '--norc', '--quiet', ...args],
          {
            timeout: 60_000,
            env: { ...process.env, HOME: home, MONGOSH_FORCE_DISABLE_TELEMETRY_FOR_TESTING: '1' },
          },
          (error, stdout, stderr) => {
            const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
            resolve({ code, stdout, stderr });
          },
        );
      });

    /** A step's answer; a step that failed shows its error in the diff. */
    const step = (name: string) => steps[name];

    beforeAll(async () => {
      target = await openTarget('mongosh');
      const url = new URL(target.uri);
      url.pathname = `/${target.dbName}`;
      uri = url.toString();
      home = await mkdtemp(path.join(os.tmpdir(), 'mongosh-home-'));
      session = await mongoshRun(['--file', script]);
      const at = session.stdout.indexOf(MARKER);
      steps = at < 0 ? {} : EJSON.parse(session.stdout.slice(at + MARKER.length).trim());
    }, 120_000);

    afterAll(async () => {
      await target?.close();
      if (home) await rm(home, { recursive: true, force: true });
    });

    it('runs the script to the end and prints no error or warning', () => {
      expect(session.stderr).toBe('');
      expect(session.code).toBe(0);
      expect(session.stdout.trim().startsWith(MARKER)).toBe(true);
      expect(Object.keys(steps)).toContain('decimalInc');
    });

    it('inserts, explains a find and an aggregate, reads stats and renames the collection', () => {
      expect(step('insert')).toEqual({ value: 6 });
      expect(step('createIndex')).toEqual({ value: 'score_1' });
      expect(step('explainFind')).toMatchObject({
        value: {
          namespace: `${target.dbName}.people`,
          winningPlan: { stage: 'FETCH', inputStage: { stage: 'IXSCAN', indexName: 'score_1' } },
          nReturned: 1,
          totalKeysExamined: 1,
          totalDocsExamined: 1,
        },
      });
      expect(step('explainAggregate')).toEqual({ value: { ok: 1, hasPlan: true } });
      expect(step('collStats')).toMatchObject({
        value: {
          ns: `${target.dbName}.people`,
          count: 6,
          nindexes: 2,
          indexNames: ['_id_', 'score_1'],
          size: expect.any(Number),
        },
      });
      expect(step('dbStats')).toMatchObject({
        value: {
          db: target.dbName,
          collections: 1,
          objects: 6,
          indexes: 2,
          dataSize: expect.any(Number),
        },
      });
      expect(step('rename')).toEqual({ value: ['members'] });
    });

    it('answers the commands an administrator uses after that', () => {
      expect(step('listDatabases')?.value).toContain(target.dbName);
      expect(step('serverStatus')).toMatchObject({ value: { ok: 1, hasUptime: true } });
      expect(step('getIndexes')).toEqual({ value: ['_id_', 'score_1'] });
      expect(step('countDocuments')).toEqual({ value: 5 });
      expect(step('aggregate')).toEqual({ value: 21 });
      expect(step('validate')).toEqual({ value: { valid: true, nrecords: 6 } });
      expect(step('currentOp')).toEqual({ value: true });
      expect(step('rsStatus')).toMatchObject({ value: { myState: 1, states: ['PRIMARY'] } });
      expect(step('rsConf')).toMatchObject({ value: { members: 1 } });
      expect(step('profilingStatus')).toEqual({ value: 0 });
      expect(step('getLog')).toMatchObject({ value: expect.arrayContaining(['global']) });
    });

    it('`show dbs` and `show collections` list the database and its collections', async () => {
      const [dbs, collections] = await Promise.all([
        mongoshRun(['--eval', 'show dbs']),
        mongoshRun(['--eval', 'show collections']),
      ]);
      expect(dbs).toMatchObject({ code: 0, stderr: '' });
      expect(dbs.stdout).toMatch(new RegExp(`^${target.dbName}\\s`, 'm'));
      expect(collections).toMatchObject({ code: 0, stderr: '' });
      expect(collections.stdout.trim().split(/\s+/)).toEqual(['members', 'money']);
    });

    // Collation as ICU (MongoDB) answers it: at strength 1 case and tone marks do not count, but
    // Vietnamese ê is its own letter; at strength 2 only case is ignored; sorting is a Vietnamese reader's.
    it('matches and sorts with a Vietnamese collation', () => {
      expect(step('collationFind')).toEqual({ value: ['NGUYEN', 'Nguyén', 'nguyen'] });
      expect(step('collationCount')).toEqual({ value: 2 });
      expect(step('collationSort')).toEqual({
        value: ['nguyen', 'NGUYEN', 'Nguyén', 'Nguyên', 'Nguyễn', 'Trần'],
      });
    });

    it('increments a Decimal128 exactly: three times 0.1 is 0.3', () => {
      expect(step('decimalInc')).toEqual({ value: { type: 'Decimal128', value: '0.3' } });
    });
  },
);
