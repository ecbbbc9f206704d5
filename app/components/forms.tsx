import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from 'react';
import { isMessageKey, type MessageKey } from '~/i18n';
import { useT } from '~/i18n/use-t';

/**
 * A field's messages, referenced by its control's aria-describedby. Schemas give catalogue
 * keys as messages (conform passes them through as strings), translated here; anything
 * else zod says reads as "invalid".
 */
export function ErrorList({ id, errors }: { id: string; errors?: readonly string[] }) {
  const t = useT();
  if (!errors?.length) return null;
  return (
    <div id={id}>
      {errors.map((e) => (
        <p key={e} className="field-error">
          {t(isMessageKey(e) ? e : 'validation.invalidChoice')}
        </p>
      ))}
    </div>
  );
}

/** A labelled input with its errors beside it, announced through aria-describedby. */
export function Field({
  label,
  errors,
  hint,
  inputProps,
}: {
  label: string;
  errors?: readonly string[];
  hint?: string;
  inputProps: InputHTMLAttributes<HTMLInputElement> & { name: string };
}) {
  const fallbackId = useId();
  const id = inputProps.id ?? fallbackId;
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const invalid = !!errors?.length;
  const describedBy = [hint ? hintId : null, invalid ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      ) : null}
      <input id={id} aria-invalid={invalid || undefined} aria-describedby={describedBy} {...inputProps} />
      <ErrorList id={errorId} errors={errors} />
    </div>
  );
}

export function SelectField({
  label,
  errors,
  selectProps,
  children,
}: {
  label: string;
  errors?: readonly string[];
  selectProps: SelectHTMLAttributes<HTMLSelectElement> & { name: string };
  children: ReactNode;
}) {
  const fallbackId = useId();
  const id = selectProps.id ?? fallbackId;
  const errorId = `${id}-error`;
  const invalid = !!errors?.length;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        aria-invalid={invalid || undefined}
        aria-describedby={invalid ? errorId : undefined}
        {...selectProps}
      >
        {children}
      </select>
      <ErrorList id={errorId} errors={errors} />
    </div>
  );
}

export function FormError({
  message,
  params,
}: {
  message?: MessageKey | null;
  params?: Record<string, string | number>;
}) {
  const t = useT();
  if (!message) return null;
  return (
    <div className="form-error" role="alert">
      {t(message, params)}
    </div>
  );
}
