import { htmlToText } from "../web/sanitize.ts";

/**
 * A neighbor's practice (HTML, sanitised when it arrived) as Markdown to start from: paragraphs, headings, list
 * items, bold, italics and http(s) links survive; anything else becomes its text.
 */
export function markdownOf(htmlText: string): string {
  const marked = htmlText
    .replace(/<\/?(strong|b)>/gi, "**")
    .replace(/<\/?(em|i)>/gi, "*")
    .replace(/<h[1-6]>/gi, "## ")
    .replace(/<li>/gi, "- ")
    .replace(/<a [^>]*href="(https?:[^"]*)"[^>]*>([^<]*)<\/a>/gi, "[$2]($1)");
  const lines = htmlToText(marked)
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  return lines
    .map((line, i) => (i === 0 ? "" : line.startsWith("- ") && lines[i - 1]!.startsWith("- ") ? "\n" : "\n\n") + line)
    .join("");
}
