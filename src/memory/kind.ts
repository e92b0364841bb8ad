import type { PublishedKind } from "../publishing/kind.ts";
import { registerMemoryCollection } from "./collections.ts";
import { adminMemoryRoutes, publicMemoryRoutes } from "./routes.ts";
import * as toAs from "./to-as.ts";
import * as toView from "./to-view.ts";

/** Public decisions, workflows and lessons: an Article for pods, a companion Note for people. */
export const memoryKind: PublishedKind<"memory"> = {
  name: "memory",
  room: "memory",
  path: "/memory",
  collection: "memory",
  asTypes: ["Article", "Note"],
  tombstones: true,
  mastodon: "companion-note",
  // Feeds: /view/memory.atom, .json (and .csv, /collection), linked from /confederation/memory.
  // ownRecords: the room puts its entries in the view as it starts (memoryRoom.start: its store awaits).
  view: { list: "memory", feeds: true, statuses: null, ownRecords: null },
  converters: { toAs, toView },
  registerCollection: (federation, deps) => registerMemoryCollection(federation, deps),
  publicRoutes: (pod) => ({
    plugin: publicMemoryRoutes,
    options: { deps: pod.deps, memory: pod.memory, contextFor: pod.contextFor },
  }),
  adminRoutes: (pod) => ({ plugin: adminMemoryRoutes, options: { memory: pod.memory } }),
};
