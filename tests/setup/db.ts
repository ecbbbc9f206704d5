/**
 * Integration setup: each test file (its own forked worker module graph) gets a
 * fresh in-memory embedded database, so files run in parallel without sharing data.
 */
import mongoose from 'mongoose';
import { afterAll, beforeAll } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../../db/connect.server.ts';

let handle: DatabaseHandle | undefined;

beforeAll(async () => {
  if (mongoose.connection.readyState !== 1) handle = await connectDatabase({ dataDir: null });
});

afterAll(async () => {
  await handle?.close();
});
