/**
 * The two READMEs with generated sections, brought up to date and formatted as
 * `npm run format` would leave them, so the check in tests/readme.test.ts and the
 * writer (docs.ts) agree byte for byte:
 * - this package's README: the commands, fields and stages the server runs;
 * - `db/README.md`: what the embedded server still refuses, quoting its replies.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import prettier from 'prettier';
import { renderRefusalsSection, withCommandsSection, withRefusalsSection } from '../src/engine/docs.ts';
import { replyToRefusals } from '../src/engine/refusals.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
export const README = path.join(here, '..', 'README.md');
export const DB_README = path.join(here, '..', '..', '..', 'db', 'README.md');

export interface GeneratedFile {
  file: string;
  onDisk: string;
  expected: string;
}

async function formatted(file: string, text: string): Promise<string> {
  const options = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(text, { ...options, filepath: file });
}

export async function currentReadmes(): Promise<GeneratedFile[]> {
  const own = fs.readFileSync(README, 'utf8');
  const db = fs.readFileSync(DB_README, 'utf8');
  const refusals = renderRefusalsSection(await replyToRefusals());
  return [
    { file: README, onDisk: own, expected: await formatted(README, withCommandsSection(own)) },
    { file: DB_README, onDisk: db, expected: await formatted(DB_README, withRefusalsSection(db, refusals)) },
  ];
}
