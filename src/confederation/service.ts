import type { Context } from "@fedify/fedify";
import type { PodDeps } from "../federation/deps.ts";
import { refusesNobody, type Refusal } from "../federation/refusal.ts";
import type { FollowHooks } from "../follows/federation.ts";
import { followsOf } from "../follows/room.ts";
import { backfillPod } from "./backfill.ts";
import { confederationInbox } from "./inbox.ts";
import { relayActions } from "./relay.ts";
import { roomsOf } from "../db/room-db.ts";
import { viewStore } from "./store.ts";
import { neighborPodList } from "./view-present.ts";
import { viewOf } from "./view-query.ts";

const RECEIVED_KEPT_MS = 30 * 24 * 60 * 60 * 1000;

/** The confederal view's moving parts: what the inbox feeds it, how it fills, repairs and empties. */
export function confederationService(deps: PodDeps, contextFor: () => Context<null>) {
  const { log } = deps;
  const store = viewStore(roomsOf(deps));
  const relay = relayActions(deps, contextFor);
  const refusal = refusesNobody();
  const backfill = (actorIri: string) => backfillPod(deps, contextFor(), actorIri);

  const hooks: FollowHooks = {
    accepted(actorIri) {
      backfill(actorIri).catch((error: unknown) => log.warn({ err: error, actor: actorIri }, "backfill failed"));
    },
    async left(actorIri) {
      const removed = await store.removePod(actorIri);
      log.info({ actor: actorIri, removed }, "neighbor left the view");
    },
  };

  return {
    inbox: confederationInbox(deps, relay, contextFor, refusal),
    /** Moderation's blocks: refused objects are not stored, relayed or remembered. */
    refuseWith(refuses: Refusal["refuses"]) {
      refusal.refuses = refuses;
    },
    relay,
    hooks,
    /** The neighbor that published this object into the view, if any (the inbox's concern check asks). */
    viewObjectOrigin: store.originOf,
    backfill,
    /** A pod taken out of the view by a coordinator (or blocked): its objects and paths go. */
    forgetPod: store.removePod,
    /** Every pod whose actor IRI `matches` (a block) leaves the view, inside moderation's write. */
    forgetPodsWithin: store.removePodsWithin,
    /** Names and addresses of the neighbor pods the view knows (the public neighbors page). */
    neighborPods: () => neighborPodList(viewOf(deps)),
    /** The inbox record is for operators to see recent traffic, not an archive: 30 days are kept. */
    pruneReceived(): Promise<number> {
      return store.pruneReceived(new Date(deps.now().getTime() - RECEIVED_KEPT_MS));
    },

    /** Re-reads every followed pod: repairs what was missed while either side was down. */
    async resyncAll(): Promise<number> {
      const neighbors = await followsOf(deps).store.listFollowing({ limit: 10_000 }, "accepted");
      for (const neighbor of neighbors) {
        await backfill(neighbor.actorIri).catch((error: unknown) =>
          log.warn({ err: error, actor: neighbor.actorIri }, "resync failed"),
        );
      }
      return neighbors.length;
    },
  };
}

export type ConfederationService = ReturnType<typeof confederationService>;
