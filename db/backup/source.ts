/**
 * How a backup reaches the data: the server that has the data directory open (its
 * address in `server.json`, its credential in `credential.json`), or, when none runs,
 * the directory opened here with a server of our own on a free local port, so both
 * paths read through the same wire code. `--uri` skips all this.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { findRunningServer, startEmbeddedServer } from '@dvut/embedded-mongo';

export interface Source {
  client: MongoClient;
  /** For the operator: how the data was reached (no credential in it). */
  description: string;
  close(): Promise<void>;
}

/** True when `dir` holds an embedded database (a snapshot or a journal). */
export function holdsDatabase(dir: string): boolean {
  try {
    return fs.readdirSync(dir).some((f) => f === 'snapshot.bin' || /^journal-\d+\.log$/.test(f));
  } catch {
    return false;
  }
}

export async function openDataDir(dataDir: string): Promise<Source> {
  const running = await findRunningServer(dataDir);
  if (running) {
    const client = new MongoClient(running.uri, { serverSelectionTimeoutMS: 5000 });
    try {
      await client.connect();
    } catch (error) {
      await client.close().catch(() => undefined);
      throw new Error(
        `the server that has ${dataDir} open (process ${running.pid}, ${running.host}:${running.port}) did not answer: ${(error as Error).message}. ` +
          `If no server runs on it (process ${running.pid} is something else), delete ${path.join(dataDir, 'server.json')} and try again`,
        { cause: error },
      );
    }
    return {
      client,
      description: `the running server of ${dataDir} (process ${running.pid}, ${running.host}:${running.port})`,
      close: () => client.close(),
    };
  }
  if (!holdsDatabase(dataDir)) throw new Error(`no database in ${path.resolve(dataDir)}`);
  const server = await startEmbeddedServer({ dataDir, inProcess: true, host: '127.0.0.1', port: 0 });
  const client = new MongoClient(server.uri);
  try {
    await client.connect();
  } catch (error) {
    await client.close().catch(() => undefined);
    await server.close();
    throw error;
  }
  return {
    client,
    description: `${dataDir} (no server running: opened directly)`,
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}

export async function openUri(uri: string): Promise<Source> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  return { client, description: `the MongoDB at --uri`, close: () => client.close() };
}
