/**
 * `npm run bootstrap -- --email E --name N --province-name P --province-code C [--data-dir DIR]`
 *
 * Creates the first administrator (and the province unit) of a database that has no
 * accounts yet: the production start with SEED_DEMO=0 (docs/operations.md). The password is
 * read from the BOOTSTRAP_PASSWORD variable, else from standard input (first line), else
 * asked for on the terminal without echo; never from the command line, where `ps` shows it.
 * Connects like the app (MONGODB_URI, else the embedded server on DATA_DIR / .data/db; stop
 * the app first when it uses the same data directory). Exit 0 created, 1 refused, 2 usage.
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { optionsOrUsage, runMain } from './cli.ts';
import { connectDatabase } from '../db/connect.server.ts';
import { translate } from '../app/i18n/index.ts';
import { bootstrapAdmin } from '../app/utils/admin/bootstrap.server.ts';

const USAGE = `Usage: npm run bootstrap -- --email E --name "Họ tên" --province-name "Tỉnh đoàn …" --province-code CODE [--data-dir DIR]

  The password: BOOTSTRAP_PASSWORD, or the first line of standard input, or asked for.
`;

const FIELDS: Record<string, string> = {
  email: '--email',
  name: '--name',
  password: 'password',
  provinceName: '--province-name',
  provinceCode: '--province-code',
};

async function readPassword(): Promise<string> {
  if (process.env.BOOTSTRAP_PASSWORD) return process.env.BOOTSTRAP_PASSWORD;
  if (!process.stdin.isTTY) {
    const rl = createInterface({ input: process.stdin });
    for await (const line of rl) {
      rl.close();
      return line;
    }
    return '';
  }
  // On a terminal: ask, and echo nothing of what is typed.
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  const answer = new Promise<string>((resolve) => rl.question('Mật khẩu (password): ', resolve));
  muted = true;
  const password = await answer;
  rl.close();
  process.stderr.write('\n');
  return password;
}

async function main(): Promise<number> {
  const args = optionsOrUsage(
    () =>
      parseArgs({
        options: {
          email: { type: 'string' },
          name: { type: 'string' },
          'province-name': { type: 'string' },
          'province-code': { type: 'string' },
          'data-dir': { type: 'string' },
          help: { type: 'boolean', short: 'h', default: false },
        },
      }).values,
    USAGE,
  );
  if (typeof args === 'number') return args;
  const password = await readPassword();
  const db = await connectDatabase(args['data-dir'] ? { dataDir: args['data-dir'] } : {});
  try {
    const result = await bootstrapAdmin({
      email: args.email ?? '',
      name: args.name ?? '',
      password,
      provinceName: args['province-name'] ?? '',
      provinceCode: args['province-code'] ?? '',
    });
    if (result.ok) {
      process.stdout.write(
        `OK: admin ${args.email} created, scoped to ${args['province-code']}` +
          `${result.createdUnit ? ' (new province unit)' : ' (existing province unit)'}.\n` +
          `  Sign in, then create the schools and the other accounts in /admin.\n`,
      );
      return 0;
    }
    if (result.reason === 'accounts-exist') {
      process.stdout.write(
        `REFUSED: the database already has ${result.accounts} account(s); nothing was written.\n` +
          `  Create further accounts in /admin/users.\n`,
      );
      return 1;
    }
    process.stdout.write('REFUSED: nothing was written.\n');
    for (const [field, keys] of Object.entries(result.errors)) {
      for (const key of keys ?? [])
        process.stdout.write(`  ${FIELDS[field] ?? field}: ${translate('vi', key)}\n`);
    }
    return 1;
  } finally {
    await db.close();
  }
}

runMain('bootstrap', main, 1);
