import MarkdownIt from "markdown-it";
import sanitizeHtml from "sanitize-html";

/**
 * Markdown as people write it, without raw HTML. Tables and images are off: their tags would not survive
 * sanitising anyway, and with the image rule off `![alt](url)` reads as "!" followed by a link.
 */
const markdown = new MarkdownIt("default", { html: false, linkify: true, typographer: false }).disable(["table", "image"]);

const ALLOWED_SCHEMES = ["http", "https", "mailto"];
const SAFE_HREF = /^(https?:\/\/|mailto:)/i;

/** Only absolute http(s) and mailto links become links; any other `[text](target)` stays as written, as text. */
markdown.validateLink = (url) => SAFE_HREF.test(url.trim());
const LINK_REL = "nofollow noopener";

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: ["p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre", "h2", "h3", "h4", "hr"],
  allowedAttributes: { a: ["href", "rel"] },
  allowedSchemes: ALLOWED_SCHEMES,
  allowedSchemesByTag: {},
  allowedSchemesAppliedToAttributes: ["href"],
  allowProtocolRelative: false,
  disallowedTagsMode: "discard",
  transformTags: {
    // The page and the Article already have a title: body headings start one level down.
    h1: "h2",
    h5: "h4",
    h6: "h4",
    // Second wall behind validateLink: only absolute http(s) and mailto hrefs are kept. (Renaming the tag
    // instead would trip a sanitize-html bug that closes the next link with the discarded tag's name.)
    a: (_tagName, attribs): sanitizeHtml.Tag => {
      const href = (attribs.href ?? "").trim();
      return { tagName: "a", attribs: SAFE_HREF.test(href) ? { href, rel: LINK_REL } : { rel: LINK_REL } };
    },
  },
};

/** Sanitises HTML to the practices allow-list (also applied to markdown-it's own output, as a second wall). */
export function sanitize(html: string): string {
  return sanitizeHtml(html, SANITIZE);
}

/** Markdown to HTML that is safe to insert into a page or a federated `content`. */
export function renderMarkdown(source: string): string {
  return sanitize(markdown.render(source)).trim();
}
