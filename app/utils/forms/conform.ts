/**
 * How the house's string-valued schemas go through conform, on both sides of a form: the
 * browser's onValidate and the action parse the same way, so a message shown before the
 * round trip is the one the server would give.
 */
import type { Submission, SubmissionResult } from '@conform-to/react';
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

/** The catalogue key of a zod issue whose rule names none (the step forms have their own). */
export type IssueMessage = (issue: z.core.$ZodRawIssue) => MessageKey;

/**
 * A rule that names no message: a field left out of the post is missing, a list left on its
 * "— Vui lòng chọn … —" line asks for a choice, anything else (a value outside a list, a
 * field sent twice) is an invalid choice.
 */
const missingOrInvalid: IssueMessage = (issue) => {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'validation.required';
  if (issue.code === 'invalid_value' && issue.input === '') return 'validation.choose';
  return 'validation.invalidChoice';
};

/**
 * Parses a posted form with a schema written for strings: no coercion (a blank field stays
 * '', as the schemas' own rules expect), one catalogue key per invalid field. `message`
 * words the rules that name none (zod asks it while parsing, when the input is still known).
 */
export function parseForm<S extends z.ZodType>(
  payload: FormData | URLSearchParams,
  schema: S,
  message: IssueMessage = missingOrInvalid,
) {
  return parseWithZod(payload, {
    schema,
    disableAutoCoercion: true,
    error: message,
    formatError: firstIssue,
  });
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

export interface Refusal {
  /** The action's own checks (a taken code), beside their fields, as catalogue keys. */
  fieldErrors?: FieldErrors;
  formErrors?: MessageKey[];
  /** Never sent back to the page (passwords). */
  hideFields?: string[];
}

/**
 * A refused form's answer: conform's reply (the editor's `lastResult`) and the same messages
 * by field name, the first of each (`_form` for the whole form), which integration tests and
 * the pages' form-level messages read.
 */
export function refusal(
  submission: Submission<unknown, MessageKey[]>,
  { fieldErrors, formErrors, hideFields }: Refusal = {},
) {
  const result: FormResult = submission.reply({
    ...(fieldErrors ? { fieldErrors: fieldErrors as Record<string, MessageKey[]> } : {}),
    ...(formErrors ? { formErrors } : {}),
    hideFields,
  });
  const first: FieldErrors = {};
  for (const [name, messages] of Object.entries(result.error ?? {}))
    if (messages?.length) first[name || '_form'] = [messages[0] as MessageKey];
  return { result, fieldErrors: first };
}

/**
 * A zod error's messages by field, the first rule each breaks: for input that is not a posted
 * form conform parses (the first-run script's answers; the targets table, whose row names
 * carry a dot conform would read as a path).
 */
export function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const byField = new Map<string, z.core.$ZodIssue[]>();
  for (const issue of error.issues) {
    const field = issue.path.length ? String(issue.path[0]) : '_form';
    byField.set(field, [...(byField.get(field) ?? []), issue]);
  }
  return Object.fromEntries([...byField].map(([field, issues]) => [field, firstIssue(issues)]));
}
