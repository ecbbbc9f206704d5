/**
 * Isomorphic i18n core: locale list, catalogues, `translate`, `Intl` formatters.
 * A hand-rolled typed catalogue instead of a library: two locales, flat keys and
 * `{name}` placeholders need ~40 lines, and the key type catches typos at compile time.
 *
 * The server (and tests, scripts) hold both catalogues. The browser build holds none: the
 * root loader sends the active one and root.tsx registers it (`registerCatalogue`), so a
 * page ships ~17 KB of messages in its data instead of ~35 KB of both in its JavaScript
 * (docs/benchmarks.md). `__I18N_BROWSER_BUILD__` is defined only for the client build
 * (vite.config.ts), where the branch below folds away and vi.ts/en.ts are tree-shaken.
 */
import { en } from './en';
import { vi } from './vi';
import type { MessageKey, Messages } from './vi';

export type { MessageKey, Messages };
export const LOCALES = ['vi', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'vi';

declare const __I18N_BROWSER_BUILD__: boolean | undefined;
const CATALOGUES: Partial<Record<Locale, Messages>> =
  typeof __I18N_BROWSER_BUILD__ !== 'undefined' && __I18N_BROWSER_BUILD__ ? {} : { vi, en };

/**
 * The browser's catalogue for `locale`, as the root loader sent it. Replaces an older copy,
 * so a language switch never leaves a stale catalogue behind.
 */
export function registerCatalogue(locale: Locale, messages: Messages) {
  if (CATALOGUES[locale] !== messages) CATALOGUES[locale] = messages;
}

/**
 * `locale` when its catalogue is here, otherwise a language whose catalogue is. The browser
 * holds the catalogue the page was loaded with; a client navigation that changes the language
 * (signing in restores the user's) renders in that one until the page reloads (root.tsx).
 */
export function usableLocale(locale: Locale): Locale {
  if (CATALOGUES[locale]) return locale;
  return LOCALES.find((other) => CATALOGUES[other]) ?? locale;
}
const INTL_LOCALE: Record<Locale, string> = { vi: 'vi-VN', en: 'en-GB' };

export function isLocale(value: unknown): value is Locale {
  return value === 'vi' || value === 'en';
}

export function isMessageKey(value: unknown): value is MessageKey {
  if (typeof value !== 'string') return false;
  return Object.values(CATALOGUES).some(
    (messages) => messages !== undefined && Object.hasOwn(messages, value),
  );
}

export type TranslateParams = Record<string, string | number>;
export type TFunction = (key: MessageKey, params?: TranslateParams) => string;

export function translate(locale: Locale, key: MessageKey, params?: TranslateParams): string {
  const template = CATALOGUES[locale]?.[key] ?? CATALOGUES[DEFAULT_LOCALE]?.[key] ?? key;
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (match, name: string) =>
    name in params ? String(params[name]) : match,
  );
}

export function createT(locale: Locale): TFunction {
  return (key, params) => translate(locale, key, params);
}

/** dd/MM/yyyy in both locales (vi-VN and en-GB), always in Vietnam's time zone. */
export function formatDate(value: Date | string | number | null | undefined, locale: Locale): string {
  if (value == null || value === '') return '';
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return '';
  return new Intl.DateTimeFormat(INTL_LOCALE[locale], {
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    timeZone: 'Asia/Ho_Chi_Minh',
  }).format(date);
}

const DATE_TIME_FORMATS = new Map<string, Intl.DateTimeFormat>();

/**
 * Date and time in Vietnam's time zone (24-hour clock), as each locale writes it:
 * 14:05:09 27/11/2026 in Vietnamese, 27/11/2026, 14:05:09 in English; `seconds: false` drops
 * the seconds.
 */
export function formatDateTime(
  value: Date | string | number,
  locale: Locale,
  { seconds = true }: { seconds?: boolean } = {},
): string {
  const key = `${locale}:${seconds}`;
  let format = DATE_TIME_FORMATS.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(INTL_LOCALE[locale], {
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      ...(seconds ? { second: '2-digit' } : {}),
      hour12: false,
      timeZone: 'Asia/Ho_Chi_Minh',
    });
    DATE_TIME_FORMATS.set(key, format);
  }
  return format.format(value instanceof Date ? value : new Date(value));
}

export function formatNumber(value: number, locale: Locale): string {
  return new Intl.NumberFormat(INTL_LOCALE[locale]).format(value);
}

/**
 * A number with a fixed count of decimals in the locale's separator (3,50 in
 * Vietnamese, 3.50 in English), rounded half away from zero, never truncated.
 */
export function formatDecimal(value: number, locale: Locale, digits: number): string {
  return new Intl.NumberFormat(INTL_LOCALE[locale], {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(value);
}

/** A GPA as the member table writes it: 2 decimals on the 4-point scale, 1 on the 10-point one. */
export function formatGpa(gpa: number, scale: number | null, locale: Locale): string {
  return formatDecimal(gpa, locale, scale === 4 ? 2 : 1);
}

/** A ratio (0.667) as a rounded percentage (67%), the locale's decimal separator when `digits` > 0. */
export function formatPercent(ratio: number, locale: Locale, digits = 0): string {
  return new Intl.NumberFormat(INTL_LOCALE[locale], {
    style: 'percent',
    minimumFractionDigits: 0,
    maximumFractionDigits: digits,
  }).format(ratio);
}

/** A whole catalogue, on the server (the root loader sends the active one to the browser). */
export function catalogue(locale: Locale): Messages {
  const messages = CATALOGUES[locale];
  if (!messages) throw new Error(`No message catalogue for ${locale} here`);
  return messages;
}
