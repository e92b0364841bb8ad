import sanitizeHtml from "sanitize-html";

const ALLOWED_SCHEMES = ["http", "https", "mailto"];
export const SAFE_HREF = /^(https?:\/\/|mailto:)/i;

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

/**
 * Sanitises HTML to the pod's allow-list: local Markdown output (a second wall behind markdown-it) and
 * every piece of remote HTML before it is stored or shown.
 */
export function sanitize(html: string): string {
  return sanitizeHtml(html, SANITIZE);
}


const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&#x27;": "'", "&nbsp;": " " };

/** Remote HTML reduced to plain text (for search, feeds, CSV and summaries). */
export function htmlToText(html: string): string {
  const text = sanitizeHtml(html.replace(/<\/(p|li|h[1-6])>|<br\s*\/?>/gi, "$&\n"), { allowedTags: [], allowedAttributes: {} });
  return text
    .replace(/&(amp|lt|gt|quot|nbsp|#39|#x27);/g, (entity) => ENTITIES[entity] ?? entity)
    .replace(/[ \t]+/g, " ")
    .replace(/\n\s*\n+/g, "\n")
    .trim();
}
