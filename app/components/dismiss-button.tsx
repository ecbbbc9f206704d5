import { useT } from '~/i18n/use-t';

/** The × that closes a toast or a flash message. */
export function DismissButton({ onDismiss }: { onDismiss: () => void }) {
  const t = useT();
  return (
    <button type="button" className="button-link" onClick={onDismiss} aria-label={t('shell.dismiss')}>
      ×
    </button>
  );
}
