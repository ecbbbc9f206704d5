/**
 * `npm run audit:baseline [-- --data-dir DIR]`
 *
 * Once, on a database written by a release before issue 15: records, in each member's
 * audit chain, that its versions up to now are taken as they are, listing those that have
 * no event (app/utils/audit/audit-baseline.server.ts). `npm run audit:verify` then checks every
 * later change. Prints how many members got a baseline; a second run prints 0. Connects
 * like the app (MONGODB_URI, else the embedded server on DATA_DIR / .data/db; stop the
 * app first when it uses the same data directory).
 */
import { connectFromArgs, runMain } from './cli.ts';
import { baselineUnrecordedMembers } from '../app/utils/audit/audit-baseline.server.ts';

async function main(): Promise<number> {
  const db = await connectFromArgs('audit:baseline');
  if (typeof db === 'number') return db;
  try {
    const n = await baselineUnrecordedMembers();
    process.stdout.write(
      n
        ? `${n} members had versions without an audit event: each now starts from a baseline event in its chain.\n`
        : 'Every member version has its audit event: no baseline needed.\n',
    );
    return 0;
  } finally {
    await db.close();
  }
}

runMain('audit:baseline', main, 1);
