import type { Context } from "@fedify/fedify";
import {
  Article,
  type Link,
  Mention,
  Note,
  PropertyValue,
  PUBLIC_COLLECTION,
  Question,
  type Actor,
  type Object as APObject,
} from "@fedify/vocab";
import type { Config } from "../config/schema.ts";
import { toInstant } from "../federation/deps.ts";
import { inLanguage } from "../publishing/text.ts";
import { escapeHtml } from "../web/html.ts";
import { sanitize } from "../web/sanitize.ts";
import type { accounts, statuses } from "./schema.ts";

export type Account = typeof accounts.$inferSelect;
export type Status = typeof statuses.$inferSelect;
export type Visibility = Status["visibility"];

/** What the pod keeps of a remote actor: its public profile, sanitised. */
export type AccountProfile = Omit<Account, "id" | "local" | "createdAt" | "fetchedAt"> & { createdAt: string | null };

/** A remote post as the pod keeps it, before it has an id or an account row. */
export type PostRecord = Pick<
  Status,
  | "iri"
  | "url"
  | "inReplyToIri"
  | "content"
  | "spoilerText"
  | "visibility"
  | "language"
  | "sensitive"
  | "publishedAt"
  | "editedAt"
> & {
  mentions: string[];
};

const PUBLIC = PUBLIC_COLLECTION.href;
const ACTOR_KINDS = new Set(["Person", "Group", "Service", "Application", "Organization"]);
const clip = (text: string, max: number) => (text.length > max ? text.slice(0, max) : text);
/**
 * A remote link the pod may show or follow: http(s) only, and on `host` when one is given (Mastodon
 * ignores a post's url on another host). Anything else (javascript:, data:, …) is dropped.
 */
function httpUrl(value: URL | Link | null | undefined, host?: string): string | null {
  const url = value instanceof URL ? value : (value?.href ?? null);
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) return null;
  return host === undefined || url.host === host ? url.href : null;
}
const iso = (value: { epochMilliseconds: number } | null | undefined) =>
  value ? new Date(value.epochMilliseconds).toISOString() : null;

/** A remote actor → the profile the pod keeps (one converter: ActivityPub actor → account). */
export async function actorToProfile(actor: Actor, ctx: Context<null>): Promise<AccountProfile> {
  const options = { documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader, suppressError: true };
  const icon = await actor.getIcon(options).catch(() => null);
  const image = await actor.getImage(options).catch(() => null);
  const fields: { name: string; value: string }[] = [];
  for await (const attachment of actor.getAttachments(options)) {
    if (attachment instanceof PropertyValue && fields.length < 16) {
      fields.push({
        name: clip(String(attachment.name ?? ""), 255),
        value: sanitize(clip(String(attachment.value ?? ""), 2048)),
      });
    }
  }
  const kind = actor.constructor.name;
  return {
    iri: actor.id!.href,
    username: clip(String(actor.preferredUsername ?? actor.id!.pathname.split("/").pop() ?? "unknown"), 255),
    host: actor.id!.host,
    displayName: clip(String(actor.name ?? ""), 255),
    note: sanitize(clip(String(actor.summary ?? ""), 20_000)),
    url: httpUrl(actor.url),
    avatar: httpUrl(icon?.url),
    header: httpUrl(image?.url),
    kind: (ACTOR_KINDS.has(kind) ? kind : "Person") as Account["kind"],
    locked: actor.manuallyApprovesFollowers ?? false,
    fields: JSON.stringify(fields),
    // Deliveries go only to http(s) inboxes on the actor's own host.
    inbox: httpUrl(actor.inboxId, actor.id!.host),
    sharedInbox: httpUrl(actor.endpoints?.sharedInbox, actor.id!.host),
    createdAt: iso(actor.published),
  };
}

/**
 * Mastodon's reading of addressing: Public in `to` is public, in `cc` unlisted; followers only, or only the mentioned.
 */
