/**
 * The app's connection (connectDatabase, installShutdownHandlers) to the embedded
 * server in its worker thread: the process exits on its own after close, and
 * promptly on a signal. The server's own worker tests:
 * packages/embedded-mongo/tests/worker.test.ts.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runFixture as runFixtureIn, tempDirs } from '../../packages/embedded-mongo/tests/process-helpers.ts';

const fixture = fileURLToPath(new URL('./fixtures/serve-worker.ts', import.meta.url));
const tempDir = tempDirs('dvut-worker-');

const runFixture = (args: string[], signal?: NodeJS.Signals) => runFixtureIn(fixture, args, signal);

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
