/**
 * Rule conflicts of recorded steps, as users see them (issue 16, path 4; the rules are
 * app/domain/pipeline/conflicts.ts, the server app/utils/pipeline/pipeline-conflicts.server.ts):
 * - `ConflictBanner`: the member header of every tab, beside the consent-pause banner;
 * - `BrokeFlash`: right after the save that broke a step ("Đã lưu. Thay đổi này làm bước …
 *   không còn hợp lệ: …"), on the page the save redirects to;
 * - `ConflictSection`: the Quy trình tab's list and the override form (a different user
 *   than the one whose change produced the conflict, with a written reason).
 */
import { Form, useNavigation } from '@remix-run/react';
import { useState, type FormEvent } from 'react';
import { OVERRIDE_REASON_MIN } from '~/domain/pipeline';
import { useFormatters, useLocale, useT } from '~/i18n/use-t';
import type { ConflictsView, OverrideFailure } from '~/utils/pipeline/pipeline-conflicts.server';
import type { BrokeFlashView } from '~/utils/pipeline/conflict-flash.server';
import { DismissButton } from './dismiss-button';

type Text = { vi: string; en: string };

/** `Bước "X" ngày D: reason` → { step: 'X" ngày D' parts, reason } (the form conflicts.ts writes). */
export function splitConflictMessage(message: string): { step: string; reason: string } | null {
  const m = /^(?:Bước|Step) "([^"]+)"([^:]*): ([\s\S]+)$/.exec(message);
  return m ? { step: `"${m[1]}"${m[2]}`, reason: m[3] } : null;
}

function OverrideRecorded({ override }: { override: NonNullable<ConflictsView['override']> }) {
  const t = useT();
  const fmt = useFormatters();
  return (
    <p data-testid="conflict-override-recorded">
      {t('conflict.override.recorded', {
        name: override.by ?? '—',
        date: override.at ? fmt.date(override.at) : '—',
        reason: override.reason,
      })}
    </p>
  );
}

