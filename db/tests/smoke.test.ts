/**
 * End to end through every layer: mongoose → driver → wire server → engine,
 * in memory. Skipped until the engine (packages/embedded-mongo/src/engine/index.ts) exists.
 */
import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import mongoose, { Schema } from 'mongoose';
import { connectDatabase, databaseKind } from '../connect.server.ts';
import { startEmbeddedServer } from '@dvut/embedded-mongo';

const engineIndex = fileURLToPath(
  new URL('../../packages/embedded-mongo/src/engine/index.ts', import.meta.url),
);

describe.skipIf(!existsSync(engineIndex))('embedded server smoke test', () => {
  it('serves mongoose: connect, insert, find, disconnect, close', async () => {
    const server = await startEmbeddedServer();
    const connection = mongoose.createConnection(server.uri, { dbName: 'smoke' });
    try {
      await connection.asPromise();
      const Thing = connection.model(
        'Thing',
        new Schema({ name: { type: String, required: true }, count: Number }, { timestamps: true }),
      );
      await Thing.create({ name: 'first', count: 1 });
      await Thing.insertMany([
        { name: 'second', count: 2 },
        { name: 'third', count: 3 },
      ]);
      const found = await Thing.find({ count: { $gte: 2 } })
        .sort({ count: 1 })
        .lean();
      expect(found.map((thing) => thing.name)).toEqual(['second', 'third']);
      expect(found[0]._id).toBeInstanceOf(mongoose.Types.ObjectId);
      expect(found[0].createdAt).toBeInstanceOf(Date);
      expect(await Thing.countDocuments()).toBe(3);
    } finally {
      await connection.close();
      await server.close();
    }
  });
});

describe.skipIf(!existsSync(engineIndex))('connectDatabase and the db command on the real engine', () => {
  it('starts an in-memory embedded server when no MONGODB_URI is set', async () => {
    const saved = process.env.MONGODB_URI;
    delete process.env.MONGODB_URI;
    try {
      const handle = await connectDatabase({ dataDir: null });
      expect(handle.kind).toBe('embedded');
      expect(databaseKind()).toBe('embedded');
      // The credential the embedded server generated rides in the URI (SCRAM-SHA-256, authSource admin).
      expect(handle.uri).toMatch(
        /^mongodb:\/\/app-[0-9a-f]{8}:[\w-]+@127\.0\.0\.1:\d+\/\?replicaSet=rs0&authSource=admin$/,
      );
      const Note = mongoose.model('SmokeNote', new Schema({ text: String }));
      await Note.create({ text: 'xin chào' });
      // sanitizeFilter: an operator smuggled in as a value becomes an `$eq` operand, never an operator.
      await expect(Note.countDocuments({ text: { $ne: 'nothing' } })).rejects.toThrow(/Cast to string/);
      expect(await Note.countDocuments({ text: 'xin chào' })).toBe(1);
      await handle.close();
      expect(databaseKind()).toBeNull();
    } finally {
      if (saved !== undefined) process.env.MONGODB_URI = saved;
    }
  });

  it('`npm run db` prints its URI, serves, and exits cleanly on SIGTERM', async () => {
    const cli = fileURLToPath(new URL('../cli.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', '0', '--memory'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const uri = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /mongodb:\/\/\S+/.exec(out);
          if (match) resolve(match[0]);
        });
        child.on('exit', () => reject(new Error(`db exited before printing its URI: ${out}`)));
      });
      const client = new MongoClient(uri, { serverSelectionTimeoutMS: 3000 });
      expect(await client.db('admin').command({ ping: 1 })).toMatchObject({ ok: 1 });
      // The printed URI carries the credential: a command that needs one works.
      expect(await client.db('cli').collection('c').insertOne({ a: 1 })).toMatchObject({
        acknowledged: true,
      });
      await client.close();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  }, 30_000);
});
