import type { FormMetadata } from '@conform-to/react';
import {
  Children,
  cloneElement,
  isValidElement,
  useId,
  useRef,
  useState,
  type FocusEvent,
  type FormEvent,
  type InputHTMLAttributes,
  type PointerEvent,
  type ReactElement,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from 'react';
import { isMessageKey, type MessageKey } from '~/i18n';
import { useT } from '~/i18n/use-t';

/**
 * A field's messages, referenced by its control's aria-describedby. Schemas give catalogue
 * keys as messages (conform passes them through as strings), translated here; anything
 * else zod says reads as "invalid". `browserError` is the browser's own check (a required
 * field left empty), shown the same way. `wording` words the messages that are not
 * catalogue keys (the pipeline machine's own reasons, already in the page's language).
 */
export function ErrorList({
  id,
  errors,
  browserError,
  wording,
}: {
  id: string;
  errors?: readonly string[];
  browserError?: string | null;
  wording?: (error: string) => string;
}) {
  const t = useT();
  if (!errors?.length && !browserError) return null;
  return (
    <div id={id}>
      {errors?.map((e) => (
        <p key={e} className="field-error">
          {isMessageKey(e) ? t(e) : (wording?.(e) ?? t('validation.invalidChoice'))}
        </p>
      ))}
      {browserError && !errors?.length ? <p className="field-error">{browserError}</p> : null}
    </div>
  );
}

/** "Trường" → "trường", to sit inside a sentence ("Vui lòng chọn trường"). */
const inSentence = (label: string) => label.charAt(0).toLocaleLowerCase('vi') + label.slice(1);

/**
 * The label of a field, with a visible "(bắt buộc)" when it is required (the control
 * itself carries `required` and `aria-required`, which screen readers announce).
 */
function FieldLabel({ htmlFor, label, required }: { htmlFor: string; label: string; required?: boolean }) {
  const t = useT();
  return (
    <label htmlFor={htmlFor}>
      {label}
      {required ? (
        <span className="required-mark" aria-hidden="true">
          {' '}
          {t('form.required')}
        </span>
      ) : null}
    </label>
  );
}

/**
 * A form the browser checks itself (no `noValidate`) would show its own bubble in the
 * browser's language; instead the message goes beside the field, like the server's,
 * and the first field left empty takes the focus.
 */
function useBrowserError(label: string, choose: boolean) {
  const t = useT();
  const [message, setMessage] = useState<string | null>(null);
  const onInvalid = (e: FormEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) => {
    const el = e.currentTarget;
    e.preventDefault();
    setMessage(
      el.validity.valueMissing
        ? t(choose ? 'form.chooseRequired' : 'form.fillRequired', { field: inSentence(label) })
        : el.validationMessage,
    );
    if (el.form?.querySelector(':invalid') === el) el.focus();
  };
  const clear = () => setMessage(null);
  return { message, onInvalid, clear };
}

const isSubmitButton = (el: EventTarget | null, form: HTMLFormElement) =>
  (el instanceof HTMLButtonElement || el instanceof HTMLInputElement) &&
  el.type === 'submit' &&
  el.form === form;

/**
 * Checks a field of a conform form when the user leaves it, spread on the `<Form>` beside
 * getFormProps; useForm then takes `shouldValidate: 'onSubmit'` (conform's own blur check is
 * not used). A field left for the form's submit button is not checked on its own: the message
 * would appear above the button between mousedown and mouseup, push it down, and the click
 * would land beside it: the form never sent, only that field's message shown. The submit
 * checks every field anyway. The pointer is followed too: a browser that does not focus
 * buttons (Safari) blurs the field with no `relatedTarget`.
 */
export function useBlurCheck(form: Pick<FormMetadata, 'validate'>) {
  const towardsSubmit = useRef(false);
  return {
    onPointerDown: (e: PointerEvent<HTMLFormElement>) => {
      const target = e.target instanceof Element ? e.target.closest('button, input') : null;
      towardsSubmit.current = isSubmitButton(target, e.currentTarget);
    },
    onBlur: (e: FocusEvent<HTMLFormElement>) => {
      const skip = towardsSubmit.current || isSubmitButton(e.relatedTarget, e.currentTarget);
      towardsSubmit.current = false;
      const field = e.target as Partial<HTMLInputElement>;
      if (skip || !field.name || field.type === 'submit' || field.type === 'hidden') return;
      form.validate({ name: field.name });
    },
  };
}

/** A labelled input with its errors beside it, announced through aria-describedby. */
export function Field({
  label,
  errors,
  wording,
  hint,
  inputProps,
}: {
  label: string;
  errors?: readonly string[];
  wording?: (error: string) => string;
  hint?: string;
  inputProps: InputHTMLAttributes<HTMLInputElement> & { name: string };
}) {
  const fallbackId = useId();
  const id = inputProps.id ?? fallbackId;
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const browser = useBrowserError(label, false);
  const invalid = !!errors?.length || !!browser.message;
  const describedBy = [hint ? hintId : null, invalid ? errorId : null].filter(Boolean).join(' ') || undefined;
  const required = !!inputProps.required && inputProps.type !== 'checkbox';
  return (
    <div className="field">
      <FieldLabel htmlFor={id} label={label} required={required} />
      {hint ? (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      ) : null}
      <input
        id={id}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy}
        aria-required={required || undefined}
        onInvalid={browser.onInvalid}
        {...inputProps}
        onInput={(e) => {
          browser.clear();
          inputProps.onInput?.(e);
        }}
      />
      <ErrorList id={errorId} errors={errors} browserError={browser.message} wording={wording} />
    </div>
  );
}