function ConflictItems({ conflicts }: { conflicts: ConflictsView }) {
  const t = useT();
  const locale = useLocale();
  const fmt = useFormatters();
  return (
    <ul className="conflict-list">
      {conflicts.list.map((c) => (
        <li key={c.key} data-overridden={c.overridden || undefined}>
          {c.message[locale]}
          {c.overridden ? (
            <>
              {' '}
              <span className="badge">{t('conflict.overridden')}</span>
            </>
          ) : null}
          {c.by ? (
            <span className="muted conflict-by">
              {t('conflict.by', { name: c.by, date: c.at ? fmt.date(c.at) : '—' })}
            </span>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

/** The header's banner: every conflict on file, whether overridden, by whom, when, why. */
export function ConflictBanner({ conflicts }: { conflicts: ConflictsView }) {
  const t = useT();
  if (conflicts.list.length === 0) return null;
  return (
    <div
      // Red while a conflict is open; once overridden, a plain panel that still says so.
      className={conflicts.open > 0 ? 'form-error rule-conflicts' : 'panel rule-conflicts'}
      role="note"
      aria-labelledby="conflict-banner-title"
      data-testid="conflict-banner"
      data-open={conflicts.open}
    >
      <p id="conflict-banner-title">
        <strong>{t('conflict.title')}</strong>
      </p>
      <ConflictItems conflicts={conflicts} />
      {conflicts.open > 0 ? <p>{t('conflict.blocks')}</p> : null}
      {conflicts.override ? <OverrideRecorded override={conflicts.override} /> : null}
    </div>
  );
}

/** Right after the save that broke a step: what it broke, in the words of the rule. */
export function BrokeFlash({ flash }: { flash: BrokeFlashView }) {
  const t = useT();
  const locale = useLocale();
  const [open, setOpen] = useState(true);
  if (!open) return null;
  const one = flash.broke.length === 1 ? splitConflictMessage(flash.broke[0][locale]) : null;
  return (
    <div className="form-error broke-flash" role="status" data-testid="conflict-broke">
      {one ? (
        <p>{t('conflict.brokeStep', { step: one.step, reason: one.reason })}</p>
      ) : flash.broke.length ? (
        <>
          <p>{t('conflict.broke')}</p>
          <ul>
            {flash.broke.map((m: Text) => (
              <li key={m.vi}>{m[locale]}</li>
            ))}
          </ul>
        </>
      ) : (
        <p>{t(flash.fallback)}</p>
      )}
      <DismissButton onDismiss={() => setOpen(false)} />
    </div>
  );
}

/** The member's conflicts, the version an override is made against, and a refused override (its message and reason). */
interface ConflictFormProps {
  conflicts: ConflictsView;
  version: number;
  failure: OverrideFailure | undefined;
}

function OverrideForm({ conflicts, version, failure }: ConflictFormProps) {
  const t = useT();
  const locale = useLocale();
  const navigation = useNavigation();
  const [clientError, setClientError] = useState<string | null>(null);
  const busy =
    navigation.state === 'submitting' && navigation.formData?.get('intent') === 'conflict_override';
  const own = conflicts.ownEdit;
  const error = clientError ?? failure?.error[locale] ?? null;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    const reason = String(new FormData(event.currentTarget).get('reason') ?? '').trim();
    if (reason.length >= OVERRIDE_REASON_MIN) {
      setClientError(null);
      return;
    }
    event.preventDefault();
    setClientError(t('conflict.override.short', { min: OVERRIDE_REASON_MIN }));
    event.currentTarget.querySelector<HTMLTextAreaElement>('#conflict-reason')?.focus();
  }

  return (
    <Form
      method="post"
      className="form card conflict-override-form"
      noValidate
      onSubmit={onSubmit}
      aria-labelledby="conflict-override-title"
      data-testid="conflict-override-form"
    >
      <h3 id="conflict-override-title">{t('conflict.override.title')}</h3>
      {own ? (
        <div id="conflict-own" className="form-error" data-testid="conflict-own">
          {t('conflict.override.own')}
        </div>
      ) : null}
      <input type="hidden" name="intent" value="conflict_override" />
      <input type="hidden" name="version" value={version} />
      {/* The author of the conflicting change sees why before trying (the server refuses too). */}
      <fieldset
        className="fieldset-plain form"
        disabled={own}
        aria-describedby={own ? 'conflict-own' : undefined}
      >
        <legend className="visually-hidden">{t('conflict.override.title')}</legend>
        <div className="field">
          <label htmlFor="conflict-reason">
            {t('conflict.override.reason')} <span className="muted">{t('pipeline.required')}</span>
          </label>
          <textarea
            id="conflict-reason"
            name="reason"
            rows={3}
            required
            defaultValue={failure?.values.reason ?? ''}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'conflict-reason-error' : undefined}
          />
          {error ? (
            <p id="conflict-reason-error" className="field-error" data-testid="conflict-reason-error">
              {error}
            </p>
          ) : null}
        </div>
        <div className="form-actions">
          <button type="submit" className="button" disabled={busy || own}>
            {t('conflict.override.submit')}
          </button>
        </div>
      </fieldset>
    </Form>
  );
}

/** The Quy trình tab: each conflict (step, message), the override on file, and the form. */
export function ConflictSection({ conflicts, version, failure }: ConflictFormProps) {
  const t = useT();
  if (conflicts.list.length === 0) return null;
  return (
    <section aria-labelledby="conflicts-title" className="profile-section" data-testid="conflict-section">
      <h2 id="conflicts-title">{t('conflict.title')}</h2>
      <ConflictItems conflicts={conflicts} />
      {conflicts.open > 0 ? <p className="form-error">{t('conflict.blocks')}</p> : null}
      {conflicts.override ? <OverrideRecorded override={conflicts.override} /> : null}
      {conflicts.canOverride || conflicts.ownEdit ? (
        <OverrideForm conflicts={conflicts} version={version} failure={failure} />
      ) : null}
    </section>
  );
}
