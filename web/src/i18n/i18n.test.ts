import { describe, expect, it } from 'vitest';
import { catalogueOf, initialLocale, LOCALES, placeholdersOf, translate, translateValue } from './i18n';
import { messagesEn } from './messages-en';

describe('dashboard labels', () => {
  it('has every key in both languages, none empty, with the same placeholders', () => {
    const keys = Object.keys(messagesEn).sort();
    for (const locale of LOCALES) {
      const catalogue = catalogueOf(locale);
      expect(Object.keys(catalogue).sort()).toEqual(keys);
      for (const key of keys) {
        const text = catalogue[key as keyof typeof messagesEn];
        expect(text.trim(), `${locale} ${key}`).not.toBe('');
        expect(placeholdersOf(text), `${locale} ${key}`).toEqual(
          placeholdersOf(messagesEn[key as keyof typeof messagesEn]),
        );
      }
    }
  });

  it('translates the labels people see first into Chinese', () => {
    expect(translate('zh-CN', 'nav.wall')).toBe('大屏');
    expect(translate('zh-CN', 'tile.deadLetters')).not.toBe(translate('en', 'tile.deadLetters'));
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('en', 'dlq.replayAll', { count: 3 })).toBe('Replay all (3)');
    expect(translate('en', 'dlq.replayAll')).toBe('Replay all ({count})');
  });

  it('starts in the remembered language, else Chinese for a Chinese browser, else English', () => {
    expect(initialLocale('en', ['zh-CN'])).toBe('en');
    expect(initialLocale(null, ['zh-TW', 'en'])).toBe('zh-CN');
    expect(initialLocale(null, ['de-DE', 'en-US'])).toBe('en');
    expect(initialLocale('fr', ['en-US'])).toBe('en');
  });

  it('says values of the API in the language, and an unknown one as it is', () => {
    expect(translateValue('zh-CN', 'succeeded')).toBe('成功');
    expect(translateValue('en', 'catch-up')).toBe('catch-up');
    expect(translateValue('zh-CN', 'something-new')).toBe('something-new');
  });
});
