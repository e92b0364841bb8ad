import { LanguageString } from "@fedify/vocab";

/**
 * Text with its language, the way Fedify writes both `content` (what Mastodon reads first) and
 * `contentMap` (the language-tagged form).
 */
export function inLanguage(text: string, language: string): (string | LanguageString)[] {
  return [text, new LanguageString(text, language)];
}

/** Paragraphs of escaped plain text. */
export function paragraphs(escaped: string): string {
  return escaped
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p>${p.replaceAll("\n", "<br>")}</p>`)
    .join("");
}

export function formatDate(iso: string, language = "en"): string {
  return `${new Intl.DateTimeFormat(language, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(
    new Date(iso),
  )} UTC`;
}
