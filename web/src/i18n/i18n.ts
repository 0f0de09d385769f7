import { createContext, useContext } from 'react';
import { messagesEn, type MessageKey } from './messages-en';
import { messagesZh } from './messages-zh';

/** The dashboard's languages. */
export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];

/** Where the chosen language is remembered (a preference, never a secret). */
export const LOCALE_STORAGE_KEY = 'syncline.locale';

const CATALOGUES: Readonly<Record<Locale, Readonly<Record<MessageKey, string>>>> = {
  en: messagesEn,
  'zh-CN': messagesZh,
};

/** The catalogue of a language. */
export function catalogueOf(locale: Locale): Readonly<Record<MessageKey, string>> {
  return CATALOGUES[locale];
}

/** The language to start in: the remembered one, else zh-CN for a Chinese browser, else English. */
export function initialLocale(remembered: string | null, browserLanguages: readonly string[]): Locale {
  if (remembered === 'en' || remembered === 'zh-CN') return remembered;
  return browserLanguages.some((language) => language.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en';
}

/** A label with its `{name}` placeholders filled in. */
export function translate(
  locale: Locale,
  key: MessageKey,
  values: Readonly<Record<string, string | number>> = {},
): string {
  return catalogueOf(locale)[key].replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = values[name];
    return value === undefined ? whole : String(value);
  });
}

/** A value the API sends (a run's status, a trigger, a health level) in words of the language; an unknown one as it is. */
export function translateValue(locale: Locale, value: string): string {
  const key = `value.${value}`;
  return key in messagesEn ? catalogueOf(locale)[key as MessageKey] : value;
}

/** The placeholders a label has, sorted. */
export function placeholdersOf(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '').sort();
}

/** What components get: the language and the label function. */
export interface I18n {
  readonly locale: Locale;
  readonly t: (key: MessageKey, values?: Readonly<Record<string, string | number>>) => string;
  /** A value from the API in words of the language (see {@link translateValue}). */
  readonly v: (value: string) => string;
}

export const I18nContext = createContext<I18n>({
  locale: 'en',
  t: (key, values) => translate('en', key, values),
  v: (value) => translateValue('en', value),
});

/** The language and labels of the page. */
export function useI18n(): I18n {
  return useContext(I18nContext);
}

export type { MessageKey };
