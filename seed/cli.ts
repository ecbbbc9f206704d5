/**
 * `npm run seed -- --members 5000 --seed 1 [--reset] [--batch 1000]`
 *
 * Connects like the app does (MONGODB_URI, else the embedded server with its
 * data directory), writes the demo data idempotently and prints a summary.
 * Progress goes to stderr so stdout stays clean for the summary.
 */
import { parseArgs } from 'node:util';
import { connectDatabase } from '../db/connect.server.ts';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_STUDENT } from './generate.ts';
import { seedDatabase, SeedConflictError, type SeedProgress } from './seed.server.ts';

const USAGE = `Usage: npm run seed -- [--members N] [--seed S] [--reset] [--batch B]

  --members N   members to generate, including the demo student (default 5000, max 1000000)
  --seed S      integer seed of the generator (default 1)
  --reset       empty the seeded collections first
  --batch B     members per insert (default 1000)
`;

function parsePositiveInt(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max) {
    process.stderr.write(`--${name} must be an integer between 0 and ${max}, got "${value}"\n\n${USAGE}`);
    process.exit(2);
  }
  return n;
}

function progressBar(): (p: SeedProgress) => void {
  const tty = process.stderr.isTTY;
  let lastPhase = '';
  let lastPercent = -1;
  return (p) => {
    const percent = p.total ? Math.floor((p.done / p.total) * 100) : 100;
    if (p.phase === lastPhase && percent === lastPercent) return;
    if (tty) {
      const width = 30;
      const filled = Math.round((percent / 100) * width);
      process.stderr.write(
        `\r${p.phase.padEnd(9)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)}% ${p.done}/${p.total}`,
      );
      if (p.done >= p.total) process.stderr.write('\n');
    } else if (p.phase !== lastPhase || percent % 10 === 0) {
      // Not a terminal (CI, logs): one line per phase and per 10%.
      process.stderr.write(`${p.phase} ${percent}% (${p.done}/${p.total})\n`);
    }
    lastPhase = p.phase;
    lastPercent = percent;
  };
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        members: { type: 'string' },
        seed: { type: 'string' },
        batch: { type: 'string' },
        reset: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  const members = parsePositiveInt('members', args.members, 5000, 1_000_000);
  const seed = parsePositiveInt('seed', args.seed, 1, 2 ** 31 - 1);
  const batchSize = parsePositiveInt('batch', args.batch, 1000, 100_000) || 1000;

  const db = await connectDatabase();
  const started = Date.now();
  try {
    const result = await seedDatabase({
      members,
      seed,
      batchSize,
      reset: args.reset,
      onProgress: progressBar(),
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(
      `Seeded in ${seconds} s (${db.kind} database).\n` +
        Object.keys(result.inserted)
          .map((k) => {
            const key = k as keyof typeof result.inserted;
            return `  ${k.padEnd(10)} ${String(result.inserted[key]).padStart(7)} new, ${result.existing[key]} already there`;
          })
          .join('\n') +
        `\nDemo accounts (password ${DEMO_PASSWORD}): ${DEMO_ACCOUNTS.map((a) => a.email).join(', ')}\n` +
        `Demo student: ${DEMO_STUDENT.fullName} (${DEMO_STUDENT.email}).\n`,
    );
  } catch (error) {
    if (error instanceof SeedConflictError) {
      process.stderr.write(`\n${error.message}\n`);
      process.exitCode = 1;
    } else {
      throw error;
    }
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `\nSeed failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
