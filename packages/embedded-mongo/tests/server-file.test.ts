/**
 * server.json: a server with a data directory records where it listens, so a second
 * process (db:backup) reaches it instead of opening the files behind its back; a
 * clean close removes it, and a file left by a dead process is ignored.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVER_FILE, findRunningServer, startEmbeddedServer } from '../src/index.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await fsp.rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'em-server-file-'));
  dirs.push(dir);
  return dir;
}

describe('server.json', () => {
  for (const inProcess of [true, false]) {
    it(`names the running server (${inProcess ? 'in-process' : 'worker'}) until it closes`, async () => {
      const dir = await tempDir();
      const server = await startEmbeddedServer({ dataDir: dir, inProcess });
      try {
        const file = JSON.parse(await fsp.readFile(path.join(dir, SERVER_FILE), 'utf8'));
        expect(file).toMatchObject({ pid: process.pid, host: '127.0.0.1', port: server.port });
        expect(fs.statSync(path.join(dir, SERVER_FILE)).mode & 0o777).toBe(0o600);
        // Never the credential: that stays in credential.json.
        expect(JSON.stringify(file)).not.toContain(server.credential!.password);

        const running = await findRunningServer(dir);
        expect(running?.port).toBe(server.port);
        const client = new MongoClient(running!.uri);
        try {
          await client.db('t').collection('c').insertOne({ a: 1 });
          expect(await client.db('t').collection('c').countDocuments()).toBe(1);
        } finally {
          await client.close();
        }
      } finally {
        await server.close();
      }
      expect(fs.existsSync(path.join(dir, SERVER_FILE))).toBe(false);
      expect(await findRunningServer(dir)).toBeNull();
    });
  }

  it('ignores a file left by a process that is gone', async () => {
    const dir = await tempDir();
    const server = await startEmbeddedServer({ dataDir: dir, inProcess: true });
    await server.close();
    // As a crash leaves it: a pid no process has (above the kernel's pid_max).
    await fsp.writeFile(
      path.join(dir, SERVER_FILE),
      JSON.stringify({ pid: 2 ** 22 + 1, host: '127.0.0.1', port: server.port, startedAt: '' }),
    );
    expect(await findRunningServer(dir)).toBeNull();
    await fsp.writeFile(path.join(dir, SERVER_FILE), 'not json');
    expect(await findRunningServer(dir)).toBeNull();
  });
});
