/**
 * A step's form fields, read off its schema (schemas.ts): kind, label, whether a blank is
 * refused, and the introducer rows. The server sends them with each step the tab offers; the
 * browser checks the same schema.
 */
import { z } from 'zod';
import type { Text } from '../criteria/types.ts';
import { FIELD_LABELS } from './schemas.ts';

/** `cell`: the chi bộ of a vote, chosen among `TransitionView.cells`, its count shown on the meeting day. */
export type FieldKind = 'date' | 'number' | 'text' | 'textarea' | 'checkbox' | 'select' | 'cell';

export interface FieldView {
  name: string;
  label: Text;
  kind: FieldKind;
  required: boolean;
  options?: string[];
}

const NUMBER_FIELDS = new Set(['yes', 'no', 'officialMemberCount', 'monthsTogether']);
const LONG_FIELDS = new Set(['note', 'reason', 'extensionReason']);
const SELECT_OPTIONS: Record<string, string[]> = {
  verification: ['pending', 'verified', 'issues'],
  kind: ['party_member', 'union'],
};

function kindOf(name: string): FieldKind {
  if (NUMBER_FIELDS.has(name)) return 'number';
  if (LONG_FIELDS.has(name)) return 'textarea';
  if (SELECT_OPTIONS[name]) return 'select';
  if (name === 'official') return 'checkbox';
  if (/(At|Date)$/.test(name)) return 'date';
  return 'text';
}

/**
 * A field is required when its schema refuses it left blank, as a form posts it: a vote's
 * "against" count has a default for callers that leave it out, but a blank one is refused
 * (0 is a count). A checkbox is never required (unticked is a value).
 */
const requiredInForm = (type: z.ZodTypeAny, kind: FieldKind) =>
  kind !== 'checkbox' && !type.safeParse('').success;

function fieldsOf(shape: Record<string, z.ZodTypeAny>): FieldView[] {
  const out: FieldView[] = [];
  for (const [name, type] of Object.entries(shape)) {
    if (name === 'introducers' || name === 'vote') continue; // arrays / nested: rows below, or left out
    const kind = kindOf(name);
    out.push({
      name,
      label: FIELD_LABELS[name] ?? { vi: name, en: name },
      kind,
      required: requiredInForm(type, kind),
      ...(SELECT_OPTIONS[name] ? { options: SELECT_OPTIONS[name] } : {}),
    });
  }
  // Notes last, after the step's own data.
  return out.sort((a, b) => Number(a.name === 'note') - Number(b.name === 'note'));
}

/** A vote's fields: the chi bộ right after the meeting day, and no typed count (the register's is shown). */
function voteFields(fields: FieldView[]): FieldView[] {
  const out: FieldView[] = [];
  for (const f of fields) {
    if (f.name === 'officialMemberCount' || f.name === 'partyCellId') continue;
    out.push(f);
    if (f.name === 'meetingDate') {
      out.push({ name: 'partyCellId', label: FIELD_LABELS.partyCellId, kind: 'cell', required: true });
    }
  }
  return out;
}

/**
 * The fields of a step's form, and its introducer rows (record_introduction). `vote`: the
 * step records a chi bộ's vote (vote-steps.ts), whose chi bộ is chosen and whose count is
 * the register's.
 */
export function stepFields(
  schema: z.ZodType,
  vote: boolean,
): { fields: FieldView[]; rows?: { name: string; count: number; fields: FieldView[] } } {
  const shape = schema instanceof z.ZodObject ? (schema.shape as Record<string, z.ZodTypeAny>) : {};
  const fields = vote ? voteFields(fieldsOf(shape)) : fieldsOf(shape);
  // The rows' list under its preprocess (schemas.ts reads keyed rows as a list).
  const introducers = shape.introducers instanceof z.ZodPipe ? shape.introducers.out : shape.introducers;
  if (introducers instanceof z.ZodArray && introducers.element instanceof z.ZodObject) {
    return {
      fields,
      rows: {
        name: 'introducers',
        count: 2,
        fields: fieldsOf(introducers.element.shape as Record<string, z.ZodTypeAny>),
      },
    };
  }
  return { fields };
}
