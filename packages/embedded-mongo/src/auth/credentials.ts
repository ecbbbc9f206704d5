/**
 * The embedded server's door and the files behind it:
 * - the data directory is 0700 and every file in it 0600 (only the account
 *   running the app reads citizen IDs, password hashes, sessions); looser
 *   modes left by an older version are tightened at start, with a log line;
 * - `users.json` (0600): what the server checks, SCRAM-SHA-256 salted keys
 *   only (see scram.ts);
 * - `credential.json` (0600): the client's copy, user and password, which
 *   the app (db/connect.server.ts through the server's URI) and `npm run db`
 *   connect with. Generated at first start; delete both files to rotate.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import {
  type ScramCredential,
  assertAsciiPassword,
  credentialMatches,
  deriveScramCredential,
} from './scram.ts';

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;
export const CREDENTIAL_FILE = 'credential.json';
export const USERS_FILE = 'users.json';
/** The database users authenticate against (the driver's `authSource`). */
export const AUTH_DB = 'admin';

export interface ClientCredential {
  user: string;
  password: string;
}

/** A random user and password: URL-safe, printable ASCII (SASLprep is then the identity). */
export function generateCredential(): ClientCredential {
  return {
    user: `app-${randomBytes(4).toString('hex')}`,
    password: randomBytes(24).toString('base64url'),
  };
}

type Log = (line: string) => void;
const defaultLog: Log = (line) => console.error(`[embedded db] ${line}`);

/**
 * Creates the data directory 0700, or tightens an existing one and its files
 * (group/other bits removed) to 0700/0600, logging what it changed.
 */
export async function secureDataDir(dir: string, log: Log = defaultLog): Promise<void> {
  await fsp.mkdir(dir, { recursive: true, mode: DIR_MODE });
  const tightened: string[] = [];
  const dirMode = (await fsp.stat(dir)).mode & 0o777;
  if (dirMode & 0o077) {
    await fsp.chmod(dir, dirMode & DIR_MODE);
    tightened.push(`${dir} ${octal(dirMode)}→${octal(dirMode & DIR_MODE)}`);
  }
  for (const entry of await fsp.readdir(dir, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(dir, entry.name);
    const mode = (await fsp.stat(file)).mode & 0o777;
    if (mode & 0o077) {
      await fsp.chmod(file, mode & FILE_MODE);
      tightened.push(`${entry.name} ${octal(mode)}→${octal(mode & FILE_MODE)}`);
    }
  }
  if (tightened.length > 0)
    log(`data directory permissions tightened (only this account may read it): ${tightened.join(', ')}`);
}

const octal = (mode: number) => `0${mode.toString(8)}`;

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await fsp.readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`embedded database: cannot read ${file}: ${(error as Error).message}`);
  }
}

/** Writes a file 0600 atomically (temporary file, then rename). */
async function writePrivate(file: string, value: unknown): Promise<void> {
  const tmp = `${file}.tmp`;
  await fsp.rm(tmp, { force: true });
  const fh = await fsp.open(tmp, 'wx', FILE_MODE);
  try {
    await fh.writeFile(`${JSON.stringify(value, null, 2)}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsp.rename(tmp, file);
}

function isClientCredential(v: unknown): v is ClientCredential {
  const c = v as ClientCredential | undefined;
  return typeof c?.user === 'string' && c.user !== '' && typeof c.password === 'string';
}

function isScramCredential(v: unknown): v is ScramCredential {
  const c = v as ScramCredential | undefined;
  return (
    typeof c?.user === 'string' &&
    typeof c.db === 'string' &&
    typeof c.salt === 'string' &&
    typeof c.storedKey === 'string' &&
    typeof c.serverKey === 'string' &&
    Number.isInteger(c.iterationCount) &&
    c.iterationCount >= 4096
  );
}

export interface DataDirCredentials {
  client: ClientCredential;
  users: ScramCredential[];
}

/**
 * The credential kept in `dir` (created at first start) and the users the
 * server accepts. A client credential with no matching user record gets one;
 * without a client credential a new pair is generated (the old users file is
 * replaced: nobody could connect with it anyway).
 */
export async function loadOrCreateCredentials(
  dir: string,
  log: Log = defaultLog,
): Promise<DataDirCredentials> {
  const credentialFile = path.join(dir, CREDENTIAL_FILE);
  const usersFile = path.join(dir, USERS_FILE);
  const stored = await readJson(credentialFile);
  if (stored !== undefined && !isClientCredential(stored))
    throw new Error(
      `embedded database: ${credentialFile} is not a credential file; delete it and ${USERS_FILE} to generate a new one`,
    );
  let client = stored;
  if (!client) {
    client = generateCredential();
    await writePrivate(credentialFile, client);
    log(`generated a database credential for user ${client.user} in ${credentialFile} (mode 0600)`);
  }
  assertAsciiPassword(client.password);
  const usersDoc = (await readJson(usersFile)) as { users?: unknown[] } | undefined;
  const users = Array.isArray(usersDoc?.users) ? usersDoc.users.filter(isScramCredential) : [];
  const own = users.find((u) => u.user === client.user && u.db === AUTH_DB);
  if (!own || !credentialMatches(own, client.password)) {
    const others = users.filter((u) => !(u.user === client.user && u.db === AUTH_DB));
    users.splice(0, users.length, ...others, deriveScramCredential(client.user, client.password, AUTH_DB));
    await writePrivate(usersFile, { users });
  }
  return { client, users };
}

/** For an in-memory server: a fresh credential, never written anywhere. */
export function memoryCredentials(given?: ClientCredential): DataDirCredentials {
  const client = given ?? generateCredential();
  return { client, users: [deriveScramCredential(client.user, client.password, AUTH_DB)] };
}

/** Synchronous check used by tests and tools: is this path private to its owner? */
export function isPrivate(file: string): boolean {
  return (fs.statSync(file).mode & 0o077) === 0;
}