export function visibilityOf(to: URL[], cc: URL[], mentions: string[]): Visibility {
  const audience = [...to, ...cc].map((iri) => iri.href);
  if (to.some((iri) => iri.href === PUBLIC)) return "public";
  if (audience.includes(PUBLIC)) return "unlisted";
  return audience.every((iri) => mentions.includes(iri)) ? "direct" : "private";
}

/** The post types the pod keeps as statuses: what Mastodon renders (Note, Question) and Article as title + summary. */
export const isPost = (object: APObject): object is Note | Article | Question =>
  object instanceof Note || object instanceof Article || object instanceof Question;

/** A remote Note/Article/Question → the post the pod keeps (one converter: ActivityPub post → status). */
export async function objectToPost(object: Note | Article | Question, ctx: Context<null>): Promise<PostRecord> {
  const mentions: string[] = [];
  for await (const tag of object.getTags({
    documentLoader: ctx.documentLoader,
    contextLoader: ctx.contextLoader,
    suppressError: true,
  })) {
    if (tag instanceof Mention && tag.href && mentions.length < 50) mentions.push(tag.href.href);
  }
  const content = String(object.content ?? "");
  const language = object.contents.find((c) => typeof c !== "string")?.locale.baseName ?? null;
  const url = httpUrl(object.url, object.id!.host) ?? object.id!.href;
  // Built, then sanitised as a whole: the same wall as any remote HTML.
  const body = sanitize(
    object instanceof Article
      ? `<p><a href="${escapeHtml(url)}">${escapeHtml(clip(String(object.name ?? url), 300))}</a></p>` +
          clip(String(object.summary ?? ""), 5_000)
      : clip(content, 100_000),
  );
  return {
    iri: object.id!.href,
    url,
    inReplyToIri: object.replyTargetId?.href ?? null,
    content: body,
    spoilerText: object instanceof Article ? "" : clip(String(object.summary ?? ""), 1_000),
    visibility: visibilityOf(object.toIds, object.ccIds, mentions),
    language,
    sensitive: object.sensitive ?? false,
    mentions,
    publishedAt: iso(object.published) ?? new Date().toISOString(),
    editedAt: iso(object.updated),
  };
}

/** Addressing for a post the pod writes, as Mastodon reads it. */
export function addressing(ctx: Context<null>, config: Config, visibility: Visibility, mentioned: URL[]) {
  const followers = ctx.getFollowersUri(config.handle);
  switch (visibility) {
    case "public":
      return { tos: [PUBLIC_COLLECTION, ...mentioned], ccs: [followers] };
    case "unlisted":
      return { tos: [followers, ...mentioned], ccs: [PUBLIC_COLLECTION] };
    case "private":
      return { tos: [followers, ...mentioned], ccs: [] };
    case "direct":
      return { tos: mentioned, ccs: [] };
  }
}

/** A note written in a Mastodon app → the Note the pod publishes (one converter: local status → ActivityPub). */
export function statusToNote(
  ctx: Context<null>,
  config: Config,
  status: Status,
  mentioned: { iri: URL; acct: string }[],
): Note {
  return new Note({
    id: new URL(status.iri),
    url: new URL(status.url ?? status.iri),
    attribution: ctx.getActorUri(config.handle),
    ...addressing(
      ctx,
      config,
      status.visibility,
      mentioned.map((m) => m.iri),
    ),
    replyTarget: status.inReplyToIri ? new URL(status.inReplyToIri) : null,
    contents: status.language ? inLanguage(status.content, status.language) : [status.content],
    summary: status.spoilerText || null,
    sensitive: status.sensitive,
    tags: mentioned.map((m) => new Mention({ href: m.iri, name: `@${m.acct}` })),
    published: toInstant(new Date(status.publishedAt)),
    updated: status.editedAt ? toInstant(new Date(status.editedAt)) : null,
  });
}
