/**
 * What the project's command-line scripts share (`audit:verify`, `audit:baseline`,
 * `bootstrap`): options or the usage text, the database they connect to, and running `main`
 * to its exit code.
 */
import { parseArgs } from 'node:util';
import { connectDatabase, type DatabaseHandle } from '../db/connect.server.ts';

/**
 * The parsed options, or the exit code once the usage is printed: 0 for `--help`, 2 for
 * options `parse` refuses (unknown ones, a missing value).
 */
export function optionsOrUsage<T extends { help?: boolean }>(parse: () => T, usage: string): T | number {
  let values: T;
  try {
    values = parse();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  return values;
}

/** Runs `main` and exits with its code; an unexpected error is printed and exits `failureCode`. */
export function runMain(name: string, main: () => Promise<number>, failureCode: number): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        `${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(failureCode);
    },
  );
}

/**
 * For scripts whose only option is `--data-dir DIR`: their usage text, and the database
 * connected like the app (MONGODB_URI, else the embedded server on DIR, DATA_DIR or
 * .data/db), or the exit code when the usage was printed instead.
 */
function dataDirUsage(command: string): string {
  return `Usage: npm run ${command} -- [--data-dir DIR]

  --data-dir DIR   the embedded database's directory (default DATA_DIR or .data/db);
                   ignored when MONGODB_URI is set
`;
}

export async function connectFromArgs(command: string): Promise<DatabaseHandle | number> {
  const args = optionsOrUsage(
    () =>
      parseArgs({
        options: {
          'data-dir': { type: 'string' },
          help: { type: 'boolean', short: 'h', default: false },
        },
      }).values,
    dataDirUsage(command),
  );
  if (typeof args === 'number') return args;
  return connectDatabase(args['data-dir'] ? { dataDir: args['data-dir'] } : {});
}
