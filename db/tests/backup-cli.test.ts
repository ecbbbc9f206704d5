/**
 * db:backup / db:restore on a small database: the CLIs' flags and exit codes, a backup
 * of a data directory no server runs on (opened directly), every BSON type kept, and
 * the refusals: a damaged, truncated or foreign file and a non-empty target, each
 * leaving nothing behind.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BSON, Binary, Decimal128, Double, Int32, Long, MongoClient, ObjectId, Timestamp } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_FILE, startEmbeddedServer } from '@dvut/embedded-mongo';
import { BackupFormatError, FRAME, MAGIC } from '../backup/format.ts';
import { verifyBackup } from '../backup/reader.ts';
import { RestoreRefused, restoreToDataDir } from '../backup/run.ts';
import { openDataDir } from '../backup/source.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
let root = '';
let source = '';
let file = '';

function run(
  script: 'backup' | 'restore',
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `db/${script}.ts`, ...args], {
      cwd: repo,
      env: { ...process.env, DATA_DIR: path.join(root, 'default-must-not-be-used') },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Every document of every user collection, raw, by namespace and `_id`. */
async function rawContents(dataDir: string): Promise<Map<string, Buffer>> {
  const server = await startEmbeddedServer({ dataDir, inProcess: true });
  const client = new MongoClient(server.uri);
  const out = new Map<string, Buffer>();
  try {
    for (const dbName of ['doanvien', 'other']) {
      const db = client.db(dbName);
      for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray())
        for await (const doc of db.collection(name).find({}, { raw: true })) {
          const bytes = Buffer.from(doc as unknown as Uint8Array);
          out.set(`${dbName}.${name} ${String(BSON.deserialize(bytes)._id)}`, bytes);
        }
    }
  } finally {
    await client.close();
    await server.close();
  }
  return out;
}

beforeAll(async () => {
  root = await fsp.mkdtemp(path.join(os.tmpdir(), 'dvut-backup-cli-'));
  source = path.join(root, 'source');
  file = path.join(root, 'small.bak');
  const server = await startEmbeddedServer({ dataDir: source, inProcess: true });
  const client = new MongoClient(server.uri);
  try {
    const db = client.db('doanvien');
    await db.collection('members').createIndex({ code: 1 }, { unique: true, name: 'code_unique' });
    await db.collection('members').createIndex({ name: 1, year: -1 });
    await db.collection('members').insertMany(
      Array.from({ length: 300 }, (_, i) => ({
        _id: new ObjectId(),
        code: `SV${i}`,
        name: `Nguyễn Văn ${i}`,
        year: new Int32(2020 + (i % 5)),
        score: new Double(8),
        big: Long.fromString('9007199254740993'),
        money: Decimal128.fromString('1234.50'),
        at: new Date(Date.UTC(2026, 0, 1 + i)),
        blob: new Binary(Buffer.from([i % 256, 1, 2])),
        ts: new Timestamp({ t: 1, i }),
        nested: { list: [1, 'a', null, { deep: true }] },
      })),
    );
    await client
      .db('other')
      .collection('settings')
      .insertOne({ _id: 'x', value: 1 } as never);
    await db.createCollection('empty');
  } finally {
    await client.close();
    await server.close();
  }
});

afterAll(async () => {
  if (root) await fsp.rm(root, { recursive: true, force: true });
});

