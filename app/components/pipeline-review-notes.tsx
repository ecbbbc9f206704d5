/**
 * The province's flags and comments on a record: listed for everyone who can read it
 * (who, when, resolved by whom); the province adds them, the school resolves flags.
 * The province never records a school's step: its only step is the return (an exit form).
 */
import { getFormProps, getInputProps, getTextareaProps } from '@conform-to/react';
import { getZodConstraint } from '@conform-to/zod/v4';
import { Form, useNavigation } from '@remix-run/react';
import { useFormatters, useT } from '~/i18n/use-t';
import { ErrorList } from './forms';
import { useCheckedForm } from './checked-form';
import { REVIEW_NOTE_KINDS, ReviewNoteSchema, type TabFormFailure } from '~/utils/forms/pipeline-tab';

export interface ReviewNoteView {
  id: string;
  kind: 'flag' | 'comment';
  text: string;
  by: string | null;
  at: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
}

function AddNoteForm({ version, failure }: { version: number; failure: TabFormFailure | undefined }) {
  const t = useT();
  const navigation = useNavigation();
  const server = failure?.intent === 'note' ? failure : undefined;
  const { form, fields, blurCheck } = useCheckedForm({
    id: 'review-note',
    lastResult: server?.result,
    defaultValue: { kind: 'comment' },
    constraint: getZodConstraint(ReviewNoteSchema),
    schema: ReviewNoteSchema,
  });
  const busy = navigation.state === 'submitting' && navigation.formData?.get('intent') === 'note';
  const hintId = `${fields.text.id}-hint`;
  const { key: _textKey, ...text } = getTextareaProps(fields.text, { ariaDescribedBy: hintId });

  return (
    <Form method="post" className="form card review-note-form" {...getFormProps(form)} {...blurCheck}>
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
        aria-describedby={fields.kind.errors?.length ? fields.kind.errorId : undefined}
      >
        <legend>{t('pipeline.notes.kind')}</legend>
        {REVIEW_NOTE_KINDS.map((kind) => {
          const { key: _kindKey, ...radio } = getInputProps(fields.kind, {
            type: 'radio',
            value: kind,
            ariaAttributes: false,
          });
          return (
            <div className="field checkbox" key={kind}>
              <input {...radio} id={`note-kind-${kind}`} />
              <label htmlFor={`note-kind-${kind}`}>{t(`pipeline.notes.kind.${kind}`)}</label>
            </div>
          );
        })}
        <ErrorList id={fields.kind.errorId} errors={fields.kind.errors} />
      </fieldset>
      <div className="field">
        <label htmlFor={fields.text.id}>
          {t('pipeline.notes.text')} <span className="muted">{t('pipeline.required')}</span>
        </label>
        <p id={hintId} className="field-hint">
          {t('pipeline.notes.textHint')}
        </p>
        <textarea {...text} rows={3} />
        <ErrorList id={fields.text.errorId} errors={fields.text.errors} />
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
      {canAdd ? <AddNoteForm key={version} version={version} failure={failure} /> : null}
    </section>
  );
}
