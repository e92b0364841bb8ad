import type { Context } from "@fedify/fedify";
import { Activity, Link, type Note, PUBLIC_COLLECTION } from "@fedify/vocab";
import type { Config } from "../config/schema.ts";
import { roomsOf } from "../db/room-db.ts";
import type { PodDeps } from "../federation/deps.ts";
import { recipientOf } from "../follows/federation.ts";
import { followsOf } from "../follows/room.ts";
import type { Audience as FollowerAudience } from "../follows/room.ts";
import { outboxStore } from "./outbox.ts";

/** Public addressing as Mastodon reads it: to Public, cc followers (a public post). */
export function publicAddressing(ctx: Context<null>, config: Config) {
  return { to: PUBLIC_COLLECTION, cc: ctx.getFollowersUri(config.handle) };
}

/**
 * Who an activity is for. People's servers (Mastodon and the like) render only the readable Note; neighbor
 * pods ingest only the structured object (Proposal, Article). So each publication reaches each follower once.
 * Notes written in apps and relayed Announces are for everyone.
 */
export type Audience = FollowerAudience | "everyone";
export interface Delivery {
  activity: Activity;
  audience: Audience;
}

/**
 * How a published activity becomes the pod's own status. The social room registers it when it is made:
 * publishing sits below the rooms and imports none of them.
 */
type LocalProjection = (ctx: Context<null>, deps: PodDeps, activity: Activity) => Promise<void>;
let projectPublished: LocalProjection = async () => {};
export function projectPublishedWith(projection: LocalProjection): void {
  projectPublished = projection;
}

/**
 * Fedify's fan-out queue (used from five inboxes up) re-reads an activity with its own classes before signing it
 * per inbox: a Proposal would leave with full IRIs for its type and terms, and a report without its figures
 * (EconomicEvents Fedify does not know). Skipping it, the activity is serialised here, once, by our classes, and
 * queued per inbox (test/integration/many-followers-shapes.test.ts).
 */
const SHAPE_KEPT = { fanout: "skip" } as const;

export const forPods = (activity: Activity): Delivery => ({ activity, audience: "pods" });
export const forPeople = (activity: Activity): Delivery => ({ activity, audience: "people" });

/**
 * Queues activities for the followers each is for (shared inboxes), in order per object: the ordering key
 * keeps a Delete from overtaking the Create of the same object. What people read is recorded in the outbox
 * and becomes the pod's statuses (what Mastodon apps show); pods backfill from the per-kind collections.
 * An activity for everyone goes to the followers collection (FEP-8fcf followers sync); one for an audience
 * goes to that audience's explicit recipient list, read whole from the followers table.
 */
export async function sendToFollowers(
  ctx: Context<null>,
  deps: PodDeps,
  deliveries: (Activity | Delivery)[],
  objectIri: string,
): Promise<void> {
  const { config } = deps;
  const sender = { identifier: config.handle };
  const outbox = outboxStore(roomsOf(deps));
  for (const item of deliveries) {
    const { activity, audience }: Delivery = item instanceof Activity ? { activity: item, audience: "everyone" } : item;
    if (audience !== "pods") {
      await outbox.record(activity, deps.now());
      await projectPublished(ctx, deps, activity);
    }
    if (audience === "everyone") {
      const options = { ...SHAPE_KEPT, preferSharedInbox: true, syncCollection: true, orderingKey: objectIri };
      await ctx.sendActivity(sender, "followers", activity, options);
      continue;
    }
    const recipients = (await followsOf(deps).store.followersFor(audience)).map(recipientOf);
    if (recipients.length === 0) continue;
    await ctx.sendActivity(sender, recipients, activity, {
      ...SHAPE_KEPT,
      preferSharedInbox: true,
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
