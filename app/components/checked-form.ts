/**
 * The house's conform form (decision 026) in one call: the same schema the action parses,
 * checked in the browser on submit, again as the user types, and on leaving a field without
 * losing the submit click (`useBlurCheck`). Spread `blurCheck` on the `<Form>` after
 * `getFormProps(form)`. Its own module, not forms.tsx: it brings conform's zod parser, which
 * pages whose forms the server alone checks (sign-in) should not load.
 */
import { useForm, type DefaultValue, type SubmissionResult } from '@conform-to/react';
import type { z } from 'zod';
import { parseForm } from '~/utils/forms/conform';
import { useBlurCheck } from './forms';

// Forms post named fields: the schema's input and output are objects.
type FormSchema = z.ZodType<Record<string, unknown>, Record<string, unknown>>;

interface CheckedFormOptions<S extends FormSchema> {
  id: string;
  schema: S;
  /** The action's reply, when it refused the form. */
  lastResult?: SubmissionResult<string[]> | null;
  defaultValue?: DefaultValue<z.input<S>>;
  constraint?: Record<string, { required?: boolean }>;
}

export function useCheckedForm<S extends FormSchema>({ schema, ...options }: CheckedFormOptions<S>) {
  const [form, fields] = useForm<z.input<S>, z.output<S>, string[]>({
    ...options,
    shouldValidate: 'onSubmit',
    shouldRevalidate: 'onInput',
    onValidate: ({ formData }) => parseForm(formData, schema),
  });
  const blurCheck = useBlurCheck(form);
  return { form, fields, blurCheck };
}
