/**
 * The app's connection (connectDatabase, installShutdownHandlers) to the embedded
 * server in its worker thread: the process exits on its own after close, and
 * promptly on a signal. The server's own worker tests:
 * packages/embedded-mongo/tests/worker.test.ts.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./fixtures/serve-worker.ts', import.meta.url));
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'dvut-worker-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function runFixture(
  args: string[],
  signal?: NodeJS.Signals,
): Promise<{ code: number | null; afterReadyMs: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let readyAt = 0;
    let stdout = '';
    let stderr = '';
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!readyAt && stdout.includes('ready')) {
        readyAt = Date.now();
        if (signal) child.kill(signal);
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, afterReadyMs: readyAt ? Date.now() - readyAt : -1, stdout, stderr });
    });
  });
}

describe('the app connected to the embedded server in a worker thread', () => {
  it('connectDatabase with a data directory exits on its own after close', async () => {
    const { code, afterReadyMs } = await runFixture(['close', tempDir()]);
    expect(code).toBe(0);
    expect(afterReadyMs).toBeGreaterThanOrEqual(0);
    expect(afterReadyMs).toBeLessThan(3000);
  }, 40_000);

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'closes the worker and exits promptly on %s',
    async (signal) => {
      const { code, afterReadyMs } = await runFixture(['signal', tempDir()], signal);
      expect(code).toBe(0);
      expect(afterReadyMs).toBeLessThan(3000);
    },
    40_000,
  );
});
