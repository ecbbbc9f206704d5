/**
 * `npm run audit:verify [-- --data-dir DIR]`
 *
 * Checks the audit log's hash chain (docs/decisions/010-audit-hash-chain.md): seq
 * continuity, each prevHash link and each hash, streaming events in seq order so a
 * million events take flat memory. Connects like the app (MONGODB_URI, else the
 * embedded server on DATA_DIR / .data/db; stop the app first when it uses the same
 * data directory). Prints OK with the count and the head hash (record it elsewhere
 * to detect a truncated tail later), or names the first broken event and exits 1.
 */
import { parseArgs } from 'node:util';
import { optionsOrUsage, runMain } from './cli.ts';
import { connectDatabase } from '../db/connect.server.ts';
import { verifyAuditChain } from '../app/utils/audit.server.ts';

const USAGE = `Usage: npm run audit:verify -- [--data-dir DIR]

  --data-dir DIR   the embedded database's directory (default DATA_DIR or .data/db);
                   ignored when MONGODB_URI is set
`;

async function main(): Promise<number> {
  const args = optionsOrUsage(
    () =>
      parseArgs({
        options: {
          'data-dir': { type: 'string' },
          help: { type: 'boolean', short: 'h', default: false },
        },
      }).values,
    USAGE,
  );
  if (typeof args === 'number') return args;

  const db = await connectDatabase(args['data-dir'] ? { dataDir: args['data-dir'] } : {});
  try {
    const tty = process.stderr.isTTY;
    const report = await verifyAuditChain({
      batchSize: 1000,
      onProgress: (n) => {
        if (tty && n % 50_000 === 0) process.stderr.write(`\rchecked ${n} events…`);
      },
    });
    if (tty) process.stderr.write('\r');
    if (report.problem) {
      const p = report.problem;
      process.stdout.write(
        `BROKEN: audit chain fails at seq ${p.seq ?? '?'} (_id ${p.id ?? '?'}): ${p.message}\n` +
          `  ${report.count - 1} events before it are intact (head seq ${report.headSeq}, hash ${report.headHash}).\n`,
      );
      return 1;
    }
    if (report.unchained) {
      process.stdout.write(
        `BROKEN: ${report.unchained} audit events are outside the chain (no seq), first _id ${report.firstUnchainedId}.\n` +
          `  Events written before the chain existed are linked when the app starts; others were written around appendAudit.\n`,
      );
      return 1;
    }
    process.stdout.write(
      `OK: ${report.count} audit events, chain intact.\n` +
        `  head seq ${report.headSeq}, hash ${report.headHash}\n` +
        `  Keep this head hash somewhere else: a later run whose chain no longer reaches it shows a truncated log.\n`,
    );
    return 0;
  } finally {
    await db.close();
  }
}

runMain('audit:verify', main, 2);
