import { useFormatters, useT } from '~/i18n/use-t';

/**
 * Percent of the target reached, rounded (2 of 3 is 67%), except that a target not yet
 * met never reads 100% (199 of 200 is 99%); null without a target.
 */
export function progressPercent(admitted: number, target: number | null): number | null {
  if (target === null) return null;
  if (target === 0) return admitted > 0 ? 100 : 0;
  const percent = Math.round((admitted / target) * 100);
  return admitted < target ? Math.min(percent, 99) : percent;
}

/**
 * Admissions against a yearly target: a native `<progress>` (announced with its
 * value and maximum) and the same figures as text, so nothing depends on colour.
 * Beyond the target the bar stays full and the text says how far over it is.
 */
export function TargetProgress({
  admitted,
  target,
  label,
  id,
}: {
  admitted: number;
  target: number | null;
  /** What is measured, e.g. the school's name: the bar's accessible name. */
  label: string;
  id?: string;
}) {
  const t = useT();
  const f = useFormatters();
  const percent = progressPercent(admitted, target);
  if (target === null || percent === null) {
    return (
      <span className="target-progress target-progress-none" id={id} data-testid="target-progress">
        {t('targets.none')}
      </span>
    );
  }
  const text = t('targets.progressText', {
    admitted: f.number(admitted),
    target: f.number(target),
    percent: f.number(percent),
  });
  return (
    <span className="target-progress" id={id} data-testid="target-progress">
      <progress
        max={Math.max(target, 1)}
        value={Math.min(admitted, Math.max(target, 1))}
        aria-label={label}
        aria-valuetext={text}
      >
        {text}
      </progress>{' '}
      <span className="target-progress-text">{text}</span>
    </span>
  );
}
