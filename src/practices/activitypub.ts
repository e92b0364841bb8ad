import type { Context } from "@fedify/fedify";
import { Article, Delete, Hashtag, Tombstone, type Activity, type Link } from "@fedify/vocab";
import { uuidv7 } from "uuidv7";
import type { Config } from "../config/schema.ts";
import { toInstant } from "../federation/deps.ts";
import { objectLink, publicAddressing } from "../publishing/deliver.ts";
import { inLanguage, paragraphs } from "../publishing/text.ts";
import { PodCreate, PodUpdate } from "../publishing/vocab.ts";
import { escapeHtml } from "../web/html.ts";
import { renderMarkdown } from "./markdown.ts";
import type { Practice } from "./service.ts";

export type PracticeVerb = "create" | "update" | "delete";

export const practicePath = (row: Pick<Practice, "id">) => `/practices/${row.id}`;
export const practiceIri = (config: Config, row: Pick<Practice, "id">) => new URL(practicePath(row), config.url);
export const tagIri = (config: Config, tag: string) => new URL(`/tags/${encodeURIComponent(tag)}`, config.url);

/** A plain-text section of the Article: a heading and escaped paragraphs; nothing when empty. */
const section = (heading: string, text: string) => (text.trim() ? `<h2>${heading}</h2>${paragraphs(escapeHtml(text))}` : "");

/** The Article's HTML: the sanitised Markdown body, then the problem it addresses and the outcomes observed. */
export function practiceHtml(row: Pick<Practice, "body" | "problem" | "outcomes">): string {
  return renderMarkdown(row.body) + section("Problem", row.problem) + section("Outcomes", row.outcomes);
}

/** A successful practice as an ActivityStreams Article: name and summary carry the point for Mastodon. */
export function practiceToArticle(ctx: Context<null>, config: Config, row: Practice): Article {
  const id = practiceIri(config, row);
  const tags: (Hashtag | Link)[] = row.tags.map((tag) => new Hashtag({ name: `#${tag}`, href: tagIri(config, tag) }));
  if (row.adaptedFrom) tags.push(objectLink(new URL(row.adaptedFrom), "Adapted from"));
  return new Article({
    id,
    url: id,
    attribution: ctx.getActorUri(config.handle),
    ...publicAddressing(ctx, config),
    name: row.title,
    summary: escapeHtml(row.summary),
    contents: inLanguage(practiceHtml(row), row.language),
    tags,
    published: toInstant(new Date(row.createdAt)),
    updated: row.updatedAt === row.createdAt ? null : toInstant(new Date(row.updatedAt)),
  });
}

/** The activity that announces a change to a practice (one Article, so one activity). */
export function practiceActivities(ctx: Context<null>, config: Config, row: Practice, verb: PracticeVerb, now: Date): Activity[] {
  const actor = ctx.getActorUri(config.handle);
  const addressing = publicAddressing(ctx, config);
  const object = practiceToArticle(ctx, config, row);
  const id = new URL(`${object.id!.href}#${verb}-${uuidv7()}`);
  if (verb === "create") return [new PodCreate({ id, actor, object, ...addressing, published: object.published })];
  if (verb === "update") return [new PodUpdate({ id, actor, object, ...addressing, updated: toInstant(now) })];
  return [new Delete({ id, actor, ...addressing, object: new Tombstone({ id: object.id, formerType: Article, deleted: toInstant(now) }) })];
}
