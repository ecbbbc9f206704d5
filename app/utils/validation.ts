/**
 * Turns zod results into per-field catalogue keys. Schemas use catalogue keys as
 * their messages, so the browser and the server show the same text in the chosen
 * language; anything else zod says (a missing or mistyped field) maps to a generic key.
 */
import type { FormEvent } from 'react';
import type { z } from 'zod';
import { isMessageKey, type MessageKey } from '~/i18n';

import type { FieldErrors } from './forms/conform';
export type { FieldErrors };

export function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const out: Record<string, MessageKey[]> = {};
  for (const issue of error.issues) {
    const field = issue.path.length ? String(issue.path[0]) : '_form';
    const key: MessageKey = isMessageKey(issue.message)
      ? issue.message
      : issue.code === 'invalid_type'
        ? 'validation.required'
        : 'validation.invalidChoice';
    // One message per field, the first rule broken: "required" says it all for an empty code.
    if (!out[field]) out[field] = [key];
  }
  return out;
}

/** Client-side check before submitting: returns errors, or null when the form may go. */
export function validateForm<T extends z.ZodType>(schema: T, form: HTMLFormElement): FieldErrors | null {
  const values: Record<string, string> = {};
  for (const [key, value] of new FormData(form))
    if (typeof value === 'string' && !(key in values)) values[key] = value;
  const result = schema.safeParse(values);
  return result.success ? null : fieldErrorsOf(result.error);
}

/**
 * The client check of a form on submit. With errors, the submit is stopped and the
 * keyboard goes to the first field to fix, in page order, so keyboard and
 * screen-reader users land where the first message is. Returns the errors (null:
 * the form may go).
 */
export function checkOnSubmit<T extends z.ZodType>(
  event: FormEvent<HTMLFormElement>,
  schema: T,
): FieldErrors | null {
  const found = validateForm(schema, event.currentTarget);
  if (found) {
    event.preventDefault();
    focusFirstInvalid(event.currentTarget, found);
  }
  return found;
}

/** Focuses the first field of `form`, in page order, that `errors` names. */
export function focusFirstInvalid(form: HTMLFormElement, errors: Partial<Record<string, unknown>>): void {
  for (const element of Array.from(form.elements)) {
    const field = element as HTMLInputElement;
    if (field.name && field.type !== 'hidden' && Object.hasOwn(errors, field.name)) {
      field.focus();
      return;
    }
  }
}
