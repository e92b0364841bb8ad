import { Feed } from "feed";
import type { Config } from "../config/schema.ts";
import { memoryIri } from "../publishing/iris.ts";
import { entryHtml, kindWord, type PublicEntry } from "./to-as.ts";

/** Characters XML 1.0 cannot carry (the feed library does not drop them). */
const NOT_XML = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const xmlText = (text: string) => text.replace(NOT_XML, "");
const cdata = (markup: string) => xmlText(markup).replaceAll("]]>", "]]&gt;");
const escaped = (text: string) =>
  xmlText(text).replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

/** The pod's public memory as Atom and JSON Feed 1.1: the same public entries as /memory, newest first. */
function feedOf(config: Config, rows: PublicEntry[], now: Date): Feed {
  const home = new URL("/memory", config.url).href;
  const newest = rows.reduce<string | null>((max, r) => (max === null || r.updatedAt > max ? r.updatedAt : max), null);
  const feed = new Feed({
    id: home,
    title: xmlText(`${config.name}: decisions, workflows and lessons`),
    description: xmlText(`What ${config.name} decided, how it works and what it learned.`),
    updated: newest ? new Date(newest) : now,
    generator: false,
    link: home,
    feedLinks: { atom: `${home}.atom`, json: `${home}.json` },
    author: { name: xmlText(config.name), link: config.url.href },
  });
  for (const row of rows) {
    const link = memoryIri(config, row.publicationId).href;
    feed.addItem({
      title: escaped(`${kindWord(row.kind, row.language)}: ${row.title}`),
      id: link,
      link,
      date: new Date(row.updatedAt),
      published: new Date(row.createdAt),
      description: escaped(row.summary),
      content: cdata(entryHtml(config, row)),
    });
  }
  return feed;
}

export const memoryAtom = (config: Config, rows: PublicEntry[], now: Date) => feedOf(config, rows, now).atom1();

export function memoryJsonFeed(config: Config, rows: PublicEntry[], now: Date): Record<string, unknown> {
  const out = JSON.parse(feedOf(config, rows, now).json1()) as Record<string, unknown> & {
    author?: unknown;
    items: Record<string, unknown>[];
  };
  out.version = "https://jsonfeed.org/version/1.1";
  if (out.author) out.authors = [out.author];
  delete out.author;
  out.items = out.items.map((item, i) => ({
    ...item,
    title: `${kindWord(rows[i]!.kind, rows[i]!.language)}: ${rows[i]!.title}`,
    summary: rows[i]!.summary,
    content_html: entryHtml(config, rows[i]!),
  }));
  return out;
}
