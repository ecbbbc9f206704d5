/**
 * Selecting an outstanding member against the criteria (issue 16, path 5): the verdict above
 * the selection form (met / not met / data missing / no set, with each failing rule's
 * explanation) and, on the record, a selection made outside the criteria with its reason.
 */
import { OVERRIDE_MIN_LENGTH, selectionStatusText, type SelectionVerdict } from '~/domain/pipeline';
import { useFormatters, useLocale, useT } from '~/i18n/use-t';
import type { SelectionOverrideView } from '~/utils/pipeline/selection.server';

export function SelectionVerdictBox({ verdict }: { verdict: SelectionVerdict }) {
  const t = useT();
  const locale = useLocale();
  const met = verdict.status === 'met';
  return (
    <div
      className={met ? 'selection-verdict' : 'selection-verdict form-error'}
      data-testid="selection-verdict"
      data-status={verdict.status}
    >
      <p>
        <strong>{t('selection.verdict.title')}: </strong>
        {selectionStatusText(verdict.status)[locale]}
      </p>
      {verdict.set ? (
        <p className="muted">
          {t('selection.verdict.set', { name: verdict.set.name, version: verdict.set.version })}
          {verdict.score
            ? ` · ${t('selection.verdict.score', {
                score: verdict.score.score,
                max: verdict.score.maxScore,
                pass: verdict.score.passMark,
              })}`
            : null}
        </p>
      ) : null}
      {verdict.failing.length ? (
        <>
          <p>{t('selection.verdict.failing')}</p>
          <ul data-testid="selection-failing">
            {verdict.failing.map((f) => (
              <li key={f.ruleId} data-missing={f.missing || undefined}>
                {f.explanation[locale]}
                {f.missing ? ` (${t('selection.verdict.missingMark')})` : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {met ? null : <p>{t('selection.verdict.overrideNeeded', { min: OVERRIDE_MIN_LENGTH })}</p>}
    </div>
  );
}

export function SelectionOverrideNotice({ override }: { override: SelectionOverrideView }) {
  const t = useT();
  const locale = useLocale();
  const fmt = useFormatters();
  return (
    <section
      className="form-error"
      data-testid="selection-override"
      aria-labelledby="selection-override-title"
    >
      <p id="selection-override-title">
        <strong>{t('selection.override.title')}</strong> ({selectionStatusText(override.verdict)[locale]})
      </p>
      <p>
        {t('selection.override.reason')}: {override.reason}
      </p>
      {override.failing.length ? (
        <>
          <p>{t('selection.override.failing')}</p>
          <ul>
            {override.failing.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
        </>
      ) : null}
      {override.at ? (
        <p className="muted">
          {t('selection.override.byAt', { by: override.by ?? '—', date: fmt.date(override.at) })}
        </p>
      ) : null}
    </section>
  );
}
