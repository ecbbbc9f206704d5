/**
 * `npm run audit:verify [-- --data-dir DIR]`
 *
 * Checks the audit log (app/utils/audit/audit-verify.server.ts; decisions 010, 018, 019):
 * every chain intact (seq continuity, prevHash links, hashes) and reaching its
 * anchored head, and the log complete (every member version has its event, every
 * approved submission is in its record, every bulk step lists the records it
 * changed). Connects like the app (MONGODB_URI, else the embedded server on DATA_DIR
 * / .data/db; stop the app first when it uses the same data directory). Prints OK
 * with the counts and the anchor chain's head hash (record it elsewhere to detect
 * later cuts), or names the first broken event and the first gaps, and exits 1.
 */
import { connectFromArgs, runMain } from './cli.ts';
import { verifyAudit } from '../app/utils/audit/audit-verify.server.ts';

async function main(): Promise<number> {
  const db = await connectFromArgs('audit:verify');
  if (typeof db === 'number') return db;
  try {
    const tty = process.stderr.isTTY;
    const report = await verifyAudit({
      batchSize: 1000,
      onProgress: (n) => {
        if (tty) process.stderr.write(`\rchecked ${n} events…`);
      },
    });
    if (tty) process.stderr.write('\r');
    const out: string[] = [];
    if (report.problem) {
      const p = report.problem;
      out.push(
        `BROKEN: chain ${p.chain ?? '(global chain of old)'} fails at seq ${p.seq ?? '?'} (_id ${p.id ?? '?'}): ${p.message}`,
      );
    }
    if (report.unchained) {
      out.push(
        `BROKEN: ${report.unchained} audit events are outside any chain (no seq), first _id ${report.firstUnchainedId}.`,
        `  Events written before the chains existed are linked when the app starts; others were written around appendAudit.`,
      );
    }
    if (report.gapCount) {
      out.push(`INCOMPLETE: ${report.gapCount} changes without their audit record; the first:`);
      for (const g of report.gaps) out.push(`  - ${g.message}`);
      out.push(
        '  Members written before every change was audited (a release before issue 15): record that once with',
        '  npm run audit:baseline. A gap in a change made since then is a fault to look into.',
      );
    }
    const counts =
      `${report.events} events in ${report.chains} chains; ${report.checked.members} members, ` +
      `${report.checked.submissions} approved submissions, ${report.checked.bulks} bulk steps checked` +
      (report.checked.baselined
        ? `; ${report.checked.baselined} members counted from a baseline (audit:baseline)`
        : '');
    if (!report.ok) {
      process.stdout.write([...out, `  (${counts})`].join('\n') + '\n');
      return 1;
    }
    process.stdout.write(
      `OK: ${counts}; every chain intact and complete.\n` +
        (report.anchor
          ? `  anchor head seq ${report.anchor.seq}, hash ${report.anchor.hash}\n` +
            `  Keep this head hash somewhere else: a later run whose anchor chain no longer reaches it shows a cut log.\n`
          : `  No anchor yet (the app anchors the chains every few minutes).\n`),
    );
    return 0;
  } finally {
    await db.close();
  }
}

runMain('audit:verify', main, 2);
