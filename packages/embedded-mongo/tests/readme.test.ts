/**
 * The README's list of commands, fields and stages is generated from the tables
 * the server checks commands against: this fails when the two have drifted
 * (run `npm run db:docs`).
 */
import { expect, it } from 'vitest';
import { currentReadme } from '../scripts/readme.ts';

it('README.md lists exactly what the server accepts (npm run db:docs rewrites it)', async () => {
  const { onDisk, expected } = await currentReadme();
  expect(onDisk).toBe(expected);
});
