import type { PublishedKind } from "../publishing/kind.ts";
import { registerReportCollection } from "./collections.ts";
import { adminSovereigntyRoutes, publicSovereigntyRoutes } from "./routes.ts";
import * as toAs from "./to-as.ts";

/**
 * The monthly sovereignty report: an Article with structured figures (ValueFlows EconomicEvents) for pods and a
 * companion Note for people. Not a view item: its figures go to the confederal totals (from-as.ts, totals.ts).
 */
export const reportKind: PublishedKind<"report"> = {
  name: "report",
  room: "sovereignty",
  path: "/reports",
  collection: "reports",
  asTypes: ["Article", "Note"],
  tombstones: false,
  mastodon: "companion-note",
  view: { list: "reports", feeds: false, statuses: null, ownRecords: null },
  converters: { toAs, toView: null },
  registerCollection: (federation, deps) => registerReportCollection(federation, deps),
  publicRoutes: (pod) => ({
    plugin: publicSovereigntyRoutes,
    options: {
      deps: pod.deps,
      sovereignty: pod.sovereignty,
      contextFor: pod.contextFor,
      neighborPods: pod.confederation.neighborPods,
    },
  }),
  adminRoutes: (pod) => ({ plugin: adminSovereigntyRoutes, options: { sovereignty: pod.sovereignty, deps: pod.deps } }),
};
