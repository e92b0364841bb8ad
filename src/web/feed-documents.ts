/**
 * Atom (RFC 4287) and JSON Feed 1.1 documents from one description of a feed: the view's surplus, needs and
 * practices (confederation/feeds.ts) and the pod's open memory (memory/to-feed.ts). Written here rather than with
 * a feed library: the one used before escaped only some characters (each caller worked around it), wrote JSON
 * Feed 1.0, and its XML serialiser cost 3–4 ms of a 50-entry feed (README "Speed").
 */

export interface FeedPerson {
  name: string;
  uri: string;
}

export interface FeedEntry {
  id: string;
  /** Plain text. */
  title: string;
  link: string;
  updated: string;
  published: string;
  /** Plain text, its line breaks kept: Atom's summary. */
  summaryText?: string;
  /** Sanitised HTML. */
  contentHtml?: string;
  author?: FeedPerson;
  category?: { term: string; scheme?: string; label?: string };
  /** JSON Feed only: the item's `summary` and `content_text`. */
  jsonSummary?: string;
  jsonText?: string;
  /** JSON Feed only: extension objects (names start with `_`). */
  jsonExtensions?: Record<`_${string}`, unknown>;
}

export interface FeedHead {
  id: string;
  title: string;
  subtitle: string;
  updated: string;
  /** The page for people. */
  alternate: string;
  /** This document's own address (Atom's rel="self"; JSON Feed's feed_url). */
  self: string;
  author: FeedPerson;
  /** The next page, if any. */
  next?: string;
}

// XML 1.0 refuses most control characters, even escaped; lone surrogates are not text either.
const NOT_XML = new RegExp(
  [
    /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.source,
    /[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.source,
    /(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.source,
  ].join("|"),
  "g",
);
const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

/** Text for an XML element: characters XML cannot carry dropped, the rest escaped. */
export const xmlEscape = (text: string) => text.replace(NOT_XML, "").replace(/[&<>"']/g, (c) => ESCAPES[c]!);
/** Text for an attribute: as for an element, and tab and line breaks as references (a reader would make them spaces). */
const attribute = (text: string) => xmlEscape(text).replace(/[\t\n\r]/g, (c) => `&#${c.charCodeAt(0)};`);
/** Plain text as HTML for a type="html" element, each line break a <br>. */
const textAsHtml = (text: string) => xmlEscape(text).replace(/\r\n?|\n/g, "<br>");

const element = (name: string, text: string, type?: "html") =>
  `<${name}${type ? ` type="${type}"` : ""}>${xmlEscape(text)}</${name}>`;
const person = (name: string, who: FeedPerson) =>
  `<${name}>${element("name", who.name)}${element("uri", who.uri)}</${name}>`;
const link = (rel: string, href: string) => `<link rel="${rel}" href="${attribute(href)}"/>`;

export function atomDocument(head: FeedHead, entries: readonly FeedEntry[]): string {
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    element("id", head.id),
    element("title", head.title),
    element("subtitle", head.subtitle),
    element("updated", head.updated),
    person("author", head.author),
    link("alternate", head.alternate),
    link("self", head.self),
    ...(head.next ? [link("next", head.next)] : []),
  ];
  for (const entry of entries) {
    const category = entry.category;
    lines.push(
      [
        "<entry>",
        element("id", entry.id),
        element("title", entry.title),
        link("alternate", entry.link),
        element("updated", entry.updated),
        element("published", entry.published),
        entry.author ? person("author", entry.author) : "",
        category
          ? `<category term="${attribute(category.term)}"` +
            (category.scheme ? ` scheme="${attribute(category.scheme)}"` : "") +
            (category.label ? ` label="${attribute(category.label)}"` : "") +
            "/>"
          : "",
        entry.summaryText ? element("summary", textAsHtml(entry.summaryText), "html") : "",
        entry.contentHtml ? element("content", entry.contentHtml, "html") : "",
        "</entry>",
      ].join(""),
    );
  }
  lines.push("</feed>");
  return lines.join("\n");
}

export function jsonFeedDocument(head: FeedHead, entries: readonly FeedEntry[]): Record<string, unknown> {
  const author = (who: FeedPerson) => ({ name: who.name, url: who.uri });
  return {
    version: "https://jsonfeed.org/version/1.1",
    title: head.title,
    home_page_url: head.alternate,
    feed_url: head.self,
    description: head.subtitle,
    authors: [author(head.author)],
    ...(head.next ? { next_url: head.next } : {}),
    items: entries.map((entry) => ({
      id: entry.id,
      url: entry.link,
      title: entry.title,
      ...(entry.jsonText ? { content_text: entry.jsonText } : {}),
      ...(entry.contentHtml ? { content_html: entry.contentHtml } : {}),
      ...(entry.jsonSummary ? { summary: entry.jsonSummary } : {}),
      date_published: entry.published,
      date_modified: entry.updated,
      ...(entry.author ? { authors: [author(entry.author)] } : {}),
      ...(entry.category ? { tags: [entry.category.label ?? entry.category.term] } : {}),
      ...entry.jsonExtensions,
    })),
  };
}
