/**
 * Crash safety of the app's own writes: a child process runs the member import and then
 * bulk returns on the embedded server with a data directory, and is killed with SIGKILL
 * in the middle. A fresh process then finds only whole members (valid, stage = last
 * history step, returned ones with their reason) and an intact audit chain; the import,
 * run again, completes to the same result as a run that was never interrupted.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const WRITER = join(import.meta.dirname, '../fixtures/app-crash-writer.ts');
const IMPORT_ROWS = 3000;
const dataDir = mkdtempSync(join(tmpdir(), 'dvut-app-crash-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

interface Run {
  result: Record<string, unknown> | null;
  progress: number;
  killed: boolean;
}

/**
 * Runs one phase of the writer; with `killAfter`, sends SIGKILL once that many
 * `PROGRESS` units were reported (so the kill lands mid-write, not before it).
 */
function run(phase: string, killAfter?: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dataDir, phase], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_ENV: 'test' },
    });
    const out: Run = { result: null, progress: 0, killed: false };
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('PROGRESS ')) {
          out.progress = Number(line.slice(9));
          if (killAfter !== undefined && out.progress >= killAfter && !out.killed) {
            out.killed = true;
            child.kill('SIGKILL');
          }
        } else if (line.startsWith('RESULT ')) {
          out.result = JSON.parse(line.slice(7)) as Record<string, unknown>;
        }
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' || code === 0) resolve(out);
      else reject(new Error(`${phase} exited with ${code ?? signal}: ${stderr.slice(-2000)}`));
    });
  });
}

interface Verdict {
  invalid: string[];
  imported: number;
  returned: number;
  audit: { ok: boolean; count: number; problem: unknown; unchained: number };
}

const verify = async () => (await run('verify')).result as unknown as Verdict;

describe('SIGKILL in the middle of app writes', () => {
  it('seeds the data directory', async () => {
    expect((await run('seed')).result).toEqual({});
  }, 120_000);

  it('mid-import: only whole members; re-running the import finishes it the same way', async () => {
    const killed = await run('import', 600);
    expect(killed.killed).toBe(true);
    expect(killed.result).toBeNull();
    const after = await verify();
    expect(after.invalid).toEqual([]);
    expect(after.imported).toBeGreaterThan(0);
    expect(after.imported).toBeLessThan(IMPORT_ROWS);
    expect(after.audit).toMatchObject({ ok: true, problem: null, unchained: 0 });

    const again = await run('import');
    expect(again.result).toMatchObject({ ok: true, problems: 0 });
    const whole = await verify();
    expect(whole.imported).toBe(IMPORT_ROWS);
    expect(whole.invalid).toEqual([]);
    // A third run finds everything in place and writes nothing.
    expect((await run('import')).result).toMatchObject({ ok: true, written: 0 });
  }, 240_000);

  it('mid-bulk return: every record returned completely or not at all; the audit chain holds', async () => {
    const before = await verify();
    const killed = await run('bulk', 4);
    expect(killed.killed).toBe(true);
    const after = await verify();
    expect(after.invalid).toEqual([]);
    expect(after.returned).toBeGreaterThanOrEqual(before.returned + 4);
    expect(after.audit).toMatchObject({ ok: true, problem: null, unchained: 0 });
    expect(after.audit.count).toBeGreaterThan(before.audit.count);
  }, 240_000);
});
