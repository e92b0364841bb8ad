import { LanguageString } from "@fedify/vocab";
import { instantFormatter } from "../web/instants.ts";

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

/** An instant as a pod's posts write it: medium date and short time, in UTC (zones differ between readers). */
export function formatDate(iso: string, language = "en"): string {
  return `${instantFormatter(language, "UTC", "date and time")(iso)} UTC`;
}
