import { createRequire } from "node:module";
import type MarkdownIt from "markdown-it";
import { SAFE_HREF, sanitize } from "../web/sanitize.ts";

/**
 * Markdown as people write it, without raw HTML. Tables and images are off: their tags would not survive
 * sanitising anyway, and with the image rule off `![alt](url)` reads as "!" followed by a link.
 */
function renderer(linkify: boolean) {
  const Markdown = requireHere("markdown-it") as typeof MarkdownIt;
  const it = new Markdown("default", { html: false, linkify, typographer: false }).disable(["table", "image"]);
  /** Only absolute http(s) and mailto links become links; any other `[text](target)` stays as written, as text. */
  it.validateLink = (url) => SAFE_HREF.test(url.trim());
  return it;
}
// markdown-it and its modules (about 20) load with the first markdown rendered, not at start.
const requireHere = createRequire(import.meta.url);
type Renderer = InstanceType<typeof MarkdownIt>;
let markdown: Renderer | undefined;
/** For text that quotes other pods (a drafted agenda): a bare URL in it stays text, never becomes a link. */
let markdownWithoutLinkify: Renderer | undefined;

/** Markdown to HTML that is safe to insert into a page or a federated `content`. */
export function renderMarkdown(source: string, options: { linkify?: boolean } = {}): string {
  const it = options.linkify === false ? (markdownWithoutLinkify ??= renderer(false)) : (markdown ??= renderer(true));
  return sanitize(it.render(source)).trim();
}
