/**
 * What the project's command-line scripts share (`audit:verify`, `bootstrap`): options or the
 * usage text, and running `main` to its exit code.
 */

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
