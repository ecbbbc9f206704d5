/**
 * The README's list of commands, fields and stages is generated from the tables
 * the server checks commands against: this fails when the two have drifted
 * (run `npm run db:docs`).
 */
import { expect, it } from 'vitest';
import { currentReadme } from '../scripts/readme.ts';
import { COMMAND_ALIASES, COMMAND_FIELDS } from '../src/engine/command-fields.ts';
import { commandNames } from '../src/engine/index.ts';

it('README.md lists exactly what the server accepts (npm run db:docs rewrites it)', async () => {
  const { onDisk, expected } = await currentReadme();
  expect(onDisk).toBe(expected);
});

it('every command with a field table is one the server runs', () => {
  const names = new Set(commandNames());
  for (const name of [...Object.keys(COMMAND_FIELDS), ...Object.keys(COMMAND_ALIASES)])
    expect(names.has(name), name).toBe(true);
});
