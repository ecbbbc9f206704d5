/**
 * `server.json` in the data directory: where the server that has it open listens.
 *
 * A second process (`npm run db:backup` while `npm start` runs) must talk to that
 * server rather than open the files itself: two engines on one journal would each
 * replay and compact it without seeing the other's writes. The file holds the
 * address and the process id, never the credential (that stays in credential.json,
 * which the reader must be allowed to read anyway). It is written once the port is
 * known and removed on a clean close; after a crash it stays behind, and the
 * process id, no longer alive, tells a reader it is stale.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { AUTH_DB, CREDENTIAL_FILE, type ClientCredential, FILE_MODE } from './auth/credentials.ts';
import { REPLICA_SET_NAME } from './contract.ts';

export const SERVER_FILE = 'server.json';

export interface ServerFile {
  pid: number;
  host: string;
  port: number;
  startedAt: string;
}

export async function writeServerFile(dir: string, host: string, port: number): Promise<void> {
  const file = path.join(dir, SERVER_FILE);
  const tmp = `${file}.tmp`;
  const content: ServerFile = { pid: process.pid, host, port, startedAt: new Date().toISOString() };
  await fsp.writeFile(tmp, `${JSON.stringify(content, null, 2)}\n`, { mode: FILE_MODE });
  await fsp.rename(tmp, file);
}

/** Removes the file if it still names this process and port (another server may have replaced it). */
export async function removeServerFile(dir: string, port: number): Promise<void> {
  const info = await readServerFile(dir);
  if (info && info.pid === process.pid && info.port === port)
    await fsp.rm(path.join(dir, SERVER_FILE), { force: true });
}

export async function readServerFile(dir: string): Promise<ServerFile | null> {
  let text: string;
  try {
    text = await fsp.readFile(path.join(dir, SERVER_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const v = JSON.parse(text) as Partial<ServerFile>;
    if (Number.isInteger(v.pid) && typeof v.host === 'string' && Number.isInteger(v.port))
      return v as ServerFile;
  } catch {
    // An unreadable file is treated as absent, like a stale one: its writer cannot be reached.
  }
  return null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface RunningServer extends ServerFile {
  /** With the credential from credential.json: do not log it. */
  uri: string;
}

/**
 * The server that has `dir` open right now, with a URI to reach it, or null when
 * none does (no server.json, or its process is gone).
 */
export async function findRunningServer(dir: string): Promise<RunningServer | null> {
  const info = await readServerFile(dir);
  if (!info || !alive(info.pid)) return null;
  const credential = JSON.parse(
    await fsp.readFile(path.join(dir, CREDENTIAL_FILE), 'utf8'),
  ) as ClientCredential;
  const host = info.host.includes(':') ? `[${info.host}]` : info.host;
  const auth = `${encodeURIComponent(credential.user)}:${encodeURIComponent(credential.password)}@`;
  // The same URI the server gives its own process (index.ts): the replica set it answers as.
  return {
    ...info,
    uri: `mongodb://${auth}${host}:${info.port}/?replicaSet=${REPLICA_SET_NAME}&authSource=${AUTH_DB}`,
  };
}
