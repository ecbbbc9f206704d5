/**
 * The route matchers (tests/setup/matchers.ts) pass and fail where a pair of
 * `status` / `location` assertions would, and say why when they fail.
 */
import { describe, expect, it } from 'vitest';
import type { RouteResult } from '../fixtures/remix.ts';

const result = (status: number, location: string | null, data: unknown = null): RouteResult => ({
  status,
  location,
  data,
  headers: new Headers(location ? { Location: location } : {}),
});

/** The failure message of an assertion, without the terminal colours. */
function failure(assertion: () => void): string {
  try {
    assertion();
  } catch (error) {
    // eslint-disable-next-line no-control-regex
    return String((error as Error).message).replace(/\u001b\[[0-9;]*m/g, '');
  }
  throw new Error('the assertion passed');
}

describe('toRedirectTo', () => {
  it('passes on a 302 to the same target, parameter order aside', () => {
    expect(result(302, '/members/1')).toRedirectTo('/members/1');
    expect(result(302, '/members/1?ok=memberSaved')).toRedirectTo('/members/1', { toast: 'memberSaved' });
    expect(result(302, '/cells?ok=7&broke=a')).toRedirectTo('/cells?broke=a', { toast: '7' });
    expect(result(303, '/x')).toRedirectTo('/x', { status: 303 });
  });

  it('fails on another status, another path, a missing or extra toast', () => {
    expect(failure(() => expect(result(200, null, { error: 'bad' })).toRedirectTo('/x'))).toMatch(
      /status 200[\s\S]*"bad"/,
    );
    expect(failure(() => expect(result(303, '/x')).toRedirectTo('/x'))).toMatch(/302 redirect/);
    expect(failure(() => expect(result(302, '/y')).toRedirectTo('/x'))).toMatch(/redirect to "\/x"/);
    expect(failure(() => expect(result(302, '/x?ok=a')).toRedirectTo('/x'))).toMatch(/x\?ok=a/);
    expect(failure(() => expect(result(302, '/x')).toRedirectTo('/x', { toast: 'a' }))).toMatch(/x\?ok=a/);
    failure(() => expect(result(302, '/x?ok=b')).toRedirectTo('/x', { toast: 'a' }));
    failure(() => expect(result(302, '/x?ok=a&more=1')).toRedirectTo('/x', { toast: 'a' }));
    failure(() => expect(result(302, '/x/y')).toRedirectTo('/x'));
  });

  it('negates', () => {
    expect(result(302, '/y')).not.toRedirectTo('/x');
    expect(failure(() => expect(result(302, '/x')).not.toRedirectTo('/x'))).toMatch(/not to redirect/);
  });
});

describe('toHaveStatus', () => {
  it('passes on the status and shows the body when it does not', () => {
    expect(result(400, null, { fieldErrors: { email: 'x' } })).toHaveStatus(400);
    expect(failure(() => expect(result(500, null, 'Unexpected Server Error')).toHaveStatus(200))).toMatch(
      /expected status 200, received 500[\s\S]*body:[\s\S]*Unexpected Server Error/,
    );
    expect(failure(() => expect(result(302, '/login')).toHaveStatus(200))).toMatch(/location: \/login/);
  });
});
