import { relativeAge } from '~/domain/notifications/centre';
import { useFormatters, useLocale, useT } from '~/i18n/use-t';

const INTL: Record<string, string> = { vi: 'vi-VN', en: 'en-GB' };

/**
 * When a notice came: "5 phút trước" within a week (the exact time on hover and in
 * `dateTime`), the date and time after that. `now` is the loader's, so the page renders the
 * same on the server and in the browser.
 */
export function NotificationTime({ at, now }: { at: string; now: string }) {
  const t = useT();
  const locale = useLocale();
  const fmt = useFormatters();
  const exact = fmt.dateTime(at, { seconds: false });
  const age = relativeAge(new Date(at), new Date(now));
  const shown =
    age === 'now'
      ? t('notifications.justNow')
      : age === 'date'
        ? exact
        : new Intl.RelativeTimeFormat(INTL[locale], { numeric: 'auto' }).format(age.value, age.unit);
  return (
    <time className="notification-time" dateTime={at} title={exact}>
      {shown}
    </time>
  );
}
