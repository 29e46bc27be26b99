/** English / Deutsch, each named in its own language; used by the shell and the sign-in page. */
import { LANGUAGES, setLanguage, t, useLanguage, type Language } from './i18n/index.ts';

export function LanguageSwitcher() {
  const current = useLanguage();
  return (
    <label class="language-switcher">
      <span class="sr-only">{t('common.language')}</span>
      <select value={current} onChange={(e) => setLanguage((e.currentTarget as HTMLSelectElement).value as Language)}>
        {LANGUAGES.map((l) => (
          <option key={l} value={l} lang={l}>
            {t(`shell.languageName.${l}`)}
          </option>
        ))}
      </select>
    </label>
  );
}
