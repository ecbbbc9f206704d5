/**
 * The README's list of what the server runs, rendered from the tables the server
 * itself checks commands against (command-fields.ts, the command table, mingo's
 * stages), so the documentation cannot claim more or less than the code does.
 * `npm run db:docs` writes it; tests/readme.test.ts fails when it is stale.
 */
import { COMMAND_ALIASES, COMMAND_FIELDS, type FieldTable, GENERIC_FIELDS } from './command-fields.ts';
import { commandNames } from './index.ts';
import { FIRST_ONLY, UNSUPPORTED_STAGES } from './commands/aggregate.ts';
import { accumulatorNames, stageNames } from './mingo.ts';
import { type RefusalReply, refusedFields, refusedStages } from './refusals.ts';

export const BEGIN = '<!-- generated:commands (npm run db:docs) -->';
export const END = '<!-- /generated:commands -->';

const code = (s: string) => `\`${s}\``;
const withNote = (name: string, note: string) => (note ? `${code(name)} (${note})` : code(name));

function fieldsOf(table: FieldTable, skip?: string): string {
  const own = Object.entries(table.supported).filter(([k]) => k !== skip);
  const parts = own.map(([k, note]) => {
    const sub = table.nested?.[k];
    if (!sub) return withNote(k, note);
    return `${withNote(k, note)}: each with ${fieldsOf(sub)}`;
  });
  return parts.join(', ') || '(none besides the generic ones)';
}

function refusedOf(table: FieldTable, prefix = ''): string[] {
  const out = Object.entries(table.refused ?? {}).map(([k, r]) => `${code(prefix + k)}: ${r.reason}`);
  for (const [k, sub] of Object.entries(table.nested ?? {})) out.push(...refusedOf(sub, `${prefix}${k}.`));
  return out;
}

export function renderCommandsSection(): string {
  const lines: string[] = [BEGIN, ''];
  const aliases = Object.entries(COMMAND_ALIASES).map(([a, c]) => `${code(a)} = ${code(c)}`);
  const seen = new Set<string>();
  // Spellings mongod also accepts (buildinfo, getlasterror) and aliases are not listed twice.
  const names = commandNames().filter((n) => {
    const k = n.toLowerCase();
    if (seen.has(k) || Object.hasOwn(COMMAND_ALIASES, n)) return false;
    seen.add(k);
    return true;
  });
  lines.push(
    `Commands: ${names.map(code).join(', ')}. Aliases: ${aliases.join(', ')}. Any other is ` +
      '`59 CommandNotFound`.',
    '',
    'The commands below take exactly these fields, as mongod 7.0 parses them: any other field is ' +
      '`40415` ("BSON field \'update.updates.sort\' is an unknown field.") before anything runs; a field ' +
      'mongod knows that this server does not implement is `115 CommandNotSupported` (a value that asks ' +
      'for nothing, such as `tailable: false`, is accepted). Other commands ignore fields they do not use.',
    '',
    `Every command also takes: ${Object.entries(GENERIC_FIELDS)
      .map(([k, n]) => withNote(k, n))
      .join(', ')}.`,
    '',
  );
  for (const [name, table] of Object.entries(COMMAND_FIELDS)) {
    const refusals = refusedOf(table);
    lines.push(`- ${code(name)}: ${fieldsOf(table, name)}.`);
    if (refusals.length) lines.push(`  Refused (115): ${refusals.join('; ')}.`);
  }
  const refusedStages = Object.keys(UNSUPPORTED_STAGES);
  lines.push(
    '',
    `Aggregation stages: ${[...new Set([...stageNames(), ...FIRST_ONLY])]
      .sort()
      .filter((s) => !refusedStages.includes(s))
      .map(code)
      .join(', ')}. Refused (115): ${refusedStages.map(code).join(', ')}. Any other is ` +
      '`40324` ("Unrecognized pipeline stage name: \'$foo\'").',
    '',
    `\`$group\` accumulators: ${accumulatorNames().map(code).join(', ')}; any other is \`15952\`. An ` +
      'unknown expression is `168` ("Unrecognized expression \'$foo\'"), an unknown query operator `2` ' +
      '("unknown operator: $foo", "unknown top level operator: $foo…"), an unknown update modifier `9` ' +
      '("Unknown modifier: $foo…").',
    '',
    END,
  );
  return lines.join('\n');
}

/** `readme` with its generated section replaced by the current one. */
export function withCommandsSection(readme: string): string {
  const from = readme.indexOf(BEGIN);
  const to = readme.indexOf(END);
  if (from < 0 || to < from) throw new Error(`README has no ${BEGIN} … ${END} section`);
  return readme.slice(0, from) + renderCommandsSection() + readme.slice(to + END.length);
}

export const REFUSALS_BEGIN = '<!-- generated:refusals (npm run db:docs) -->';
export const REFUSALS_END = '<!-- /generated:refusals -->';

const cell = (s: string) => s.replace(/\|/g, '\\|');

/**
 * `db/README.md`'s list of what the embedded server refuses: each row quotes the
 * reply the server gave just now to the row's example command (refusals.ts), then the
 * refused fields and stages from the tables the server checks.
 */
export function renderRefusalsSection(replies: RefusalReply[]): string {
  const lines = [
    REFUSALS_BEGIN,
    '',
    '| asked for | code | what the server answers |',
    '| --- | --- | --- |',
    ...replies.map((r) => `| ${cell(r.refusal.feature)} | \`${r.code} ${r.codeName}\` | ${cell(r.errmsg)} |`),
    '',
    'Fields of supported commands that are refused with `115 CommandNotSupported` ' +
      '("BSON field \'find.min\' is not supported by the embedded server: …"):',
    '',
    ...refusedFields().map((f) => `- ${code(f.field)}: ${f.reason}`),
    '',
    `Aggregation stages refused with \`115\`: ${refusedStages()
      .map((s) => code(s.stage))
      .join(', ')}.`,
    '',
    REFUSALS_END,
  ];
  return lines.join('\n');
}

/** `readme` with its generated refusals section replaced by `section`. */
export function withRefusalsSection(readme: string, section: string): string {
  const from = readme.indexOf(REFUSALS_BEGIN);
  const to = readme.indexOf(REFUSALS_END);
  if (from < 0 || to < from) throw new Error(`README has no ${REFUSALS_BEGIN} … ${REFUSALS_END} section`);
  return readme.slice(0, from) + section + readme.slice(to + REFUSALS_END.length);
}