/** A labelled text area, marked and checked like `Field`. */
export function TextareaField({
  label,
  errors,
  wording,
  textareaProps,
}: {
  label: string;
  errors?: readonly string[];
  wording?: (error: string) => string;
  textareaProps: TextareaHTMLAttributes<HTMLTextAreaElement> & { name: string };
}) {
  const fallbackId = useId();
  const id = textareaProps.id ?? fallbackId;
  const errorId = `${id}-error`;
  const browser = useBrowserError(label, false);
  const invalid = !!errors?.length || !!browser.message;
  const required = !!textareaProps.required;
  return (
    <div className="field">
      <FieldLabel htmlFor={id} label={label} required={required} />
      <textarea
        id={id}
        aria-invalid={invalid || undefined}
        aria-describedby={invalid ? errorId : undefined}
        aria-required={required || undefined}
        onInvalid={browser.onInvalid}
        {...textareaProps}
        onInput={(e) => {
          browser.clear();
          textareaProps.onInput?.(e);
        }}
      />
      <ErrorList id={errorId} errors={errors} browserError={browser.message} wording={wording} />
    </div>
  );
}

/**
 * A labelled select. When it is required, its empty choice (an `<option value="">`
 * among the children) reads "— Vui lòng chọn … —", whatever the form wrote there.
 */
export function SelectField({
  label,
  errors,
  wording,
  selectProps,
  children,
}: {
  label: string;
  errors?: readonly string[];
  wording?: (error: string) => string;
  selectProps: SelectHTMLAttributes<HTMLSelectElement> & { name: string };
  children: ReactNode;
}) {
  const t = useT();
  const fallbackId = useId();
  const id = selectProps.id ?? fallbackId;
  const errorId = `${id}-error`;
  const browser = useBrowserError(label, true);
  const invalid = !!errors?.length || !!browser.message;
  const required = !!selectProps.required;
  const placeholder = t('form.choosePlaceholder', { field: inSentence(label) });
  const options = required
    ? Children.map(children, (child) =>
        isValidElement(child) &&
        child.type === 'option' &&
        (child as ReactElement<{ value?: unknown }>).props.value === ''
          ? cloneElement(child as ReactElement<{ children?: ReactNode }>, {}, placeholder)
          : child,
      )
    : children;
  return (
    <div className="field">
      <FieldLabel htmlFor={id} label={label} required={required} />
      <select
        id={id}
        aria-invalid={invalid || undefined}
        aria-describedby={invalid ? errorId : undefined}
        aria-required={required || undefined}
        onInvalid={browser.onInvalid}
        {...selectProps}
        onChange={(e) => {
          browser.clear();
          selectProps.onChange?.(e);
        }}
      >
        {options}
      </select>
      <ErrorList id={errorId} errors={errors} browserError={browser.message} wording={wording} />
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
