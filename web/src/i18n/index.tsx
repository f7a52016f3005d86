/** A small dictionary i18n: Chinese first, English on request, remembered in localStorage. */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Lang } from '../api/types';
import { formatMoney, formatMoneyFull, type MoneyUnit } from '../lib/money';
import { messages, type MessageKey } from './messages';

const STORAGE_KEY = 'kaifang.lang';

export function translate(lang: Lang, key: MessageKey, vars?: Record<string, string | number>): string {
  const pair = messages[key];
  let s: string = pair ? pair[lang === 'en' ? 1 : 0] : key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k: string) => (vars[k] !== undefined ? String(vars[k]) : m));
  return s;
}

export interface I18n {
  lang: Lang;
  setLang: (l: Lang) => void;
  t: (key: MessageKey, vars?: Record<string, string | number>) => string;
  /** pick the text for the current language from an API object's zh/en pair, falling back to Chinese */
  pick: (zh: string | null | undefined, en?: string | null) => string;
  money: (fen: number | null | undefined, unit?: MoneyUnit | 'auto') => string;
  moneyFull: (fen: number | null | undefined) => string;
}

const I18nContext = createContext<I18n | null>(null);

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'en' || saved === 'zh') return saved;
  } catch {
    /* storage may be blocked; Chinese is the default */
  }
  return 'zh';
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((l: Lang) => {
    setLangState(l);
    try {
      localStorage.setItem(STORAGE_KEY, l);
    } catch {
      /* not remembered, still switched */
    }
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
  }, [lang]);
  const value = useMemo<I18n>(
    () => ({
      lang,
      setLang,
      t: (key, vars) => translate(lang, key, vars),
      pick: (zh, en) => (lang === 'en' && en ? en : (zh ?? en ?? '')),
      money: (fen, unit = 'auto') => formatMoney(fen, { unit, lang }),
      moneyFull: (fen) => formatMoneyFull(fen, lang),
    }),
    [lang, setLang],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(I18nContext);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
