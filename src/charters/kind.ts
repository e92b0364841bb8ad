import type { PublishedKind } from "../publishing/kind.ts";
import { registerCharterCollections } from "./collections.ts";
import { adminCharterRoutes, publicCharterRoutes } from "./routes.ts";
import * as toAs from "./to-as.ts";
import { ownCharterServices } from "./view-projection.ts";

/** The People's Service Charter: one current object (revisions at /charter/revisions/N), never withdrawn. */
export const charterKind: PublishedKind<"charter"> = {
  name: "charter",
  room: "charters",
  path: "/charter",
  collection: "charter",
  // The charter Article and its Note; its services travel as Proposals, and a dropped one leaves a Tombstone.
  asTypes: ["Article", "Proposal", "Note"],
  tombstones: true,
  mastodon: "companion-note",
  view: { list: "charters", feeds: false, statuses: null, ownRecords: null, ownServices: ownCharterServices },
  converters: { toAs, toView: null },
  registerCollection: (federation, deps, services) => registerCharterCollections(federation, deps, services.charters),
  publicRoutes: (pod) => ({
    plugin: publicCharterRoutes,
    options: {
      deps: pod.deps,
      charters: pod.charters,
      contextFor: pod.contextFor,
      monthlyProgress: pod.sovereignty.monthlyProgress,
    },
  }),
  adminRoutes: (pod) => ({ plugin: adminCharterRoutes, options: { charters: pod.charters } }),
};
