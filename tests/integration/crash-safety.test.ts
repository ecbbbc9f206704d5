/**
 * Nothing half-written (issue 15, decision 018): a child process runs the app's own code
 * on the embedded server with a data directory — member imports, bulk returns with
 * resumes, bulk evidence approvals, single steps — and is killed with SIGKILL at a random
 * moment. A fresh process then finds every member whole, each imported file all there or
 * not at all, no record item from a submission that is not approved, and `audit:verify`
 * passing: every chain intact, every change with its event.
 * `CRASH_ROUNDS` kills per scenario (default 1; `npm run test:crash` runs 30).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnLines } from '../../packages/embedded-mongo/tests/process-helpers.ts';

const WRITER = join(import.meta.dirname, '../fixtures/app-crash-writer.ts');
const ROUNDS = Math.max(1, Number(process.env.CRASH_ROUNDS ?? 1));
const IMPORT_ROWS = 300;
const dataDir = mkdtempSync(join(tmpdir(), 'dvut-app-crash-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

interface Run {
  result: Record<string, unknown> | null;
  progress: number;
  killed: boolean;
}

/**
 * Runs one phase of the writer. With `killWithinMs`, sends SIGKILL at a random moment up
 * to that long after the phase reports READY (its setup done, its writing under way).
 */
function run(phase: string, round: number, killWithinMs?: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const out: Run = { result: null, progress: 0, killed: false };
    const { child, stderr } = spawnLines(
      WRITER,
      [dataDir, phase, String(round)],
      (line, writer) => {
        if (line === 'READY' && killWithinMs !== undefined) {
          setTimeout(
            () => {
              out.killed = true;
              writer.kill('SIGKILL');
            },
            Math.floor(Math.random() * killWithinMs),
          );
        } else if (line.startsWith('PROGRESS ')) out.progress = Number(line.slice(9));
        else if (line.startsWith('RESULT '))
          out.result = JSON.parse(line.slice(7)) as Record<string, unknown>;
      },
      { ...process.env, NODE_ENV: 'test' },
    );
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' || code === 0) resolve(out);
      else reject(new Error(`${phase} exited with ${code ?? signal}: ${stderr().slice(-3000)}`));
    });
  });
}

interface Verdict {
  invalid: string[];
  imported: Record<string, number>;
  strayItems: string[];
  approved: number;
  returned: number;
  audit: { ok: boolean; events: number; problem: unknown; gaps: unknown[]; unchained: number };
}

async function verify(round: number): Promise<Verdict> {
  const verdict = (await run('verify', round)).result as unknown as Verdict;
  expect(verdict.invalid).toEqual([]);
  expect(verdict.strayItems).toEqual([]);
  expect(verdict.audit).toMatchObject({ ok: true, problem: null, gaps: [], unchained: 0 });
  for (const [prefix, count] of Object.entries(verdict.imported))
    expect([prefix, count]).toSatisfy(([, n]) => n === 0 || n === IMPORT_ROWS);
  return verdict;
}

/** Kills a phase ROUNDS times at random moments, checking everything after each restart. */
async function killRounds(phase: string, killWithinMs: number, first: number) {
  let progressed = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const killed = await run(phase, first + i, killWithinMs);
    progressed += killed.progress;
    await verify(first + i);
  }
  return progressed;
}

describe('SIGKILL in the middle of app writes', () => {
  it('seeds the data directory, which is then intact and complete', async () => {
    expect((await run('seed', 0)).result).toEqual({});
    const verdict = await verify(0);
    expect(verdict.audit.events).toBeGreaterThan(1500);
  }, 180_000);

  it(
    `member imports: each file whole or absent, with its events (${ROUNDS} kills)`,
    async () => {
      await killRounds('import', 6000, 1);
      // An import that was not killed lands whole.
      const whole = await run('import', 1000);
      expect(whole.killed).toBe(false);
      expect(whole.progress).toBe(3);
      const verdict = await verify(1000);
      expect(Object.entries(verdict.imported).filter(([p]) => p.startsWith('CR1000-'))).toEqual([
        ['CR1000-0-', IMPORT_ROWS],
        ['CR1000-1-', IMPORT_ROWS],
        ['CR1000-2-', IMPORT_ROWS],
      ]);
    },
    120_000 + ROUNDS * 40_000,
  );

  it(
    `bulk returns and resumes: every record whole, every bulk event listing its records (${ROUNDS} kills)`,
    async () => {
      const progressed = await killRounds('bulk', 3000, 2000);
      if (ROUNDS >= 3) expect(progressed).toBeGreaterThan(0);
    },
    60_000 + ROUNDS * 30_000,
  );

  it(
    `bulk evidence approvals: approved means in the record (${ROUNDS} kills)`,
    async () => {
      await killRounds('approve', 3000, 3000);
    },
    60_000 + ROUNDS * 30_000,
  );

  it(
    `single steps: each with its event, or not at all (${ROUNDS} kills)`,
    async () => {
      await killRounds('step', 3000, 4000);
    },
    60_000 + ROUNDS * 30_000,
  );
});
