/**
 * The two operations the CLIs (db/backup.ts, db/restore.ts) and tests run:
 * a whole backup into a file, a whole restore into an empty data directory.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { startEmbeddedServer } from '@dvut/embedded-mongo';
import type { BackupHeader } from './format.ts';
import { verifyBackup } from './reader.ts';
import { restoreBackup } from './restore-core.ts';
import { type Source } from './source.ts';
import { writeSnapshot } from './snapshot.ts';
import { BackupWriter } from './writer.ts';

export async function backupToFile(
  source: Source,
  out: string,
  origin: BackupHeader['source'],
): Promise<{ collections: number; documents: number; bytes: number; sha256: string }> {
  const writer = await BackupWriter.create(out, {
    format: 'dvut-backup',
    version: 1,
    createdAt: new Date(),
    source: origin,
  });
  try {
    await writeSnapshot(source.client, writer);
    return await writer.finish();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/** A refusal the operator can act on (exit code 1, no stack). */
export class RestoreRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreRefused';
  }
}

function isEmptyDir(dir: string): boolean {
  try {
    return fs.readdirSync(dir).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
}

/**
 * Verifies the whole file, then restores it into a fresh directory beside `target`
 * and renames that into place: `target` is either untouched or complete, never half
 * restored. `target` must not exist or be empty.
 */
export async function restoreToDataDir(
  file: string,
  target: string,
): Promise<{ collections: number; documents: number }> {
  if (!isEmptyDir(target))
    throw new RestoreRefused(
      `${target} is not empty: restore only into an empty or new data directory (stop the app and move the old one aside first)`,
    );
  await verifyBackup(file);
  const work = path.join(
    path.dirname(path.resolve(target)),
    `.${path.basename(target)}.restoring-${process.pid}`,
  );
  await fsp.rm(work, { recursive: true, force: true });
  await fsp.mkdir(work, { recursive: true, mode: 0o700 });
  try {
    const server = await startEmbeddedServer({ dataDir: work, inProcess: true, host: '127.0.0.1', port: 0 });
    let totals;
    try {
      const client = new MongoClient(server.uri);
      try {
        totals = await restoreBackup(client, file);
      } finally {
        await client.close();
      }
    } finally {
      await server.close();
    }
    // Checked again: something may have been put there while the restore ran.
    if (!isEmptyDir(target)) throw new RestoreRefused(`${target} stopped being empty during the restore`);
    await fsp.rm(target, { recursive: true, force: true });
    await fsp.rename(work, target);
    return totals;
  } catch (error) {
    await fsp.rm(work, { recursive: true, force: true });
    throw error;
  }
}
