/**
 * `npm test`: every test. Vitest (unit, integration, db) first, then the Playwright
 * end-to-end tests on a real Chromium. Where no Chromium can be found or installed,
 * the other tests still run, the skip is announced loudly, and under CI=true the
 * run fails, because a green run without the browser tests would hide breakage.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findChromium } from './find-chromium.ts';

const passThrough = process.argv.slice(2);
const onlyVitest = passThrough.includes('--no-e2e');

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  return result.status ?? 1;
}

function banner(lines: string[]) {
  const width = Math.max(...lines.map((l) => l.length)) + 4;
  const bar = '!'.repeat(width);
  console.error(`\n${bar}\n${lines.map((l) => `! ${l.padEnd(width - 4)} !`).join('\n')}\n${bar}\n`);
}

// Build first: the integration suite's security-headers test serves the production
// build, and the end-to-end suite below uses the same one.
const built = run('npx', ['remix', 'vite:build']) === 0;
let failed = !built;
if (run('npx', ['vitest', 'run']) !== 0) failed = true;

if (!onlyVitest) {
  let chromium = findChromium();
  if (!chromium) {
    console.error('No Chromium found; trying `npx playwright install chromium`…');
    if (run('npx', ['playwright', 'install', 'chromium']) === 0) chromium = findChromium();
  }
  if (!chromium) {
    banner([
      'END-TO-END TESTS SKIPPED: no Chromium browser was found.',
      'Install one (Debian/Ubuntu: apt-get install -y chromium)',
      'or set CHROMIUM_PATH=/path/to/chrome, then run npm test again.',
    ]);
    if (process.env.CI === 'true') failed = true;
  } else {
    // The app built above, on a throw-away database directory.
    if (built) {
      const dataDir = mkdtempSync(join(tmpdir(), 'dvut-e2e-'));
      const env = { ...process.env, CHROMIUM_PATH: chromium, E2E_DATA_DIR: dataDir };
      if (run('npx', ['playwright', 'test'], env) !== 0) failed = true;
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
}

process.exit(failed ? 1 : 0);
