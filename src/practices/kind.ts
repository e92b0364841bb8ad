import type { PublishedKind } from "../publishing/kind.ts";
import { registerPracticeCollection } from "./collections.ts";
import { adminPracticeRoutes, publicPracticeRoutes } from "./routes.ts";
import * as toAs from "./to-as.ts";
import * as toView from "./to-view.ts";
import { ownPracticeRecords } from "./view-projection.ts";

export const practiceKind: PublishedKind<"practice"> = {
  name: "practice",
  room: "practices",
  path: "/practices",
  collection: "practices",
  asTypes: ["Article", "Note"],
  tombstones: true,
  mastodon: "companion-note",
  view: { list: "practices", feeds: false, statuses: null, ownRecords: ownPracticeRecords },
  converters: { toAs, toView },
  registerCollection: (federation, deps) => registerPracticeCollection(federation, deps),
  publicRoutes: (pod) => ({
    plugin: publicPracticeRoutes,
    options: {
      deps: pod.deps,
      practices: pod.practices,
      contextFor: pod.contextFor,
      lessonOf: pod.memory.publicLessonOf,
    },
  }),
  adminRoutes: (pod) => ({ plugin: adminPracticeRoutes, options: { practices: pod.practices } }),
};
