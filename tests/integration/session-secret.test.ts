import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureSessionSecret } from '~/utils/auth/session-secret.server';

const roots: string[] = [];
function tempRoot() {
  const root = mkdtempSync(path.join(os.tmpdir(), 'session-secret-'));
  roots.push(root);
  return root;
}
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('the local session secret (loopback production start without SESSION_SECRET)', () => {
  it('lives inside the data directory, not beside it, and is kept across starts', () => {
    const root = tempRoot();
    const env: NodeJS.ProcessEnv = { NODE_ENV: 'production', DATA_DIR: 'data/db' };
    const result = ensureSessionSecret(env, root);
    const inside = path.join(root, 'data', 'db', 'session-secret');
    expect(result).toEqual({ file: inside, origin: 'created' });
    expect(existsSync(path.join(root, 'data', 'session-secret'))).toBe(false);
    expect(env.SESSION_SECRET).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(inside).mode & 0o777).toBe(0o600);

    const again: NodeJS.ProcessEnv = { NODE_ENV: 'production', DATA_DIR: 'data/db' };
    expect(ensureSessionSecret(again, root)?.origin).toBe('existing');
    expect(again.SESSION_SECRET).toBe(env.SESSION_SECRET);
  });

  it('defaults to .data/db/session-secret', () => {
    const root = tempRoot();
    const env: NodeJS.ProcessEnv = { NODE_ENV: 'production' };
    expect(ensureSessionSecret(env, root)?.file).toBe(path.join(root, '.data', 'db', 'session-secret'));
  });

  it('copies a secret from the old place beside the directory, so sessions survive', () => {
    const root = tempRoot();
    mkdirSync(path.join(root, '.data'), { recursive: true });
    writeFileSync(path.join(root, '.data', 'session-secret'), 'old-secret\n', { mode: 0o600 });
    const env: NodeJS.ProcessEnv = { NODE_ENV: 'production' };
    const result = ensureSessionSecret(env, root);
    expect(result).toEqual({ file: path.join(root, '.data', 'db', 'session-secret'), origin: 'copied' });
    expect(env.SESSION_SECRET).toBe('old-secret');
    expect(readFileSync(result!.file, 'utf8').trim()).toBe('old-secret');
    expect(statSync(result!.file).mode & 0o777).toBe(0o600);
    // Left in place: another data directory under the same parent may still read it.
    expect(existsSync(path.join(root, '.data', 'session-secret'))).toBe(true);
  });

  it('leaves a given SESSION_SECRET, development, and non-loopback hosts alone', () => {
    const root = tempRoot();
    const given: NodeJS.ProcessEnv = { NODE_ENV: 'production', SESSION_SECRET: 'set' };
    expect(ensureSessionSecret(given, root)).toBeNull();
    expect(given.SESSION_SECRET).toBe('set');
    expect(ensureSessionSecret({ NODE_ENV: 'development' }, root)).toBeNull();
    const exposed: NodeJS.ProcessEnv = { NODE_ENV: 'production', HOST: '0.0.0.0' };
    expect(ensureSessionSecret(exposed, root)).toBeNull();
    expect(exposed.SESSION_SECRET).toBeUndefined();
    expect(existsSync(path.join(root, '.data'))).toBe(false);
  });
});
