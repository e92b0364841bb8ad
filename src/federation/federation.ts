import {
  createExponentialBackoffPolicy,
  createFederation,
  type CircuitBreakerOptions,
  type KvStore,
  type MessageQueue,
} from "@fedify/fedify";
import { registerFollowCollections, type FollowHooks } from "../follows/federation.ts";
import { followsOf } from "../follows/room.ts";
import { podActor, type ActorFacts } from "./actor.ts";
import { registerInboxListeners } from "./inbox-listeners.ts";
import type { PodDeps, PodFederation } from "./deps.ts";
import type { Logger } from "../log/logger.ts";
import { cacheDeliveryState } from "./delivery-state-cache.ts";
import { guardedOutboxQueue } from "./outbox-guard.ts";
import { installOutboundPolicy } from "./safe-fetch.ts";
import { prebuiltDocuments } from "./prebuilt-documents.ts";
import { roomsOf } from "../db/room-db.ts";
import { registerOutbox } from "../publishing/outbox.ts";
import type { EventDispatcher } from "../events/dispatcher.ts";
import type { PodServices } from "../services.ts";
import { PUBLISHED_KINDS, STREAMS } from "../publishing/kinds.ts";
import { SOFTWARE_NAME, SOFTWARE_VERSION } from "../version.ts";
import { MASTODON_VERSION } from "../mastodon/entities/instance.ts";

/** What the actor shows of the current charter. */
export function actorFacts(publishedAt: Date, services: PodServices): ActorFacts {
  const charter = services.charters.current();
  const next = charter?.planned[0];
  return {
    publishedAt,
    streams: STREAMS,
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
  /** Runs what follows committed changes; the inbox records the Accept a new follower is owed with it. */
  events: EventDispatcher;
}

/**
 * How a follower that stops answering is treated. Fedify's default holds every message for a host for
 * 30 minutes once its circuit opens; here a host is probed again after 30 seconds, so deliveries resume
 * within a minute of it coming back, while a host that stays down costs one probe per 30 seconds.
 */
export function deliveryCircuit(log: Logger): CircuitBreakerOptions {
  return {
    failureThreshold: 5,
    failureWindow: { minutes: 1 },
    recoveryDelay: { seconds: 30 },
    releaseInterval: { seconds: 2 },
    heldActivityTtl: { days: 3 },
    onStateChange: (host, previous, state) => log.info({ host, previous, state }, "delivery circuit changed"),
    onActivityDrop: (host, drop) =>
      log.warn({ host, activity: drop.activityId }, "delivery dropped: the host was down too long"),
  };
}

/** Retries back off exponentially but never wait more than five minutes, so a recovered host is caught up soon. */
export const DELIVERY_RETRIES = { initialDelay: { seconds: 2 }, maxDelay: { minutes: 5 }, maxAttempts: 30 };

/** Builds the pod's Fedify federation: actor, keys, inbox router, collections, NodeInfo. */
export function buildFederation(deps: PodDeps, parts: FederationParts, services: PodServices): PodFederation {
  const { config, log } = deps;
  // Every request the pod makes (deliveries, documents, keys, WebFinger) gets a deadline, a size cap and,
  // in production, the public-address check on the address it connects to.
  installOutboundPolicy({ allowPrivateAddress: config.allowPrivateAddress });
  const queue = guardedOutboxQueue(parts.queue, config.allowPrivateAddress, log, services.moderation.refuses);
  const federation = createFederation<null>({
    kv: cacheDeliveryState(parts.kv),
    // Inbox activities are handled within the request (one JSON-LD parse, no queue round trip); a failure
    // answers 5xx and the sender retries. Outgoing deliveries go through the durable queue.
    queue: { outbox: queue, fanout: queue },
    circuitBreaker: deliveryCircuit(log),
    outboxRetryPolicy: createExponentialBackoffPolicy(DELIVERY_RETRIES),
    origin: config.url.origin,
    allowPrivateAddress: config.allowPrivateAddress,
    firstKnock: "draft-cavage-http-signatures-12",
    userAgent: { software: `${SOFTWARE_NAME}/${SOFTWARE_VERSION}`, url: config.url },
    manuallyStartQueue: true,
    // Inbox POSTs reach Fedify only through the signature guard (fastify-adapter.ts), which verified the
    // HTTP signature and that the actor owns the key; Fedify verifying them again (and body signatures)
    // was most of a generic delivery's cost.
    skipSignatureVerification: true,
  });

  federation
    .setActorDispatcher("/users/{identifier}", (ctx, identifier) =>
      identifier === config.handle ? podActor(ctx, config, actorFacts(parts.publishedAt, services)) : null,
    )
    .setKeyPairsDispatcher((_ctx, identifier) => (identifier === config.handle ? parts.keyPairs : []))
    .mapHandle((_ctx, username) => (username === config.handle ? config.handle : null));

  registerFollowCollections(federation, deps);
  registerOutbox(federation, deps);
  for (const kind of PUBLISHED_KINDS) kind.registerCollection(federation, deps, services);

  registerInboxListeners(federation, deps, services, parts.followHooks, parts.events);

  federation.setNodeInfoDispatcher("/nodeinfo/2.1", async () => ({
    software: { name: SOFTWARE_NAME, version: SOFTWARE_VERSION },
    protocols: ["activitypub"],
    openRegistrations: false,
    usage: {
      users: { total: 1, activeMonth: 1, activeHalfyear: 1 },
      localPosts: await services.social.countLocalPosts(),
      localComments: 0,
    },
    // Apps built on megalodon pick their API dialect from NodeInfo; `upstream` says the pod speaks Mastodon's.
    metadata: {
      // nodeName and nodeDescription: what Misskey-family servers and instance lists show for a node.
      nodeName: config.name,
      nodeDescription: config.summary,
      followers: await followsOf(deps).store.countFollowers(),
      upstream: { name: "mastodon", version: MASTODON_VERSION },
    },
  }));
  // Served as prebuilt bytes; SQL triggers bump this version when local posts or followers change.
  // Read at every request (NodeInfo is asked for rarely): a post or follower counts at once on SQLite.
  prebuiltDocuments(federation).watch("/nodeinfo/", roomsOf(deps).version("nodeinfo", 0));
  // The actor and WebFinger show the charter and the settings, which another process may change: triggers bump it.
  const actorVersion = roomsOf(deps).version("actor");
  prebuiltDocuments(federation).watch("/users/", actorVersion);
  prebuiltDocuments(federation).watch("/.well-known/webfinger", actorVersion);

  return federation;
}
