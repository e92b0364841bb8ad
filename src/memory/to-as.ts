import type { Context } from "@fedify/fedify";
import { Article, Note, PropertyValue, type Link } from "@fedify/vocab";
import type { Config } from "../config/schema.ts";
import { toInstant } from "../federation/deps.ts";
import { renderMarkdown } from "../practices/markdown.ts";
import { announceChange, type ChangeVerb } from "../publishing/announce.ts";
import { forPeople, forPods, objectLink, publicAddressing, type Delivery } from "../publishing/deliver.ts";
import { memoryIri, memoryNoteIri } from "../publishing/iris.ts";
import { inLanguage, paragraphs } from "../publishing/text.ts";
import { escapeHtml } from "../web/html.ts";
import type { Entry, EntryKind } from "./model.ts";

/**
 * A public entry with what its object links to: the publication id of the decision that superseded it, when
 * that one is public (resolved by the store; converters do not read the database).
 */
export type PublicEntry = Entry & { publicationId: string; supersededByPid?: string | null };

/** Headings and labels in the entry's own language (English for any language without its own words). */
const WORDS = {
  en: {
    decision: "Decision",
    workflow: "Workflow",
    lesson: "Lesson learned",
    decidedBy: "Decided by",
    alternatives: "Alternatives considered",
    reviewOn: "To review on",
    supersededBy: "Superseded by",
    learned: "What we learned",
    changed: "What we changed",
    revision: "Revision",
    read: "Read it:",
  },
  es: {
    decision: "Decisión",
    workflow: "Flujo de trabajo",
    lesson: "Lección aprendida",
    decidedBy: "Decidido por",
    alternatives: "Alternativas consideradas",
    reviewOn: "Revisar el",
    supersededBy: "Reemplazada por",
    learned: "Lo que aprendimos",
    changed: "Lo que cambiamos",
    revision: "Revisión",
    read: "Léelo:",
  },
} as const;

export const wordsFor = (language: string) => (language.startsWith("es") ? WORDS.es : WORDS.en);

const section = (heading: string, text: string) =>
  text.trim() ? `<h2>${escapeHtml(heading)}</h2>${paragraphs(escapeHtml(text))}` : "";

/** The entry's HTML: its Markdown body, then what its kind adds (who decided, alternatives, what was learned). */
export function entryHtml(config: Config, row: PublicEntry): string {
  const w = wordsFor(row.language);
  let html = renderMarkdown(row.body);
  if (row.kind === "decision") {
    html += section(w.decidedBy, row.decidedBy) + section(w.alternatives, row.alternatives);
    if (row.reviewOn) html += section(w.reviewOn, row.reviewOn);
    if (row.supersededByPid) {
      const href = escapeHtml(memoryIri(config, row.supersededByPid).href);
      html += `<h2>${w.supersededBy}</h2><p><a href="${href}">${href}</a></p>`;
    }
  } else if (row.kind === "lesson") {
    html += section(w.learned, row.learned) + section(w.changed, row.changed);
  } else {
    html += `<p>${w.revision} ${row.revision}</p>`;
  }
  return html;
}

/** The structured fields a neighbor pod reads back (from-as.ts): which kind of entry, and its kind's facts. */
function attachments(row: PublicEntry): PropertyValue[] {
  const fields: [string, string][] = [["entry", row.kind]];
  if (row.kind === "decision") {
    if (row.decidedBy) fields.push(["decidedBy", row.decidedBy]);
    if (row.reviewOn) fields.push(["reviewOn", row.reviewOn]);
  }
  if (row.kind === "workflow") fields.push(["revision", String(row.revision)]);
  return fields.map(([name, value]) => new PropertyValue({ name, value }));
}

/** A public entry as an Article, for pods: name, summary, content and the entry's kind as a property. */
export function entryToArticle(ctx: Context<null>, config: Config, row: PublicEntry): Article {
  const id = memoryIri(config, row.publicationId);
  const tags: Link[] = row.adaptedFrom ? [objectLink(new URL(row.adaptedFrom), "Adapted from")] : [];
  return new Article({
    id,
    url: id,
    attribution: ctx.getActorUri(config.handle),
    ...publicAddressing(ctx, config),
    name: row.title,
    summary: escapeHtml(row.summary),
    contents: inLanguage(entryHtml(config, row), row.language),
    attachments: attachments(row),
    tags,
    published: toInstant(new Date(row.createdAt)),
    updated: row.updatedAt === row.createdAt ? null : toInstant(new Date(row.updatedAt)),
  });
}

export const kindWord = (kind: EntryKind, language: string) => wordsFor(language)[kind];

/**
 * The readable post for people's servers: kind and title in bold, the gist, a link; no `name` and no
 * `summary` (one server drops Articles with a name, others show a summary as a content warning).
 */
export function entryToNote(ctx: Context<null>, config: Config, row: PublicEntry): Note {
  const id = memoryIri(config, row.publicationId);
  const w = wordsFor(row.language);
  const content =
    `<p><strong>${escapeHtml(kindWord(row.kind, row.language))}: ${escapeHtml(row.title)}</strong></p>` +
    paragraphs(escapeHtml(row.summary)) +
    `<p>${w.read} <a href="${escapeHtml(id.href)}">${escapeHtml(id.href)}</a></p>`;
  return new Note({
    id: memoryNoteIri(config, row.publicationId),
    url: id,
    attribution: ctx.getActorUri(config.handle),
    ...publicAddressing(ctx, config),
    contents: inLanguage(content, row.language),
    tags: [objectLink(id, `${kindWord(row.kind, "en")}: ${row.title}`)],
    published: toInstant(new Date(row.createdAt)),
    updated: row.updatedAt === row.createdAt ? null : toInstant(new Date(row.updatedAt)),
  });
}

/** The activities that announce a change to a public entry: the Article for pods, its companion Note for people. */
export function entryActivities(
  ctx: Context<null>,
  config: Config,
  row: PublicEntry,
  verb: ChangeVerb,
  now: Date,
): Delivery[] {
  const activity = (object: Article | Note) =>
    announceChange(ctx, config, verb, object, now, object instanceof Note ? Note : Article);
  return [forPods(activity(entryToArticle(ctx, config, row))), forPeople(activity(entryToNote(ctx, config, row)))];
}
