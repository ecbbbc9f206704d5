/**
 * `npm run db -- [--port 27018] [--host 127.0.0.1] [--data-dir .data/db | --memory]`
 * Runs the embedded MongoDB-compatible server alone, e.g. to browse the data
 * with mongosh or to point a second app process at it. Prints the URI, with
 * the credential clients authenticate with (SCRAM-SHA-256, kept 0600 in the
 * data directory's credential.json; random per run with --memory), on stdout
 * (one line, easy to capture) and everything else on stderr.
 */
import { parseArgs } from 'node:util';
import { installShutdownHandlers } from './connect.server.ts';
import { startEmbeddedServer } from '@dvut/embedded-mongo';

const USAGE = `usage: npm run db -- [--port N] [--host H] [--data-dir DIR | --memory]
  --port N        TCP port, 0-65535 (default 27017; 0 = any free port)
  --host H        address to listen on (default 127.0.0.1; clients authenticate, but traffic is not encrypted)
  --data-dir DIR  where data persists (default $DATA_DIR or .data/db)
  --memory        keep data in memory only; it is lost on exit`;

function fail(message: string): never {
  console.error(`db: ${message}\n${USAGE}`);
  process.exit(2);
}

function parse() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'data-dir': { type: 'string' },
        memory: { type: 'boolean' },
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
  const portText = values.port ?? '27017';
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535)
    fail(`invalid port '${portText}': expected a whole number from 0 to 65535`);
  const host = values.host ?? '127.0.0.1';
  if (host.trim() === '') fail('--host must not be empty');
  if (values.memory && values['data-dir'] !== undefined)
    fail('--memory and --data-dir cannot be used together');
  if (values['data-dir'] === '') fail('--data-dir must not be empty');
  const dataDir = values.memory ? undefined : (values['data-dir'] ?? process.env.DATA_DIR ?? '.data/db');
  return { port: Number(portText), host, dataDir };
}

const { port, host, dataDir } = parse();
if (!['127.0.0.1', 'localhost', '::1'].includes(host)) {
  console.error(
    `db: warning: listening on ${host}: clients must authenticate, but the traffic (documents and all) is not encrypted`,
  );
}
try {
  const server = await startEmbeddedServer({ host, port, dataDir });
  installShutdownHandlers(() => server.close());
  console.log(server.uri);
  console.error(
    `db: embedded MongoDB-compatible server ready at ${server.address}, ${dataDir ? `data in ${dataDir}, credential in ${dataDir}/credential.json` : 'in memory, credential for this run only'}; the URI on stdout carries the credential; Ctrl-C to stop`,
  );
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    console.error(`db: port ${port} on ${host} is already in use; pick another with --port`);
  else console.error(`db: could not start: ${(error as Error).message}`);
  process.exit(1);
}
