/**
 * When a job left `committing` is known to be interrupted (app/domain/import-job.ts):
 * the clock and the process are parameters, so no test waits for a transaction's lifetime.
 */
import { describe, expect, it } from 'vitest';
import { isInterrupted, type JobOwner } from '~/domain/import-job';

const self: JobOwner = { instance: 'app-1:3000', boot: 'run-2' };
const now = new Date('2026-12-06T10:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const ctx = (runningHere = false) => ({ now, self, runningHere, staleAfterMs: 120_000 });

describe('isInterrupted', () => {
  it('this process own job: interrupted only when it no longer runs it', () => {
    expect(isInterrupted({ owner: self, startedAt: ago(1_000) }, ctx(true))).toBe(false);
    expect(isInterrupted({ owner: self, startedAt: ago(1_000) }, ctx(false))).toBe(true);
    // However long it has been running here: this process knows it is still at it.
    expect(isInterrupted({ owner: self, startedAt: ago(600_000) }, ctx(true))).toBe(false);
  });

  it('an earlier run of this instance is dead at once, even a second ago', () => {
    expect(
      isInterrupted({ owner: { instance: self.instance, boot: 'run-1' }, startedAt: ago(1_000) }, ctx()),
    ).toBe(true);
  });

  it('another instance: interrupted only once no commit could still be running', () => {
    const other = { instance: 'app-2:3000', boot: 'x' };
    expect(isInterrupted({ owner: other, startedAt: ago(5_000) }, ctx())).toBe(false);
    expect(isInterrupted({ owner: other, startedAt: ago(120_000) }, ctx())).toBe(false);
    expect(isInterrupted({ owner: other, startedAt: ago(120_001) }, ctx())).toBe(true);
  });

  it('a job without an owner is judged by its start alone; without a start it is not waited for', () => {
    expect(isInterrupted({ owner: null, startedAt: null }, ctx())).toBe(true);
    expect(isInterrupted({ owner: null, startedAt: ago(5_000) }, ctx())).toBe(false);
  });
});
