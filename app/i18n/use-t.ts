import { useRouteLoaderData } from '@remix-run/react';
import { useMemo } from 'react';
import {
  createT,
  DEFAULT_LOCALE,
  formatDate,
  formatDateTime,
  formatDecimal,
  formatGpa,
  formatNumber,
  formatPercent,
  isLocale,
  usableLocale,
  type Locale,
} from './index';

/**
 * The locale the root loader chose; Vietnamese when the root loader has no data (e.g. its own
 * error). In the browser, a language whose catalogue is here (see `usableLocale`).
 */
export function useLocale(): Locale {
  const data = useRouteLoaderData('root') as { locale?: unknown } | undefined;
  return usableLocale(isLocale(data?.locale) ? data.locale : DEFAULT_LOCALE);
}

export function useT() {
  const locale = useLocale();
  return useMemo(() => createT(locale), [locale]);
}

export function useFormatters() {
  const locale = useLocale();
  return useMemo(
    () => ({
      date: (value: Date | string | number | null | undefined) => formatDate(value, locale),
      dateTime: (value: Date | string | number, options?: { seconds?: boolean }) =>
        formatDateTime(value, locale, options),
      number: (value: number) => formatNumber(value, locale),
      decimal: (value: number, digits: number) => formatDecimal(value, locale, digits),
      gpa: (value: number, scale: number | null) => formatGpa(value, scale, locale),
      percent: (ratio: number, digits?: number) => formatPercent(ratio, locale, digits),
    }),
    [locale],
  );
}
