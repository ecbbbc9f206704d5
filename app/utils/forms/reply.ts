/**
 * A refused form's answer, for every action converted to conform: conform's reply (the
 * editor's `lastResult`) and the same messages by field name, the first of each (`_form` for
 * the whole form), which integration tests and the pages' form-level messages read.
 */
import type { Submission } from '@conform-to/react';
import type { MessageKey } from '~/i18n';

export type FieldErrors = Partial<Record<string, MessageKey[]>>;

export interface Refusal {
  /** The action's own checks (a taken code), beside their fields, as catalogue keys. */
  fieldErrors?: FieldErrors;
  formErrors?: MessageKey[];
  /** Never sent back to the page (passwords). */
  hideFields?: string[];
}

export function refusal(
  submission: Submission<unknown>,
  { fieldErrors, formErrors, hideFields }: Refusal = {},
) {
  const result = submission.reply({
    ...(fieldErrors ? { fieldErrors: fieldErrors as Record<string, string[]> } : {}),
    ...(formErrors ? { formErrors } : {}),
    hideFields,
  });
  const first: FieldErrors = {};
  for (const [name, messages] of Object.entries(result.error ?? {}))
    if (messages?.length) first[name || '_form'] = [messages[0] as MessageKey];
  return { result, fieldErrors: first };
}
