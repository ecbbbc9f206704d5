/**
 * Where the conformance suite runs: the embedded server by default, or the real
 * MongoDB named by MONGODB_URI, so the same assertions prove the two agree.
 * Each test file gets its own database name so files can run in parallel.
 */
import { randomBytes } from 'node:crypto';
import { MongoClient, type Db, type MongoClientOptions } from 'mongodb';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startEmbeddedServer, type EmbeddedServer } from '@dvut/embedded-mongo';

export interface Target {
  uri: string;
  dbName: string;
  external: boolean;
  client(options?: MongoClientOptions): Promise<MongoClient>;
  close(): Promise<void>;
}

export async function openTarget(label: string): Promise<Target> {
  const external = Boolean(process.env.MONGODB_URI);
  let server: EmbeddedServer | undefined;
  // In a worker thread, as with a data directory (memory mode defaults to in-process),
  // so the suite covers the threading of the server the app runs.
  const uri = external
    ? process.env.MONGODB_URI!
    : (server = await startEmbeddedServer({ port: 0, inProcess: false })).uri;
  const dbName = `conf_${label}_${randomBytes(3).toString('hex')}`;
  const clients: MongoClient[] = [];
  return {
    uri,
    dbName,
    external,
    async client(options) {
      const client = await new MongoClient(uri, { serverSelectionTimeoutMS: 5000, ...options }).connect();
      clients.push(client);
      return client;
    },
    async close() {
      if (external && clients[0])
        await clients[0]
          .db(dbName)
          .dropDatabase()
          .catch(() => undefined);
      await Promise.all(clients.map((c) => c.close()));
      await server?.close();
    },
  };
}

export interface TargetDb {
  target: Target;
  client: MongoClient;
  db: Db;
}

/**
 * The usual hooks of a conformance file: open the target once (handing target, client
 * and database to `set`), close it after the file, and drop the database before each test.
 */
export function withTargetDb(label: string, set: (opened: TargetDb) => void): void {
  let opened: TargetDb | undefined;
  beforeAll(async () => {
    const target = await openTarget(label);
    const client = await target.client();
    opened = { target, client, db: client.db(target.dbName) };
    set(opened);
  });
  afterAll(async () => opened?.target.close());
  beforeEach(async () => {
    await opened?.db.dropDatabase();
  });
}
