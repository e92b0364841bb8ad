import type { Context } from "@fedify/fedify";
import { Article, Hashtag, Note, type Link } from "@fedify/vocab";
import type { Config } from "../config/schema.ts";
import { toInstant } from "../federation/deps.ts";
import { announceChange, type ChangeVerb } from "../publishing/announce.ts";
import { forPeople, forPods, objectLink, publicAddressing, type Delivery } from "../publishing/deliver.ts";
import { practiceIri, practiceNoteIri, tagIri } from "../publishing/iris.ts";
import { inLanguage, paragraphs } from "../publishing/text.ts";
import { escapeHtml } from "../web/html.ts";
import { renderMarkdown } from "./markdown.ts";
import type { Practice } from "./model.ts";

export type PracticeVerb = ChangeVerb;

/** A plain-text section of the Article: a heading and escaped paragraphs; nothing when empty. */
const section = (heading: string, text: string) =>
  text.trim() ? `<h2>${heading}</h2>${paragraphs(escapeHtml(text))}` : "";

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

/**
 * The readable post people's servers get for a practice: title, gist and a link, in a Note without `name`
 * or `summary` (one server drops Articles with a name; others show a summary as a content warning).
 */
export function practiceToNote(ctx: Context<null>, config: Config, row: Practice): Note {
  const id = practiceIri(config, row);
  const hashtag = (tag: string) =>
    `<a href="${escapeHtml(tagIri(config, tag).href)}" class="mention hashtag" rel="tag">` +
    `#<span>${escapeHtml(tag)}</span></a>`;
  const hashtags = row.tags.map(hashtag);
  const content =
    `<p><strong>Practice that worked: ${escapeHtml(row.title)}</strong></p>` +
    paragraphs(escapeHtml(row.summary)) +
    (hashtags.length ? `<p>${hashtags.join(" ")}</p>` : "") +
    `<p>Read how: <a href="${escapeHtml(id.href)}">${escapeHtml(id.href)}</a></p>`;
  return new Note({
    id: practiceNoteIri(config, row),
    url: id,
    attribution: ctx.getActorUri(config.handle),
    ...publicAddressing(ctx, config),
    contents: inLanguage(content, row.language),
    tags: [
      ...row.tags.map((tag) => new Hashtag({ name: `#${tag}`, href: tagIri(config, tag) })),
      objectLink(id, `Practice: ${row.title}`),
    ],
    published: toInstant(new Date(row.createdAt)),
    updated: row.updatedAt === row.createdAt ? null : toInstant(new Date(row.updatedAt)),
  });
}

/** The activities that announce a change to a practice: the Article for pods, its companion Note for people. */
export function practiceActivities(
  ctx: Context<null>,
  config: Config,
  row: Practice,
  verb: PracticeVerb,
  now: Date,
): Delivery[] {
  const activity = (object: Article | Note) =>
    announceChange(ctx, config, verb, object, now, object instanceof Note ? Note : Article);
  return [
    forPods(activity(practiceToArticle(ctx, config, row))),
    forPeople(activity(practiceToNote(ctx, config, row))),
  ];
}
