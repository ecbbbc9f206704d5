/**
 * `npm run db:backup -- --out FILE [--data-dir DIR | --uri URI]`
 * A consistent snapshot of every user database into one checksummed file
 * (db/backup/format.ts), while the app keeps running. See db/README.md,
 * "Backup and restore".
 */
import { parseArgs } from 'node:util';
import { backupToFile } from './backup/run.ts';
import { type Source, openDataDir, openUri } from './backup/source.ts';

const USAGE = `usage: npm run db:backup -- --out FILE [--data-dir DIR | --uri URI]
  --out FILE      where to write the backup (written to FILE.tmp, then renamed)
  --data-dir DIR  the embedded database to back up (default $DATA_DIR or .data/db); through its
                  server when one runs on it, else opened directly
  --uri URI       back up any MongoDB replica set instead (credentials in the URI)`;

function fail(message: string): never {
  console.error(`db:backup: ${message}\n${USAGE}`);
  process.exit(2);
}

function parse() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        out: { type: 'string' },
        'data-dir': { type: 'string' },
        uri: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (!values.out) fail('--out FILE is required');
  if (values.uri !== undefined && values['data-dir'] !== undefined)
    fail('--uri and --data-dir cannot be used together');
  if (values.uri === '') fail('--uri must not be empty');
  if (values['data-dir'] === '') fail('--data-dir must not be empty');
  return {
    out: values.out,
    uri: values.uri,
    dataDir: values['data-dir'] ?? process.env.DATA_DIR ?? '.data/db',
  };
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

const { out, uri, dataDir } = parse();
let source: Source | undefined;
try {
  source = uri ? await openUri(uri) : await openDataDir(dataDir);
  const started = Date.now();
  const totals = await backupToFile(source, out, uri ? { kind: 'uri' } : { kind: 'embedded', dataDir });
  console.error(
    `db:backup: ${count(totals.documents, 'document')} in ${count(totals.collections, 'collection')} from ${source.description} ` +
      `written to ${out} (${totals.bytes} bytes, sha256 ${totals.sha256}) in ${Date.now() - started} ms`,
  );
  console.log(out);
  await source.close();
  process.exit(0);
} catch (error) {
  console.error(`db:backup: failed, nothing written to ${out}: ${(error as Error).message}`);
  await source?.close().catch(() => undefined);
  process.exit(1);
}
