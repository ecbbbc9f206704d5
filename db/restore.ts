/**
 * `npm run db:restore -- FILE [--data-dir DIR]`
 * Restores a db:backup file into an EMPTY data directory: the whole file is verified
 * (format, checksum) before anything is written. See db/README.md, "Backup and restore".
 */
import { parseArgs } from 'node:util';
import { BackupFormatError } from './backup/format.ts';
import { RestoreRefused, restoreToDataDir } from './backup/run.ts';

const USAGE = `usage: npm run db:restore -- FILE [--data-dir DIR]
  FILE            a file written by npm run db:backup
  --data-dir DIR  the data directory to create (default $DATA_DIR or .data/db); it must not
                  exist or be empty, and no server may be running on it`;

function fail(message: string): never {
  console.error(`db:restore: ${message}\n${USAGE}`);
  process.exit(2);
}

function parse() {
  let values;
  let positionals: string[] = [];
  try {
    ({ values, positionals } = parseArgs({
      options: {
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (positionals.length !== 1) fail('expected exactly one FILE');
  if (values['data-dir'] === '') fail('--data-dir must not be empty');
  return { file: positionals[0], dataDir: values['data-dir'] ?? process.env.DATA_DIR ?? '.data/db' };
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

const { file, dataDir } = parse();
try {
  const started = Date.now();
  const totals = await restoreToDataDir(file, dataDir);
  console.error(
    `db:restore: ${count(totals.documents, 'document')} in ${count(totals.collections, 'collection')} restored into ${dataDir} in ${Date.now() - started} ms`,
  );
  process.exit(0);
} catch (error) {
  const known = error instanceof BackupFormatError || error instanceof RestoreRefused;
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code === 'ENOENT' && !known ? `cannot read ${file}: no such file` : (error as Error).message;
  console.error(`db:restore: refused, nothing written to ${dataDir}: ${reason}`);
  process.exit(1);
}
