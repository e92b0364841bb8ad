import type { PublishedKind } from "../publishing/kind.ts";
import { registerOfferCollection } from "./collections.ts";
import type { OfferKind } from "./model.ts";
import { adminOfferRoutes, publicOfferRoutes } from "./routes.ts";
import { PUBLISHED_STATUSES } from "./status.ts";
import * as toAs from "./to-as.ts";
import * as toView from "./to-view.ts";
import { ownOfferRecords } from "./view-projection.ts";

/** Offers and needs share the room (one table: a need is the mirror of an offer); each is its own kind. */
function proposalKind<Name extends OfferKind>(name: Name, collection: string, list: string): PublishedKind<Name> {
  return {
    name,
    room: "offers",
    path: `/${collection}`,
    collection,
    asTypes: ["Proposal", "Note"],
    tombstones: true,
    mastodon: "companion-note",
    view: {
      list,
      feeds: true,
      statuses: PUBLISHED_STATUSES,
      // Both kinds are one projection: the offer kind rebuilds it for the room.
      ownRecords: name === "offer" ? ownOfferRecords : null,
    },
    converters: { toAs, toView },
    registerCollection: (federation, deps) => registerOfferCollection(federation, deps, name),
    publicRoutes: (pod) => ({
      plugin: publicOfferRoutes,
      options: { deps: pod.deps, offers: pod.offers, contextFor: pod.contextFor, responsesTo: pod.social.responsesTo },
    }),
    adminRoutes: (pod) => ({
      plugin: adminOfferRoutes,
      options: { deps: pod.deps, offers: pod.offers, responsesTo: pod.social.responsesTo },
    }),
  };
}

export const offerKind = proposalKind("offer", "offers", "surplus");
export const needKind = proposalKind("need", "needs", "needs");
