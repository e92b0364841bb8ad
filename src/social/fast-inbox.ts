import { Temporal as Polyfill } from "@js-temporal/polyfill";
import { Create, Mention, Note } from "@fedify/vocab";
import { LanguageString } from "@fedify/vocab-runtime";
import type { Context } from "@fedify/fedify";
import type { ConfederationInbox } from "../confederation/inbox.ts";
import type { PodDeps } from "../federation/deps.ts";
import { spendInboxBudget, withinInboxScope } from "../federation/inbox-scope.ts";
import type { VerifiedInbox } from "../federation/signature-guard.ts";
import type { SocialInbox } from "./inbox.ts";

const AS = "https://www.w3.org/ns/activitystreams";

/**
 * The term definitions Mastodon puts beside the ActivityStreams context (app/lib/activitypub/adapter.rb),
 * each exactly as Mastodon writes it. An inline context with anything else (another meaning for a term,
 * `@vocab`, `@base`, `@language`) is left to Fedify's JSON-LD reading.
 */
const MASTODON_TERMS: Record<string, unknown> = {
  ostatus: "http://ostatus.org#",
  atomUri: "ostatus:atomUri",
  inReplyToAtomUri: "ostatus:inReplyToAtomUri",
  conversation: "ostatus:conversation",
  sensitive: "as:sensitive",
  toot: "http://joinmastodon.org/ns#",
  votersCount: "toot:votersCount",
  blurhash: "toot:blurhash",
  focalPoint: { "@container": "@list", "@id": "toot:focalPoint" },
  Hashtag: "as:Hashtag",
};

const CREATE_KEYS = new Set([
  "@context",
  "id",
  "type",
  "actor",
  "published",
  "to",
  "cc",
  "object",
  "signature",
  "proof",
]);
const NOTE_KEYS = new Set([
  "id",
  "type",
  "summary",
  "inReplyTo",
  "published",
  "updated",
  "url",
  "attributedTo",
  "to",
  "cc",
  "sensitive",
  "atomUri",
  "inReplyToAtomUri",
  "conversation",
  "content",
  "contentMap",
  "attachment",
  "tag",
  "replies",
  "likes",
  "shares",
]);
/** RFC 3339 date-times, as Fedify reads xsd:dateTime. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * The inbox's fast path for the post people's servers send most: a Create(Note) in Mastodon's shape. Fedify's
 * generic path reads it as JSON-LD twice (its proof check, then the activity), which was most of a post's
 * cost. The signature guard has verified the request before this runs, exactly as for Fedify's path; this
 * builds the same Fedify objects from the compact JSON of the known context and hands them to the same
 * handlers as Fedify's Create listener (the inbox record, then the social inbox: origin checks, what is
 * kept, notifications), within the same fetch budget.
 *
 * It only ever accepts: anything it does not fully recognise goes to Fedify's generic path unchanged.
 */
export function fastNoteInbox(
  deps: PodDeps,
  social: SocialInbox,
  view: ConfederationInbox,
  /** A context of its own for each activity (its loaders get the activity's fetch budget). */
  newContext: () => Context<null>,
) {
  return async function handle({ activity, actorIri, senderFollowed }: VerifiedInbox): Promise<boolean> {
    const create = decodeMastodonCreate(activity);
    if (!create || create.actorId?.href !== actorIri) return false;
    await withinInboxScope(actorIri, async () => {
      const ctx = newContext();
      spendInboxBudget(ctx);
      const note = await create.getObject(ctx);
      // The post and its inbox record in one commit (the view keeps nothing else of a Note).
      if (note)
        await social.onPost(ctx, create, note, senderFollowed, await view.postRecord(create, note, senderFollowed));
      else await view.onCreate(ctx, create, senderFollowed);
    });
    deps.log.debug({ activity: create.id?.href }, "inbox fast path");
    return true;
  };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);
const sameJson = (a: unknown, b: unknown) =>
  a === b || (typeof a === "object" && typeof b === "object" && JSON.stringify(a) === JSON.stringify(b));

/** Only the ActivityStreams context, alone or followed by Mastodon's own term definitions. */
function isMastodonContext(context: unknown): { sensitive: boolean } | null {
  if (context === AS) return { sensitive: false };
  if (!Array.isArray(context) || context[0] !== AS) return null;
  let sensitive = false;
  for (const extra of context.slice(1)) {
    if (!isObject(extra)) return null;
    for (const [term, definition] of Object.entries(extra)) {
      if (!Object.hasOwn(MASTODON_TERMS, term) || !sameJson(MASTODON_TERMS[term], definition)) return null;
      if (term === "sensitive") sensitive = true;
    }
  }
  return { sensitive };
}

/** An absolute http(s) IRI, as Fedify reads one; null for anything else. */
function httpIri(value: unknown): URL | null {
  if (typeof value !== "string") return null;
  const url = URL.parse(value);
  return url && (url.protocol === "https:" || url.protocol === "http:") ? url : null;
}

/** `to`/`cc`: one IRI or a list of them; null when any is not an IRI. */
function iris(value: unknown): URL[] | null {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  const urls = list.map(httpIri);
  return urls.every((url) => url !== null) ? (urls as URL[]) : null;
}

/** A UTC date-time in whole milliseconds at most, as Mastodon writes them. */
const UTC_MILLISECONDS = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,3}))?Z$/;

