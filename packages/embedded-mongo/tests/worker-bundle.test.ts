/**
 * The worker's bundle cache (worker/bundle.ts): a bundle built once is reused by the
 * next start instead of being built again, and a cache directory another user could
 * write to is never used (the bundle then goes to a private temporary directory).
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { workerBundle } from '../src/worker/bundle.ts';
import { tempDirs } from './process-helpers.ts';

const tempDir = tempDirs('dvut-bundle-');

describe('worker bundle cache', () => {
  it('keeps a built bundle and loads the kept file on the next start', async () => {
    const dir = path.join(tempDir(), 'worker');
    const first = await workerBundle(dir);
    const file = fileURLToPath(first.url);
    expect(path.dirname(file)).toBe(dir);
    expect(fs.readFileSync(file, 'utf8')).toContain('embedded-mongo');
    first.remove();
    expect(fs.existsSync(file)).toBe(true);
    // Whatever the kept file holds is what the next start loads: nothing is rebuilt.
    fs.writeFileSync(file, 'export const kept = 1;\n');
    const second = await workerBundle(dir);
    expect(fileURLToPath(second.url)).toBe(file);
    expect(fs.readFileSync(fileURLToPath(second.url), 'utf8')).toBe('export const kept = 1;\n');
    expect((fs.statSync(dir).mode & 0o777).toString(8)).toBe('700');
  });

  it('does not use a cache directory others can write to', async () => {
    const dir = path.join(tempDir(), 'open');
    fs.mkdirSync(dir);
    fs.chmodSync(dir, 0o777);
    const bundle = await workerBundle(dir);
    const file = fileURLToPath(bundle.url);
    expect(path.dirname(file)).not.toBe(dir);
    expect(fs.readdirSync(dir)).toEqual([]);
    bundle.remove();
    expect(fs.existsSync(file)).toBe(false);
  });
});
