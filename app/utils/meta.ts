import {
  DEFAULT_LOCALE,
  isLocale,
  translate,
  usableLocale,
  type MessageKey,
  type TranslateParams,
} from '~/i18n';

interface MatchLike {
  id: string;
  data?: unknown;
}

/** `meta` runs outside React, so it reads the locale from the root match instead of useT(). */
export function pageTitle(matches: readonly MatchLike[], key: MessageKey, params?: TranslateParams) {
  const root = matches.find((m) => m.id === 'root')?.data as { locale?: unknown } | undefined;
  const locale = usableLocale(isLocale(root?.locale) ? root.locale : DEFAULT_LOCALE);
  return [{ title: `${translate(locale, key, params)} · ${translate(locale, 'app.name')}` }];
}
