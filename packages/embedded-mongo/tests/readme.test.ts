/**
 * The READMEs' lists are generated from the tables the server checks commands
 * against and from its own replies: this fails when they have drifted (run
 * `npm run db:docs`), and when a refusal no longer answers the code it promises.
 */
import { expect, it } from 'vitest';
import { currentReadmes } from '../scripts/readme.ts';
import { COMMAND_ALIASES, COMMAND_FIELDS } from '../src/engine/command-fields.ts';
import { commandNames } from '../src/engine/index.ts';
import { REFUSALS, replyToRefusals } from '../src/engine/refusals.ts';

it('the READMEs list exactly what the server accepts and refuses (npm run db:docs rewrites them)', async () => {
  for (const { file, onDisk, expected } of await currentReadmes()) expect(onDisk, file).toBe(expected);
});

it('every command with a field table is one the server runs', () => {
  const names = new Set(commandNames());
  for (const name of [...Object.keys(COMMAND_FIELDS), ...Object.keys(COMMAND_ALIASES)])
    expect(names.has(name), name).toBe(true);
});

it('every listed refusal is refused, with the code it promises and a message', async () => {
  const replies = await replyToRefusals();
  expect(replies).toHaveLength(REFUSALS.length);
  for (const r of replies) {
    expect(r.code, r.refusal.feature).toBe(r.refusal.code);
    expect(r.errmsg, r.refusal.feature).not.toBe('');
  }
});