function instant(value: unknown): Temporal.Instant | null | undefined {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" || !RFC3339.test(value)) return undefined;
  // The polyfill's parser cost more than the rest of a post's decoding; a date in Mastodon's form is read by
  // Date.parse, only when it is exactly the date written (Date.parse rolls "02-30" or "24:00" over).
  const utc = UTC_MILLISECONDS.exec(value);
  if (utc) {
    const ms = Date.parse(value);
    if (Number.isFinite(ms) && new Date(ms).toISOString() === `${utc[1]}.${(utc[2] ?? "").padEnd(3, "0")}Z`)
      return Polyfill.Instant.fromEpochMilliseconds(ms) as unknown as Temporal.Instant;
  }
  try {
    // Fedify's types name the global Temporal; at run time it is this polyfill (see deps.ts toInstant).
    return Polyfill.Instant.from(value) as unknown as Temporal.Instant;
  } catch {
    return undefined;
  }
}

/** Mentions, kept; hashtags, which the social inbox does not read, dropped. Null for any other tag. */
function mentions(value: unknown): Mention[] | null {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return null;
  const found: Mention[] = [];
  for (const tag of value) {
    if (!isObject(tag) || Object.keys(tag).some((k) => k !== "type" && k !== "href" && k !== "name")) return null;
    const href = httpIri(tag.href);
    if (!href || typeof tag.name !== "string") return null;
    if (tag.type === "Mention") found.push(new Mention({ href, name: tag.name }));
    else if (tag.type !== "Hashtag") return null;
  }
  return found;
}

/**
 * Parsed language tags (an Intl.Locale is immutable), so a post's contentMap does not parse its tag again: parsing
 * was most of building its LanguageString. Bounded: tags come from the network.
 */
const locales = new Map<string, Intl.Locale>();
const LOCALES_KEPT = 1_000;

function localeOf(language: string): Intl.Locale {
  let locale = locales.get(language);
  if (!locale) {
    locale = new Intl.Locale(language);
    if (locales.size < LOCALES_KEPT) locales.set(language, locale);
  }
  return locale;
}

function languageContents(content: unknown, map: unknown): (string | LanguageString)[] | null {
  if (typeof content !== "string") return null;
  if (map === undefined) return [content];
  if (!isObject(map)) return null;
  const contents: (string | LanguageString)[] = [content];
  for (const [language, text] of Object.entries(map)) {
    if (typeof text !== "string") return null;
    try {
      contents.push(new LanguageString(text, localeOf(language)));
    } catch {
      return null;
    }
  }
  return contents;
}

/** A collection Mastodon links (replies, likes, shares), which nobody reads here: any plain shape is ignored. */
const isLinkedCollection = (value: unknown) =>
  value === undefined || (isObject(value) && typeof value.id === "string" && value.type === "Collection");

/** Mastodon's Create(Note) as Fedify objects; null for anything else (then Fedify reads it). */
export function decodeMastodonCreate(json: Record<string, unknown>): Create | null {
  const context = isMastodonContext(json["@context"]);
  if (!context || json.type !== "Create" || !Object.keys(json).every((k) => CREATE_KEYS.has(k))) return null;
  const o = json.object;
  if (!isObject(o) || o.type !== "Note" || !Object.keys(o).every((k) => NOTE_KEYS.has(k))) return null;
  if (!context.sensitive && o.sensitive !== undefined) return null;
  if (o.sensitive !== undefined && typeof o.sensitive !== "boolean") return null;
  if (o.summary !== undefined && o.summary !== null && typeof o.summary !== "string") return null;
  if (o.attachment !== undefined && !(Array.isArray(o.attachment) && o.attachment.length === 0)) return null;
  if (![o.replies, o.likes, o.shares].every(isLinkedCollection)) return null;
  for (const key of ["atomUri", "inReplyToAtomUri", "conversation"]) {
    if (o[key] !== undefined && o[key] !== null && typeof o[key] !== "string") return null;
  }
  const id = httpIri(json.id);
  const actor = httpIri(json.actor);
  const noteId = httpIri(o.id);
  const attribution = httpIri(o.attributedTo);
  const url = o.url === undefined ? null : httpIri(o.url);
  const replyTarget = o.inReplyTo === undefined || o.inReplyTo === null ? null : httpIri(o.inReplyTo);
  const [tos, ccs, noteTos, noteCcs] = [json.to, json.cc, o.to, o.cc].map(iris);
  const [published, notePublished, noteUpdated] = [json.published, o.published, o.updated].map(instant);
  const tags = mentions(o.tag);
  const contents = languageContents(o.content, o.contentMap);
  if (!id || !actor || !noteId || !attribution || !tos || !ccs || !noteTos || !noteCcs || !tags || !contents)
    return null;
  if (published === undefined || notePublished === undefined || noteUpdated === undefined) return null;
  if ((o.url !== undefined && !url) || (o.inReplyTo !== undefined && o.inReplyTo !== null && !replyTarget)) return null;
  const note = new Note({
    id: noteId,
    attribution,
    tos: noteTos,
    ccs: noteCcs,
    summary: typeof o.summary === "string" ? o.summary : null,
    contents,
    published: notePublished,
    updated: noteUpdated,
    url,
    replyTarget,
    sensitive: typeof o.sensitive === "boolean" ? o.sensitive : null,
    tags,
  });
  return new Create({ id, actor, object: note, tos, ccs, published });
}
