import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

/** The languages of the interface. Every message exists in each: a missing translation is a type error. */
export const LOCALES = ['en', 'it'] as const;
export type Locale = (typeof LOCALES)[number];

export type Messages<K extends string> = { readonly [L in Locale]: Readonly<Record<K, string>> };

/**
 * One screen's messages, English first. Italian must carry the same keys (checked by the compiler).
 * `{name}` in a message is replaced by the parameter of that name.
 */
export function messages<K extends string>(en: Record<K, string>, it: Record<K, string>): Messages<K> {
  return { en, it };
}

export type Translate<K extends string> = (
  key: K,
  params?: Readonly<Record<string, string | number>>,
) => string;

interface LocaleState {
  readonly locale: Locale;
  readonly setLocale: (l: Locale) => void;
}

const LocaleContext = createContext<LocaleState>({ locale: 'en', setLocale: () => undefined });
const STORAGE_KEY = 'conduit.locale';

function initialLocale(): Locale {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (stored === 'en' || stored === 'it') return stored;
  return navigator.language.toLowerCase().startsWith('it') ? 'it' : 'en';
}

export function LocaleProvider({ children }: { children: ReactNode }) {
  const [locale, set] = useState<Locale>(initialLocale);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  const setLocale = useCallback((l: Locale) => {
    localStorage.setItem(STORAGE_KEY, l);
    set(l);
  }, []);
  const value = useMemo(() => ({ locale, setLocale }), [locale, setLocale]);
  return <LocaleContext.Provider value={value}>{children}</LocaleContext.Provider>;
}

export function useLocale(): LocaleState {
  return useContext(LocaleContext);
}

/** The translate function of one screen's messages, in the current language. */
export function useT<K extends string>(m: Messages<K>): Translate<K> {
  const { locale } = useLocale();
  return useCallback(
    (key, params) => {
      const text = m[locale][key];
      return params ? text.replace(/\{(\w+)\}/g, (all, p: string) => String(params[p] ?? all)) : text;
    },
    [m, locale],
  );
}

/** Numbers in the user's language (thousands separators, decimals). */
export function useNumber(): (n: number, digits?: number) => string {
  const { locale } = useLocale();
  return useCallback(
    (n, digits) =>
      new Intl.NumberFormat(locale, digits === undefined ? {} : { maximumFractionDigits: digits }).format(n),
    [locale],
  );
}

const regionNames = new Map<string, Intl.DisplayNames | null>();

/** A country code as its name in the user's language ("IT" → "Italy"); the code itself where none is known. */
export function useRegionName(): (code: string) => string {
  const { locale } = useLocale();
  return useCallback(
    (code) => {
      if (!regionNames.has(locale)) {
        try {
          regionNames.set(locale, new Intl.DisplayNames([locale], { type: 'region' }));
        } catch {
          regionNames.set(locale, null);
        }
      }
      try {
        return regionNames.get(locale)?.of(code.toUpperCase()) ?? code;
      } catch {
        return code;
      }
    },
    [locale],
  );
}
