/**
 * Production requires SESSION_SECRET. A demo served only on this machine gets a random
 * secret kept in the data directory (`DATA_DIR/session-secret`, 0600, next to the
 * embedded database's own `credential.json`), so `npm start` works out of the box without
 * ever falling back to a known default, and one backup of the directory carries it.
 *
 * Versions before issue 18 kept it beside the directory (`<parent of DATA_DIR>/session-secret`,
 * `.data/session-secret` by default), where every data directory under one parent shared
 * it. Found there and not yet inside, it is copied in, so signed-in users stay signed in.
 * Copied, not moved: other data directories under the same parent may still use it.
 */
import { copyFileSync, chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export const SESSION_SECRET_FILE = 'session-secret';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export interface SessionSecretResult {
  file: string;
  /** Where it came from: created now, copied from the old place, or already inside. */
  origin: 'created' | 'copied' | 'existing';
}

/**
 * Sets `env.SESSION_SECRET` from the data directory's file (made or moved first) when the
 * app runs in production on a loopback host without one; otherwise leaves it alone and
 * returns null (env.server.ts then refuses a non-loopback production start without it).
 */
export function ensureSessionSecret(env: NodeJS.ProcessEnv, root: string): SessionSecretResult | null {
  if (env.NODE_ENV !== 'production' || env.SESSION_SECRET) return null;
  if (!LOOPBACK.has(env.HOST || '127.0.0.1')) return null;
  const dataDir = path.resolve(root, env.DATA_DIR || path.join('.data', 'db'));
  const file = path.join(dataDir, SESSION_SECRET_FILE);
  const legacy = path.join(path.dirname(dataDir), SESSION_SECRET_FILE);
  let origin: SessionSecretResult['origin'] = 'existing';
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (existsSync(legacy)) {
      copyFileSync(legacy, file);
      chmodSync(file, 0o600);
      origin = 'copied';
    } else {
      writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
      origin = 'created';
    }
  }
  env.SESSION_SECRET = readFileSync(file, 'utf8').trim();
  return { file, origin };
}
