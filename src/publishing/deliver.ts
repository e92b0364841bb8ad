import type { Context } from "@fedify/fedify";
import { Link, Note, PUBLIC_COLLECTION, type Activity } from "@fedify/vocab";
import type { Config } from "../config/schema.ts";
import type { PodDeps } from "../federation/deps.ts";
import { projectPublished } from "../social/local.ts";
import { recordInOutbox } from "./outbox.ts";

/** Public addressing as Mastodon reads it: to Public, cc followers (a public post). */
export function publicAddressing(ctx: Context<null>, config: Config) {
  return { to: PUBLIC_COLLECTION, cc: ctx.getFollowersUri(config.handle) };
}

/**
 * Queues activities for every follower (shared inboxes, FEP-8fcf followers sync), in order per object:
 * the ordering key keeps a Delete from overtaking the Create of the same object. The pod's statuses (what
 * Mastodon apps show) follow what is sent.
 */
export async function sendToFollowers(ctx: Context<null>, deps: PodDeps, activities: Activity[], objectIri: string): Promise<void> {
  const { config, db } = deps;
  for (const activity of activities) {
    await recordInOutbox(db, activity, deps.now());
    await projectPublished(ctx, deps, activity);
    await ctx.sendActivity({ identifier: config.handle }, "followers", activity, {
      preferSharedInbox: true,
      syncCollection: true,
      orderingKey: objectIri,
    });
  }
}

const AS_MEDIA_TYPE = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"';

/** A FEP-e232 object link: how a companion Note points at the structured object it describes. */
export function objectLink(href: URL, name: string): Link {
  return new Link({ href, mediaType: AS_MEDIA_TYPE, name });
}

export type { Note };
