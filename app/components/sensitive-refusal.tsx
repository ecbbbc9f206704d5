/**
 * What a refused sensitive filter shows in place of the member table: the server's own
 * catalogue message (why: the role, or a group too small to show by name), or the
 * generic "no access" for any other 403.
 */
import { isSensitiveRefusal } from '~/domain/sensitive-data';
import { useT } from '~/i18n/use-t';

export function SensitiveRefusalText({ data }: { data: unknown }) {
  const t = useT();
  return <p role="alert">{isSensitiveRefusal(data) ? data.message : t('error.403')}</p>;
}
