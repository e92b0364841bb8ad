import { createRequire } from "node:module";
import type SanitizeHtml from "sanitize-html";

// sanitize-html and its parser and CSS modules (about 70) load with the first HTML the shortcuts below cannot
// take: not at start, and perhaps never on a pod whose neighbors send only the plain HTML the shortcuts read.
const requireHere = createRequire(import.meta.url);
let loaded: typeof SanitizeHtml | undefined;
function sanitizeHtml(html: string, options: SanitizeHtml.IOptions): string {
  loaded ??= requireHere("sanitize-html") as typeof SanitizeHtml;
  return loaded(html, options);
}

const ALLOWED_SCHEMES = ["http", "https", "mailto"];
export const SAFE_HREF = /^(https?:\/\/|mailto:)/i;

const LINK_REL = "nofollow noopener";

/** The allow-list (exported for the tests that hold the shortcuts below to sanitize-html). */
export const SANITIZE: SanitizeHtml.IOptions = {
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
    a: (_tagName, attribs): SanitizeHtml.Tag => {
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
  return simpleHtml(html) ?? sanitizeHtml(bounded(html), SANITIZE);
}

/**
 * sanitize-html slows down sharply on deeply nested tags (200k nested tags take tens of seconds); no
 * text the pod keeps is longer than this, so longer input is cut before the sanitiser sees it.
 */
export const MAX_HTML_CHARS = 200_000;
const bounded = (html: string) => (html.length > MAX_HTML_CHARS ? html.slice(0, MAX_HTML_CHARS) : html);

/** Remote HTML reduced to plain text (for search, feeds, CSV and summaries). */
export function htmlToText(html: string): string {
  return (simpleText(html) ?? simpleHtmlText(html) ?? textBySanitizer(html))
    .replace(/[ \t]+/g, " ")
    .replace(/\n\s*\n+/g, "\n")
    .trim();
}

const ENTITIES: Record<string, string> = {
  "&amp;": "&",
  "&lt;": "<",
  "&gt;": ">",
  "&quot;": '"',
  "&#39;": "'",
  "&#x27;": "'",
  "&nbsp;": " ",
};

/** htmlToText's text before whitespace is tidied, the general way: sanitize-html drops every tag. */
export function textBySanitizer(html: string): string {
  const text = sanitizeHtml(bounded(html).replace(/<\/(p|li|h[1-6])>|<br\s*\/?>/gi, "$&\n"), {
    allowedTags: [],
    allowedAttributes: {},
  });
  return text.replace(/&(amp|lt|gt|quot|nbsp|#39|#x27);/g, (entity) => ENTITIES[entity] ?? entity);
}

/*
 * Shortcuts for the simple HTML most remote objects carry (paragraphs of escaped text, as pods of this
 * software write them, and Mastodon's mentions, hashtags and links): a strict scanner that knows a small subset
 * of HTML and gives exactly what sanitize-html would, or null for anything else, which then takes sanitize-html.
 * Tests hold both to sanitize-html's output on tricky and generated inputs (test/unit/sanitize-shortcuts.test.ts).
 */

/** The entities the shortcuts decode; any other `&` sends the input to sanitize-html. */
const DECODED: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  "#39": "'",
  "#x27": "'",
  nbsp: "\u00a0",
};
const SIMPLE_ENTITY = `&(${Object.keys(DECODED).join("|")});`;
/**
 * An absolute http(s) URL of characters that need no escaping in an attribute and no decoding: no `&` (entities),
 * quotes, `<`, `>`, whitespace or non-ASCII, so sanitize-html writes it back unchanged.
 */
const PLAIN_HREF = "https?://[A-Za-z0-9\\-._~:/?#\\[\\]@!$()*+,;=%]+";
/** The attributes Mastodon writes on its mentions, hashtags and links, in its order; sanitize-html drops them. */
const MASTODON_LINK = [
  ' class="u-url mention"',
  ' class="mention hashtag" rel="tag"',
  ' target="_blank" rel="nofollow noopener(?: noreferrer)?" translate="no"',
  ' rel="nofollow noopener(?: noreferrer)?" target="_blank"',
].join("|");
const MASTODON_SPAN = ' class="(?:h-card|invisible|ellipsis|)"(?: translate="no")?';
const SIMPLE_HTML = new RegExp(
  `<(/?)(p|strong|em|code|span|a)(${MASTODON_SPAN}| href="(${PLAIN_HREF})"(?:${MASTODON_LINK}))?>` +
    `|<br ?/?>|${SIMPLE_ENTITY}|>|[^<>&]+`,
  "y",
);
const ESCAPED: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };
const INLINE = new Set(["strong", "em", "code", "span", "a"]);
/** What the pod's transform of `a` (see SANITIZE) writes for an href the scanner accepted. */
const LINK_OPEN = (href: string) => `<a href="${href}" rel="${LINK_REL}">`;

/**
 * sanitize()'s result for HTML made only of text (no `&` but a few entities), `<p>` at the top level,
 * `<strong>`, `<em>`, `<code>`, `<span>` and `<a>` (not in another `<a>`) anywhere, and `<br>`, every tag closed in
 * order and without attributes, except Mastodon's: a plain http(s) href and its classes, rel, target and translate
 * on `<a>`, its classes and translate on `<span>`; null for anything else (other tags or attributes, comments,
 * stray or implied closes, other entities).
 */
export function simpleHtml(html: string): string | null {
  return scanSimpleHtml(html, {
    open: (tag, whole, href) => (tag === "span" ? "" : href !== undefined ? LINK_OPEN(href) : whole),
    close: (tag, whole) => (tag === "span" ? "" : whole),
    br: "<br />",
    character: (character) => ESCAPED[character] ?? character,
  });
}

/**
 * textBySanitizer()'s result for the same simple HTML simpleHtml() takes: tags dropped, a line break after each
 * paragraph and `<br>`, entities decoded; null for anything else.
 */
export function simpleHtmlText(html: string): string | null {
  if (html.length > MAX_HTML_CHARS) return null;
  return scanSimpleHtml(html, {
    open: () => "",
    close: (tag) => (tag === "p" ? "\n" : ""),
    br: "\n",
    character: (character) => character,
  });
}

/** The one scanner behind both shortcuts: how each token is written differs, what is accepted does not. */
function scanSimpleHtml(
  html: string,
  write: {
    open: (tag: string, whole: string, href: string | undefined) => string;
    close: (tag: string, whole: string) => string;
    br: string;
    character: (c: string) => string;
  },
): string | null {
  const open: string[] = [];
  let out = "";
  SIMPLE_HTML.lastIndex = 0;
  while (SIMPLE_HTML.lastIndex < html.length) {
    const token = SIMPLE_HTML.exec(html);
    if (!token) return null;
    const [whole, closing, tag, attributes, href, entity] = token;
    if (tag) {
      if (closing) {
        if (attributes !== undefined || open.pop() !== tag) return null;
        out += write.close(tag, whole);
        continue;
      }
      // Attributes only as Mastodon writes them: a link's on `<a>` (which needs its href), a span's on `<span>`.
      const fitting = tag === "a" ? href !== undefined : href === undefined && (tag === "span" || !attributes);
      if (!fitting || (INLINE.has(tag) ? tag === "a" && open.includes("a") : open.length > 0)) return null;
      open.push(tag);
      out += write.open(tag, whole, href);
    } else if (entity) out += write.character(DECODED[entity]!);
    else if (whole === ">") out += write.character(">");
    else if (whole.startsWith("<")) out += write.br;
    else out += whole;
  }
  return open.length === 0 ? out : null;
}

const SIMPLE_TEXT = new RegExp(SIMPLE_ENTITY, "g");
const OTHER_AMPERSAND = new RegExp(`&(?!${SIMPLE_ENTITY.slice(1)})`);

/** textBySanitizer()'s result for text without markup (no `<`, no `&` but a few entities); else null. */
export function simpleText(html: string): string | null {
  if (html.includes("<") || OTHER_AMPERSAND.test(html)) return null;
  return html.replace(SIMPLE_TEXT, (_, entity: string) => DECODED[entity]!);
}
