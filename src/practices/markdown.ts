import MarkdownIt from "markdown-it";
import { SAFE_HREF, sanitize } from "../web/sanitize.ts";

/**
 * Markdown as people write it, without raw HTML. Tables and images are off: their tags would not survive
 * sanitising anyway, and with the image rule off `![alt](url)` reads as "!" followed by a link.
 */
const markdown = new MarkdownIt("default", { html: false, linkify: true, typographer: false }).disable([
  "table",
  "image",
]);

/** Only absolute http(s) and mailto links become links; any other `[text](target)` stays as written, as text. */
markdown.validateLink = (url) => SAFE_HREF.test(url.trim());

/** Markdown to HTML that is safe to insert into a page or a federated `content`. */
export function renderMarkdown(source: string): string {
  return sanitize(markdown.render(source)).trim();
}
