/**
 * The README with its generated section (commands, fields, stages) brought up to
 * date and formatted as `npm run format` would leave it, so the check in
 * tests/readme.test.ts and the writer (docs.ts) agree byte for byte.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import prettier from 'prettier';
import { withCommandsSection } from '../src/engine/docs.ts';

export const README = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'README.md');

export async function currentReadme(): Promise<{ onDisk: string; expected: string }> {
  const onDisk = fs.readFileSync(README, 'utf8');
  const options = (await prettier.resolveConfig(README)) ?? {};
  const expected = await prettier.format(withCommandsSection(onDisk), { ...options, filepath: README });
  return { onDisk, expected };
}