describe('db:backup and db:restore CLIs', () => {
  it('exit with 2 and the usage on bad flags', async () => {
    const cases = await Promise.all([
      run('backup', ['--bogus']),
      run('backup', []),
      run('backup', ['--out', 'x.bak', '--uri', 'mongodb://127.0.0.1:1', '--data-dir', source]),
      run('backup', ['--out', 'x.bak', 'positional']),
      run('restore', []),
      run('restore', ['a.bak', 'b.bak']),
      run('restore', ['a.bak', '--force']),
    ]);
    for (const c of cases) {
      expect(c.code, c.stderr).toBe(2);
      expect(c.stderr).toMatch(/usage: npm run db:(backup|restore)/);
    }
    expect(cases[1].stderr).toContain('--out FILE is required');
    expect(cases[2].stderr).toContain('--uri and --data-dir cannot be used together');
    expect(cases[4].stderr).toContain('expected exactly one FILE');
    expect(fs.existsSync(path.join(repo, 'x.bak'))).toBe(false);
  });

  it('backs up a data directory no server runs on, and restores it with every type kept', async () => {
    const backup = await run('backup', ['--out', file, '--data-dir', source]);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout.trim()).toBe(file);
    expect(backup.stderr).toContain('301 documents in 3 collections');
    expect(backup.stderr).toContain('no server running: opened directly');
    expect(fs.existsSync(`${file}.tmp`)).toBe(false);
    // The backup's own server has closed, and said so by removing its address.
    expect(fs.existsSync(path.join(source, SERVER_FILE))).toBe(false);

    const target = path.join(root, 'restored');
    const restore = await run('restore', [file, '--data-dir', target]);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stderr).toContain('301 documents in 3 collections restored');

    const [before, after] = await Promise.all([rawContents(source), rawContents(target)]);
    expect(after.size).toBe(301);
    for (const [key, bytes] of before) expect(after.get(key)?.equals(bytes), key).toBe(true);

    const server = await startEmbeddedServer({ dataDir: target, inProcess: true });
    const client = new MongoClient(server.uri);
    try {
      const members = client.db('doanvien').collection('members');
      const names = (await members.listIndexes().toArray()).map((i) => [i.name, i.key, i.unique ?? false]);
      expect(names).toEqual([
        ['_id_', { _id: 1 }, false],
        ['code_unique', { code: 1 }, true],
        ['name_1_year_-1', { name: 1, year: -1 }, false],
      ]);
      await expect(members.insertOne({ code: 'SV7' })).rejects.toMatchObject({ code: 11000 });
      const collections = await client.db('doanvien').listCollections({}, { nameOnly: true }).toArray();
      expect(collections.map((c) => c.name).sort()).toEqual(['empty', 'members']);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('reaches the server that has the data directory open, from another process', async () => {
    const live = path.join(root, 'live');
    const server = await startEmbeddedServer({ dataDir: live });
    const out = path.join(root, 'live.bak');
    try {
      expect(server.mode).toBe('worker');
      const client = new MongoClient(server.uri);
      await client.db('doanvien').collection('c').insertOne({ a: 1 });
      await client.close();
      const backup = await run('backup', ['--out', out, '--data-dir', live]);
      expect(backup.code, backup.stderr).toBe(0);
      expect(backup.stderr).toContain(
        `1 document in 1 collection from the running server of ${live} (process ${process.pid}`,
      );
    } finally {
      await server.close();
    }
    expect((await verifyBackup(out)).trailer.documents).toBe(1);
  });

  it('backs up any server given by --uri', async () => {
    const server = await startEmbeddedServer({ dataDir: path.join(root, 'by-uri'), inProcess: true });
    const out = path.join(root, 'by-uri.bak');
    try {
      const client = new MongoClient(server.uri);
      await client
        .db('doanvien')
        .collection('c')
        .insertMany([{ a: new Int32(1) }, { a: new Double(1) }]);
      await client.close();
      const backup = await run('backup', ['--out', out, '--uri', server.uri]);
      expect(backup.code, backup.stderr).toBe(0);
      expect(backup.stderr).toContain('2 documents in 1 collection from the MongoDB at --uri');
      // The credential in the URI is never echoed.
      expect(backup.stderr + backup.stdout).not.toContain(server.credential!.password);
    } finally {
      await server.close();
    }
    const { header, trailer } = await verifyBackup(out);
    expect(header.source).toEqual({ kind: 'uri' });
    expect(trailer.documents).toBe(2);
  });

  it('refuses a non-empty data directory and leaves it as it was', async () => {
    const target = path.join(root, 'occupied');
    await fsp.mkdir(target);
    await fsp.writeFile(path.join(target, 'keep.txt'), 'mine');
    const restore = await run('restore', [file, '--data-dir', target]);
    expect(restore.code).toBe(1);
    expect(restore.stderr).toContain(`${target} is not empty`);
    expect(await fsp.readdir(target)).toEqual(['keep.txt']);
    await expect(restoreToDataDir(file, target)).rejects.toBeInstanceOf(RestoreRefused);
  });

  it('refuses a damaged, truncated or foreign file and writes nothing', async () => {
    const good = await fsp.readFile(file);
    const variants: [string, Buffer, RegExp][] = [];
    const flipped = Buffer.from(good);
    // A byte inside a document: the frames still parse, only the checksum tells.
    flipped[Math.floor(good.length / 2)] ^= 0x01;
    variants.push(['flipped', flipped, /checksum \(sha256\) does not match/]);
    variants.push(['half', good.subarray(0, Math.floor(good.length / 2)), /truncated/]);
    // Cut exactly before the trailer: every record whole, the end missing.
    const trailerAt = good.lastIndexOf(Buffer.from([FRAME.trailer]), good.length - 5 - 64);
    variants.push(['no-trailer', good.subarray(0, trailerAt), /truncated/]);
    variants.push([
      'appended',
      Buffer.concat([good, Buffer.from([FRAME.end, 5, 0, 0, 0, 0])]),
      /after the end/,
    ]);
    variants.push(['foreign', Buffer.from('{"not":"a backup"}\n'), /not a backup file/]);
    const v2 = Buffer.concat([
      MAGIC,
      Buffer.from([FRAME.header]),
      BSON.serialize({ format: 'dvut-backup', version: 2, createdAt: new Date(), source: { kind: 'uri' } }),
    ]);
    variants.push(['v2', v2, /format version 2 is not supported/]);

    for (const [name, bytes, message] of variants) {
      const damaged = path.join(root, `${name}.bak`);
      await fsp.writeFile(damaged, bytes);
      await expect(verifyBackup(damaged), name).rejects.toThrow(BackupFormatError);
      await expect(verifyBackup(damaged), name).rejects.toThrow(message);
      const target = path.join(root, `from-${name}`);
      await expect(restoreToDataDir(damaged, target), name).rejects.toThrow(message);
      expect(fs.existsSync(target), name).toBe(false);
    }
    expect((await fsp.readdir(root)).filter((f) => f.includes('restoring'))).toEqual([]);

    const cli = await run('restore', [path.join(root, 'flipped.bak'), '--data-dir', path.join(root, 'cli')]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain('refused, nothing written');
    expect(cli.stderr).toContain('checksum (sha256) does not match');
    expect(fs.existsSync(path.join(root, 'cli'))).toBe(false);
  });

  it('never opens the files when server.json names a live process, even one that does not answer', async () => {
    const dir = path.join(root, 'claimed');
    await fsp.cp(source, dir, { recursive: true });
    // This test's own process is alive, and nothing listens on port 1.
    await fsp.writeFile(
      path.join(dir, SERVER_FILE),
      JSON.stringify({ pid: process.pid, host: '127.0.0.1', port: 1, startedAt: '' }),
    );
    await expect(openDataDir(dir)).rejects.toThrow(/did not answer.*delete .*server\.json/);
  });

  it('refuses to back up a directory that holds no database, writing no file', async () => {
    const out = path.join(root, 'none.bak');
    const backup = await run('backup', ['--out', out, '--data-dir', path.join(root, 'nothing-here')]);
    expect(backup.code).toBe(1);
    expect(backup.stderr).toContain('no database in');
    expect(fs.existsSync(out) || fs.existsSync(`${out}.tmp`)).toBe(false);
  });
});
