/**
 * The step forms of the pipeline tab (pipeline-transition-form.tsx): field names as conform
 * writes them, and the browser's check of the step's own schema (app/domain/pipeline) with
 * catalogue keys as messages. The server's reasons are the machine's, in both languages.
 */
import type { z } from 'zod';
import type { MessageKey } from '~/i18n';

/** The machine's dotted path of a field (`introducers.1.name`) → conform's name (`introducers[1].name`). */
export const stepFieldName = (path: string): string => path.replace(/\.(\d+)(?=\.|$)/g, '[$1]');

/**
 * A zod issue of a step's schema → the catalogue key shown beside the field: a blank
 * field is missing, a count must be a whole number, a day a real day.
 */
export function stepIssueMessage(issue: z.core.$ZodRawIssue): MessageKey {
  const input = issue.input;
  if (input === undefined || (typeof input === 'string' && input.trim() === '')) return 'validation.required';
  if (issue.code === 'too_big') return 'validation.tooLong';
  if (issue.code === 'invalid_value') return 'validation.invalidChoice';
  if (issue.code === 'custom') return 'validation.date';
  return 'validation.number';
}
