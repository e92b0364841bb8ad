import { createFederation, type KvStore, type MessageQueue } from "@fedify/fedify";
import { registerFollowCollections, type FollowHooks } from "../follows/federation.ts";
import { countFollowers } from "../follows/service.ts";
import { podActor, type ActorFacts } from "./actor.ts";
import { registerInboxListeners } from "./inbox-listeners.ts";
import type { PodDeps, PodFederation } from "./deps.ts";
import { loadOrCreateKeyPairs } from "./keys.ts";
import { registerOfferCollections } from "../offers/collections.ts";
import { registerPracticeCollection } from "../practices/collections.ts";
import { registerOutbox } from "../publishing/outbox.ts";
import type { PodServices } from "../pod.ts";
import { registerCharterCollections } from "../charters/collections.ts";
import { SOFTWARE_NAME, SOFTWARE_VERSION } from "../version.ts";

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

  registerInboxListeners(federation, deps, services, parts.followHooks);

  federation.setNodeInfoDispatcher("/nodeinfo/2.1", () => ({
    software: { name: SOFTWARE_NAME, version: SOFTWARE_VERSION },
    protocols: ["activitypub"],
    openRegistrations: false,
    usage: { users: { total: 1, activeMonth: 1, activeHalfyear: 1 }, localPosts: 0, localComments: 0 },
    metadata: { followers: countFollowers(deps.db) },
  }));

  return federation;
}

export { loadOrCreateKeyPairs };
