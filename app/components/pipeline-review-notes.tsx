/**
 * The province's flags and comments on a record: listed for everyone who can read it
 * (who, when, resolved by whom); the province adds them, the school resolves flags.
 * The province never records a school's step: its only step is the return (an exit form).
 */
import { Form, useNavigation } from '@remix-run/react';
import { useState, type FormEvent } from 'react';
import type { MessageKey } from '~/i18n';
import { focusFirstInvalid } from '~/utils/validation';
import { useFormatters, useT } from '~/i18n/use-t';
import {
  REVIEW_NOTE_KINDS,
  REVIEW_NOTE_MAX,
  ReviewNoteSchema,
  issuesByField,
  type TabFormFailure,
} from './pipeline-forms';

export interface ReviewNoteView {
  id: string;
  kind: 'flag' | 'comment';
  text: string;
  by: string | null;
  at: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
}

function FieldErrors({ id, errors }: { id: string; errors: MessageKey[] }) {
  const t = useT();
  if (!errors.length) return null;
  return (
    <div id={id}>
      {errors.map((e) => (
        <p key={e} className="field-error">
          {t(e)}
        </p>
      ))}
    </div>
  );
}

function AddNoteForm({ version, failure }: { version: number; failure: TabFormFailure | undefined }) {
  const t = useT();
  const navigation = useNavigation();
  const [clientErrors, setClientErrors] = useState<Record<string, MessageKey[]> | null>(null);
  const server = failure?.intent === 'note' ? failure : undefined;
  const errors = clientErrors ?? server?.errors ?? {};
  const busy = navigation.state === 'submitting' && navigation.formData?.get('intent') === 'note';
  const kindErrors = errors.kind ?? [];
  const textErrors = errors.text ?? [];

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    const form = new FormData(event.currentTarget);
    const parsed = ReviewNoteSchema.safeParse({ kind: form.get('kind'), text: form.get('text') });
    if (parsed.success) {
      setClientErrors(null);
      return;
    }
    event.preventDefault();
    const errors = issuesByField(parsed.error);
    setClientErrors(errors);
    focusFirstInvalid(event.currentTarget, errors);
  }

  return (
    <Form method="post" className="form card review-note-form" noValidate onSubmit={onSubmit} key={version}>
      <h3>{t('pipeline.notes.add')}</h3>
      {server?.conflict ? (
        <div className="form-error" role="alert">
          {t('pipeline.conflict')}
        </div>
      ) : null}
      <input type="hidden" name="intent" value="note" />
      <input type="hidden" name="version" value={version} />
      <fieldset
        className="fieldset-plain"
        aria-describedby={kindErrors.length ? 'note-kind-error' : undefined}
      >
        <legend>{t('pipeline.notes.kind')}</legend>
        {REVIEW_NOTE_KINDS.map((kind) => (
          <div className="field checkbox" key={kind}>
            <input
              type="radio"
              id={`note-kind-${kind}`}
              name="kind"
              value={kind}
              defaultChecked={(server?.values.kind ?? 'comment') === kind}
            />
            <label htmlFor={`note-kind-${kind}`}>{t(`pipeline.notes.kind.${kind}`)}</label>
          </div>
        ))}
        <FieldErrors id="note-kind-error" errors={kindErrors} />
      </fieldset>
      <div className="field">
        <label htmlFor="note-text">
          {t('pipeline.notes.text')} <span className="muted">{t('pipeline.required')}</span>
        </label>
        <p id="note-text-hint" className="field-hint">
          {t('pipeline.notes.textHint')}
        </p>
        <textarea
          id="note-text"
          name="text"
          rows={3}
          maxLength={REVIEW_NOTE_MAX}
          defaultValue={server?.values.text ?? ''}
          aria-invalid={textErrors.length ? true : undefined}
          aria-describedby={textErrors.length ? 'note-text-hint note-text-error' : 'note-text-hint'}
        />
        <FieldErrors id="note-text-error" errors={textErrors} />
      </div>
      <div className="form-actions">
        <button type="submit" className="button" disabled={busy}>
          {t('pipeline.notes.submit')}
        </button>
      </div>
    </Form>
  );
}

export function ReviewNotes({
  notes,
  openFlags,
  version,
  canAdd,
  canResolve,
  failure,
}: {
  notes: ReviewNoteView[];
  openFlags: number;
  version: number;
  canAdd: boolean;
  canResolve: boolean;
  failure: TabFormFailure | undefined;
}) {
  const t = useT();
  const { date } = useFormatters();
  const resolveFailure = failure?.intent === 'resolve_flag' ? failure : undefined;
  return (
    <section aria-labelledby="notes-title" className="profile-section" data-testid="review-notes">
      <h2 id="notes-title">{t('pipeline.notes')}</h2>
      {openFlags > 0 ? (
        <p data-testid="open-flags">
          <strong className="overdue">{t('pipeline.notes.openFlags', { count: openFlags })}</strong>
        </p>
      ) : null}
      {resolveFailure ? (
        <div className="form-error" role="alert">
          {resolveFailure.conflict
            ? t('pipeline.conflict')
            : (resolveFailure.errors.form ?? []).map((e) => t(e)).join(' ')}
        </div>
      ) : null}
      {notes.length === 0 ? (
        <p className="muted">{t('pipeline.notes.empty')}</p>
      ) : (
        <ul className="review-notes">
          {notes.map((n) => (
            <li
              key={n.id}
              data-testid="review-note"
              data-kind={n.kind}
              className={n.kind === 'flag' && !n.resolvedAt ? 'flag-open' : undefined}
            >
              <span className={n.kind === 'flag' && !n.resolvedAt ? 'badge overdue' : 'badge'}>
                {t(`pipeline.notes.badge.${n.kind}`)}
              </span>{' '}
              <span className="muted">
                {t('pipeline.notes.by', { name: n.by ?? t('pipeline.byUnknown'), date: date(n.at) })}
              </span>
              <p className="note-text">{n.text}</p>
              {n.kind === 'flag' ? (
                n.resolvedAt ? (
                  <p className="muted">
                    {t('pipeline.notes.resolved', {
                      date: date(n.resolvedAt),
                      name: n.resolvedBy ?? t('pipeline.byUnknown'),
                    })}
                  </p>
                ) : canResolve ? (
                  <Form method="post">
                    <input type="hidden" name="intent" value="resolve_flag" />
                    <input type="hidden" name="version" value={version} />
                    <input type="hidden" name="noteId" value={n.id} />
                    <button type="submit" className="button button-secondary">
                      {t('pipeline.notes.resolve')}
                    </button>
                  </Form>
                ) : (
                  <p className="muted">{t('pipeline.notes.open')}</p>
                )
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {canAdd ? <AddNoteForm version={version} failure={failure} /> : null}
    </section>
  );
}
