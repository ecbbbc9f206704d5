/**
 * How the house's string-valued schemas go through conform, on both sides of a form: the
 * browser's onValidate and the action parse the same way, so a message shown before the
 * round trip is the one the server would give.
 */
import type { SubmissionResult } from '@conform-to/react';
import { parseWithZod } from '@conform-to/zod/v4';
import type { z } from 'zod';
import { isMessageKey, type MessageKey } from '~/i18n';

/**
 * A field's zod issues → the first rule it breaks, as a catalogue key ("required" says it
 * all for an empty code). A field absent from the post (zod's own invalid_type) is missing.
 */
export function firstIssue(issues: readonly z.core.$ZodIssue[]): MessageKey[] {
  const issue = issues[0];
  if (!issue) return [];
  if (isMessageKey(issue.message)) return [issue.message];
  return [issue.code === 'invalid_type' ? 'validation.required' : 'validation.invalidChoice'];
}

/**
 * Parses a posted form with a schema written for strings: no coercion (a blank field stays
 * '', as the schemas' own rules expect), one catalogue key per invalid field.
 */
export function parseForm<S extends z.ZodType>(payload: FormData | URLSearchParams, schema: S) {
  return parseWithZod(payload, { schema, disableAutoCoercion: true, formatError: firstIssue });
}

export type FormResult = SubmissionResult<MessageKey[]>;
export type FieldErrors = Partial<Record<string, MessageKey[]>>;

/** A reply's messages by field name, for callers that read them without conform (tests, API). */
export function errorsOf(result: FormResult): FieldErrors {
  const out: FieldErrors = {};
  for (const [name, list] of Object.entries(result.error ?? {})) {
    if (name && list?.length) out[name] = list;
  }
  return out;
}

/** The form-level message of a reply (conform keeps it under the empty name), if any. */
export const formErrorOf = (result: FormResult): MessageKey | null => result.error?.['']?.[0] ?? null;

/** The text fields of a post as typed, for a refused form to show them again. */
export const typedValues = (payload: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(Object.entries(payload).filter((e): e is [string, string] => typeof e[1] === 'string'));
