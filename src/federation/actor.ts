import type { Context } from "@fedify/fedify";
import { Endpoints, Group, Image, PropertyValue } from "@fedify/vocab";
import type { Config } from "../config/schema.ts";
import { POD_SOFTWARE } from "../follows/classify.ts";
import { toInstant } from "./deps.ts";
import { escapeHtml } from "../web/html.ts";

/** Public pieces of the pod actor that the converter needs, besides the config. */
export interface ActorFacts {
  publishedAt: Date;
  /** From the current charter, for the profile fields Mastodon shows. */
  services?: string[];
  nextService?: string;
  /** The per-kind collections a new follower reads to backfill (the registry's, publishing/kinds.ts). */
  streams: readonly string[];
}

/**
 * Profile fields. Mastodon reads `attachment` only when it is a JSON array, and Fedify writes a
 * single value as an object, so there are always at least two fields.
 */
export function profileFields(origin: string, facts: ActorFacts): { name: string; value: string }[] {
  const charter = new URL("/charter", origin).href;
  return [
    { name: "Kind", value: "Neighborhood mutual-aid pod" },
    { name: "Charter", value: `<a href="${charter}">${escapeHtml(charter)}</a>` },
    ...(facts.services?.length ? [{ name: "Services", value: escapeHtml(facts.services.join(", ")) }] : []),
    ...(facts.nextService ? [{ name: "Next service", value: escapeHtml(facts.nextService) }] : []),
  ];
}

/** The pod's avatar: the picture chosen in the settings, or the plain square the web room serves. */
export const avatarUrl = (config: Config) => new URL(config.avatar?.path ?? "/avatar.png", config.url);

/** The pod as an ActivityStreams `Group` (FEP-1b12): the one converter from pod to actor. */
export async function podActor(ctx: Context<null>, config: Config, facts: ActorFacts): Promise<Group> {
  const identifier = config.handle;
  const keys = await ctx.getActorKeyPairs(identifier);
  return new Group({
    id: ctx.getActorUri(identifier),
    preferredUsername: identifier,
    name: config.name,
    summary: `<p>${escapeHtml(config.summary)}</p>`,
    url: new URL(`/@${identifier}`, ctx.origin),
    published: toInstant(facts.publishedAt),
    inbox: ctx.getInboxUri(identifier),
    endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
    outbox: ctx.getOutboxUri(identifier),
    followers: ctx.getFollowersUri(identifier),
    following: ctx.getFollowingUri(identifier),
    featured: ctx.getFeaturedUri(identifier),
    streams: facts.streams.map((name) => ctx.getCollectionUri(name, { identifier })),
    // How another pod recognises this one when it follows (follows/classify.ts).
    generators: [POD_SOFTWARE],
    discoverable: true,
    indexable: true,
    manuallyApprovesFollowers: config.approveFollowers,
    publicKey: keys[0]?.cryptographicKey,
    assertionMethods: keys.map((k) => k.multikey),
    icon: new Image({ url: avatarUrl(config), mediaType: config.avatar?.mediaType ?? "image/png" }),
    image: config.header
      ? new Image({ url: new URL(config.header.path, config.url), mediaType: config.header.mediaType })
      : undefined,
    attachments: profileFields(ctx.origin, facts).map((field) => new PropertyValue(field)),
  });
}
