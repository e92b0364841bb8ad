import type { Config } from "../config/schema.ts";
import { memoryIri } from "../publishing/iris.ts";
import { atomDocument, type FeedEntry, type FeedHead, jsonFeedDocument } from "../web/feed-documents.ts";
import { entryHtml, kindWord, type PublicEntry } from "./to-as.ts";

/** The pod's public memory as Atom and JSON Feed 1.1: the same public entries as /memory, newest first. */
function feedOf(config: Config, rows: PublicEntry[], now: Date, self: string): [FeedHead, FeedEntry[]] {
  const home = new URL("/memory", config.url).href;
  const newest = rows.reduce<string | null>((max, r) => (max === null || r.updatedAt > max ? r.updatedAt : max), null);
  const head: FeedHead = {
    id: home,
    title: `${config.name}: decisions, workflows and lessons`,
    subtitle: `What ${config.name} decided, how it works and what it learned.`,
    updated: new Date(newest ?? now).toISOString(),
    alternate: home,
    self,
    author: { name: config.name, uri: config.url.href },
  };
  const entries = rows.map((row): FeedEntry => {
    const link = memoryIri(config, row.publicationId).href;
    return {
      id: link,
      title: `${kindWord(row.kind, row.language)}: ${row.title}`,
      link,
      updated: new Date(row.updatedAt).toISOString(),
      published: new Date(row.createdAt).toISOString(),
      summaryText: row.summary,
      contentHtml: entryHtml(config, row),
      jsonSummary: row.summary,
    };
  });
  return [head, entries];
}

export const memoryAtom = (config: Config, rows: PublicEntry[], now: Date) =>
  atomDocument(...feedOf(config, rows, now, new URL("/memory.atom", config.url).href));

export const memoryJsonFeed = (config: Config, rows: PublicEntry[], now: Date) =>
  jsonFeedDocument(...feedOf(config, rows, now, new URL("/memory.json", config.url).href));
