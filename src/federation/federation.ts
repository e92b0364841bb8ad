import { createFederation, type KvStore, type MessageQueue } from "@fedify/fedify";
import { Accept, Announce, Create, Delete, Follow, Like, Reject, Undo, Update, isActor } from "@fedify/vocab";
import { followInboxHandlers, registerFollowCollections, type FollowHooks } from "../follows/federation.ts";
import { countFollowers } from "../follows/service.ts";
import { podActor, type ActorFacts } from "./actor.ts";
import type { PodDeps, PodFederation } from "./deps.ts";
import { loadOrCreateKeyPairs } from "./keys.ts";
import { registerOfferCollections } from "../offers/collections.ts";
import { registerPracticeCollection } from "../practices/collections.ts";
import { registerOutbox } from "../publishing/outbox.ts";
import type { PodServices } from "../pod.ts";
import { registerCharterCollections } from "../charters/collections.ts";
import { SOFTWARE_NAME, SOFTWARE_VERSION } from "../version.ts";
import { MASTODON_VERSION } from "../mastodon/entities/instance.ts";
import { accounts, statuses } from "../social/schema.ts";
import { and, count, eq, inArray } from "drizzle-orm";

/** What the pod published and still shows, as Mastodon counts posts: its public and unlisted statuses. */
function countLocalPosts(db: PodDeps["db"]): number {
  return (
    db
      .select({ n: count() })
      .from(statuses)
      .innerJoin(accounts, eq(statuses.accountId, accounts.id))
      .where(and(eq(accounts.local, true), inArray(statuses.visibility, ["public", "unlisted"])))
      .get()?.n ?? 0
  );
}

/** What the actor shows of the current charter. */
export function actorFacts(publishedAt: Date, services: PodServices): ActorFacts {
  const charter = services.charters.current();
  const next = charter?.planned[0];
  return {
    publishedAt,
    services: charter?.services.filter((s) => s.status === "active").map((s) => s.name),
    nextService: next ? `${next.name} (${next.target})` : undefined,
  };
}

export interface FederationParts {
  kv: KvStore;
  queue: MessageQueue;
  keyPairs: CryptoKeyPair[];
  publishedAt: Date;
  /** What happens when a follow of ours is answered or ends. */
  followHooks: FollowHooks;
}

/** Builds the pod's Fedify federation: actor, keys, inbox router, collections, NodeInfo. */
export function buildFederation(deps: PodDeps, parts: FederationParts, services: PodServices): PodFederation {
  const { config, log } = deps;
  const federation = createFederation<null>({
    kv: parts.kv,
    // Inbox activities are handled within the request (one JSON-LD parse, no queue round trip); a failure
    // answers 5xx and the sender retries. Outgoing deliveries go through the durable queue.
    queue: { outbox: parts.queue, fanout: parts.queue },
    origin: config.url.origin,
    allowPrivateAddress: config.allowPrivateAddress,
    firstKnock: "draft-cavage-http-signatures-12",
    userAgent: { software: `${SOFTWARE_NAME}/${SOFTWARE_VERSION}`, url: config.url },
    manuallyStartQueue: true,
  });

  federation
    .setActorDispatcher("/users/{identifier}", (ctx, identifier) =>
      identifier === config.handle ? podActor(ctx, config, actorFacts(parts.publishedAt, services)) : null,
    )
    .setKeyPairsDispatcher((_ctx, identifier) => (identifier === config.handle ? parts.keyPairs : []))
    .mapHandle((_ctx, username) => (username === config.handle ? config.handle : null));

  registerFollowCollections(federation, deps);
  registerOutbox(federation, deps);
  registerOfferCollections(federation, deps);
  registerPracticeCollection(federation, deps);
  registerCharterCollections(federation, deps, services.charters);

  const follows = followInboxHandlers(deps, parts.followHooks, services.social.inbox.onFollowed);
  const view = services.confederation.inbox;
  const social = services.social.inbox;
  federation
    .setInboxListeners("/users/{identifier}/inbox", "/inbox")
    .setSharedKeyDispatcher(() => ({ identifier: config.handle }))
    .on(Follow, follows.onFollow)
    .on(Undo, async (ctx, undo) => {
      if (!social.onUndoReaction(undo)) await follows.onUndo(ctx, undo);
    })
    .on(Accept, follows.onAccept)
    .on(Reject, follows.onReject)
    .on(Create, async (ctx, create) => {
      await view.onCreate(ctx, create);
      const object = await create.getObject(ctx).catch(() => null);
      if (object) await social.onPost(ctx, create, object);
    })
    .on(Update, async (ctx, update) => {
      await view.onUpdate(ctx, update);
      const object = await update.getObject(ctx).catch(() => null);
      if (object && isActor(object) && object.id?.href === update.actorId?.href) await social.onActorUpdated(ctx, object);
      else if (object) await social.onPost(ctx, update, object);
    })
    .on(Delete, async (ctx, del) => {
      await view.onDelete(ctx, del);
      if (!del.actorId || !del.objectId) return;
      if (del.objectId.href === del.actorId.href) social.onActorDeleted(del.actorId);
      else social.onDeletePost(del.actorId, del.objectId);
    })
    .on(Like, async (ctx, like) => {
      await social.onReaction(ctx, like);
    })
    .on(Announce, async (ctx, announce) => {
      if (!(await social.onReaction(ctx, announce))) await view.onAnnounce(ctx, announce);
    })
    .onError((_ctx, error) => {
      log.warn({ err: error }, "inbox activity failed");
    });

  federation.setNodeInfoDispatcher("/nodeinfo/2.1", () => ({
    software: { name: SOFTWARE_NAME, version: SOFTWARE_VERSION },
    protocols: ["activitypub"],
    openRegistrations: false,
    usage: {
      users: { total: 1, activeMonth: 1, activeHalfyear: 1 },
      localPosts: countLocalPosts(deps.db),
      localComments: 0,
    },
    // Apps built on megalodon pick their API dialect from NodeInfo; `upstream` says the pod speaks Mastodon's.
    metadata: { followers: countFollowers(deps.db), upstream: { name: "mastodon", version: MASTODON_VERSION } },
  }));

  return federation;
}

export { loadOrCreateKeyPairs };
