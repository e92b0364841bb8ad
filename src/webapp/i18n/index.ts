import { IntlMessageFormat } from "intl-messageformat";
import { en, type MessageKey } from "./en.ts";
import { es } from "./es.ts";

export const LOCALES = ["en", "es"] as const;
export type Locale = (typeof LOCALES)[number];
export type { MessageKey };

const catalogs: Record<Locale, Record<MessageKey, string>> = { en, es };

export const isLocale = (value: unknown): value is Locale => LOCALES.includes(value as Locale);
export const isMessageKey = (value: string): value is MessageKey => Object.hasOwn(en, value);

/** The first of the browser's languages (Accept-Language, by weight) that the app speaks; English otherwise. */
export function localeFromAcceptLanguage(header: string | undefined): Locale {
  const ranked = (header ?? "")
    .split(",")
    .map((part, order) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = Number(
        params
          .find((p) => p.trim().startsWith("q="))
          ?.trim()
          .slice(2) ?? 1,
      );
      return { primary: tag.toLowerCase().split("-")[0], q: Number.isFinite(q) ? q : 0, order };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q || a.order - b.order);
  return ranked.map((entry) => entry.primary).find(isLocale) ?? "en";
}

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/**
 * Looks a message up in the locale's catalog and fills its {placeholders}. A message that counts something says
 * so in ICU syntax (`{count, plural, one {# seat} other {# seats}}`) and is formatted by intl-messageformat with
 * the language's plural rules. Each message is read once per locale into what fills it (a page asks for hundreds).
 */
export function translator(locale: Locale): Translate {
  const catalog = catalogs[locale];
  const filled = fillers[locale];
  return (key, params) => {
    let fill = filled.get(key);
    if (!fill) filled.set(key, (fill = fillerOf(catalog[key], locale)));
    return fill(params);
  };
}

type Fill = (params?: Record<string, string | number>) => string;

function fillerOf(message: string, locale: Locale): Fill {
  if (message.includes(", plural,")) {
    const format = new IntlMessageFormat(message, locale);
    return (params) => String(format.format(params ?? {}));
  }
  // Literal text at even places, placeholders' names at odd ones; a name not given stays as written.
  const parts = message.split(/\{(\w+)\}/);
  if (parts.length === 1) return () => message;
  return (params) => {
    let text = parts[0]!;
    for (let i = 1; i < parts.length; i += 2) {
      const name = parts[i]!;
      text += (params && Object.hasOwn(params, name) ? String(params[name]) : `{${name}}`) + parts[i + 1];
    }
    return text;
  };
}

const fillers: Record<Locale, Map<MessageKey, Fill>> = { en: new Map(), es: new Map() };
