/**
 * Every string the panel shows goes through `t(key, vars)`: one table per area under `strings/`, each with an English
 * and a German column (the original AION speaks German). The language comes from the saved choice, else the browser's
 * languages, else English; `setLanguage` switches it and re-renders whoever uses `useLanguage`. Dates and numbers are
 * formatted for the chosen language.
 */
import { useEffect, useState } from 'preact/hooks';
import { admin } from './strings/admin.ts';
import { chat } from './strings/chat.ts';
import { common } from './strings/common.ts';
import { pages } from './strings/pages.ts';
import { shell } from './strings/shell.ts';

export type Language = 'en' | 'de';
export const LANGUAGES: readonly Language[] = ['en', 'de'];

/** An area's table: English is the source; German must have every English key (checked by the type). */
export interface StringTable<K extends string> {
  en: Record<K, string>;
  de: Record<K, string>;
}

// Add an area: import its table (one line above) and add it to this list (one entry per area).
const TABLES = [
  common,
  shell,
  chat,
  admin,
  pages,
] as const;

type KeysOf<T> = T extends StringTable<infer K> ? K : never;
export type MessageKey = KeysOf<(typeof TABLES)[number]>;

const merged: Record<Language, Record<string, string>> = { en: {}, de: {} };
for (const table of TABLES) {
  Object.assign(merged.en, table.en);
  Object.assign(merged.de, table.de);
}

const STORAGE_KEY = 'aion.language';

function initialLanguage(): Language {
  const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
  if (saved === 'en' || saved === 'de') return saved;
  for (const wanted of globalThis.navigator?.languages ?? []) {
    const base = wanted.toLowerCase().split('-')[0];
    if (base === 'de' || base === 'en') return base;
  }
  return 'en';
}

let current: Language = initialLanguage();
const listeners = new Set<(language: Language) => void>();

export function language(): Language {
  return current;
}

export function setLanguage(next: Language): void {
  if (next === current) return;
  current = next;
  globalThis.localStorage?.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next;
  for (const listener of listeners) listener(next);
}

/** Re-renders the calling component when the language changes; returns the current one. */
export function useLanguage(): Language {
  const [value, setValue] = useState(current);
  useEffect(() => {
    listeners.add(setValue);
    return () => void listeners.delete(setValue);
  }, []);
  return value;
}

/** The string for `key` in the current language, `{name}` placeholders filled from `vars`. */
export function t(key: MessageKey, vars?: Record<string, string | number>): string {
  const text = merged[current][key] ?? merged.en[key] ?? key;
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? formatValue(vars[name]) : whole));
}

function formatValue(value: string | number): string {
  return typeof value === 'number' ? formatNumber(value) : value;
}

export function formatNumber(value: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(current, options).format(value);
}

export function formatDateTime(ms: number, options: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short' }): string {
  return new Intl.DateTimeFormat(current, options).format(new Date(ms));
}

export function formatRelative(ms: number, now = Date.now()): string {
  const seconds = Math.round((ms - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(current, { numeric: 'auto' });
  const abs = Math.abs(seconds);
  if (abs < 60) return rtf.format(seconds, 'second');
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return rtf.format(Math.round(seconds / 3600), 'hour');
  return rtf.format(Math.round(seconds / 86_400), 'day');
}

if (typeof document !== 'undefined') document.documentElement.lang = current;
