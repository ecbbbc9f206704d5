import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Decision records share one template (docs/decisions/000-template.md): a numbered title and a
// status line. A record that names a successor must name one that exists, so a status line
// cannot point nowhere.
const DIR = join(process.cwd(), 'docs/decisions');
const records = readdirSync(DIR).filter((name) => /^\d{3}-.+\.md$/.test(name) && !name.startsWith('000'));
const numbers = new Set(records.map((name) => name.slice(0, 3)));

describe('decision records', () => {
  it('exist', () => {
    expect(records.length).toBeGreaterThan(20);
  });

  it.each(records)('%s has the template title and a dated status line', (name) => {
    const [title, , statusLine] = readFileSync(join(DIR, name), 'utf8').split('\n');
    expect(title).toMatch(new RegExp(`^# ${name.slice(0, 3)} · \\S`));
    expect(statusLine).toMatch(/^Date: \d{4}-\d\d-\d\d · Status: (proposed|accepted|superseded)\b/);
  });

  it.each(records)('%s names only decisions that exist as successors', (name) => {
    const statusLine = readFileSync(join(DIR, name), 'utf8').split('\n')[2];
    const named = [...statusLine.matchAll(/(?<![\d.])(\d{3})(?!\.?\d)/g)].map((match) => match[1]);
    for (const number of named) expect(numbers, `${name} names ${number}`).toContain(number);
  });
});
