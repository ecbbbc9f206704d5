/**
 * `npm run test:crash [-- --rounds N]`: the crash tests with many kills (default 30 per
 * scenario). `npm test` runs the same tests with one kill per scenario of the app and
 * three of the database; this is the long run: SIGKILL at random moments during member
 * imports, bulk steps, bulk evidence approvals, single steps, sending a batch of mail (the
 * app's own code), and during transaction commits (the embedded server alone), each followed
 * by a restart and the all-or-nothing, `audit:verify` and mail-delivered-once checks.
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '30' } } });
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`test:crash: --rounds must be a positive whole number, not '${values.rounds}'`);
  process.exit(2);
}
const env = { ...process.env, CRASH_ROUNDS: String(rounds) };
const suites: [string, string][] = [
  ['db', 'packages/embedded-mongo/tests/txn-crash.test.ts'],
  ['integration', 'tests/integration/crash-safety.test.ts'],
  ['integration', 'tests/integration/mail-crash.test.ts'],
];
let failed = false;
for (const [project, file] of suites) {
  const result = spawnSync('npx', ['vitest', 'run', '--project', project, file], { stdio: 'inherit', env });
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
