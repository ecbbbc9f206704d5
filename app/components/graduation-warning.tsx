/** The expected-graduation warning (app/domain/graduation.ts), on the Quy trình tab and the portal. */
import type { GraduationWarning } from '~/domain/graduation';
import { useLocale, useT } from '~/i18n/use-t';

export function GraduationWarningNotice({ warning }: { warning: GraduationWarning }) {
  const t = useT();
  const locale = useLocale();
  return (
    <p className="form-error" role="note" data-testid="graduation-warning">
      <strong>{t('graduation.warning')}:</strong> {warning.message[locale]}
    </p>
  );
}
