/**
 * Helpers for the tests that run a fixture in a child process (worker shutdown, crash
 * safety), shared by this package's tests, db/tests and tests/integration.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** A maker of temporary directories named `<prefix>…`, all removed after the file. */
export function tempDirs(prefix: string): () => string {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
}

export interface FixtureRun {
  code: number | null;
  /** How long the child lived after printing "ready" (-1: it never did). */
  afterReadyMs: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node --import tsx <fixture> ...args`; once it prints "ready", sends it `signal`
 * (if any). Killed after `killAfterMs` whatever happens.
 */
export function runFixture(
  fixture: string,
  args: string[],
  signal?: NodeJS.Signals,
  killAfterMs = 30_000,
): Promise<FixtureRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let readyAt = 0;
    let stdout = '';
    let stderr = '';
    const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
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

/**
 * Spawns `node --import tsx <script> ...args` and hands each whole line it prints to
 * `onLine`. `stderr()` is what it has written to stderr so far.
 */
export function spawnLines(
  script: string,
  args: string[],
  onLine: (line: string, child: ChildProcess) => void,
  env?: NodeJS.ProcessEnv,
): { child: ChildProcess; stderr: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(env ? { env } : {}),
  });
  let buffered = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) onLine(line, child);
  });
  return { child, stderr: () => stderr };
}
