/**
 * Dependency rules, checked in CI by `npm run lint:deps` (dependency-cruiser).
 *
 * Rooms are the folders under src/ that own a part of the domain and its tables. Everything else under
 * src/ is shared infrastructure (config, db, events, federation, http, log, publishing, web, webapp, cli) or the
 * wiring at the top (app.ts, pod.ts, services.ts, main.ts). A room's tables are read and written only by
 * its own code: no module outside a room imports its schema.ts or store.ts; other rooms call what its
 * service exports.
 */
const ROOMS = [
  "care",
  "categories",
  "charters",
  "confederation",
  "follows",
  "mastodon",
  "members",
  "memory",
  "moderation",
  "offers",
  "operators",
  "practices",
  "requests",
  "rotation",
  "assemblies",
  "settings",
  "social",
  "sovereignty",
];
const rooms = ROOMS.join("|");

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "An import cycle: modules that need each other cannot be understood, tested or loaded apart.",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "room-tables-are-private",
      comment:
        "A room's schema.ts and store.ts belong to that room: call its service instead. A schema may name " +
        "another room's table for a foreign key (a declaration, not a query).",
      severity: "error",
      from: { path: "^src/([^/]+)/", pathNot: "/schema\\.ts$" },
      to: { path: `^src/(${rooms})/(schema|store)\\.ts$`, pathNot: "^src/$1/" },
    },
    {
      name: "wiring-does-not-read-room-tables",
      comment: "The top-level wiring (pod.ts, app.ts...) reaches rooms through their services too.",
      severity: "error",
      from: { path: "^src/[^/]+\\.ts$" },
      to: { path: `^src/(${rooms})/(schema|store)\\.ts$` },
    },
    {
      name: "infrastructure-below-rooms",
      comment: "Configuration, database, events, HTTP helpers and logging know no room (rooms register with them).",
      severity: "error",
      from: { path: "^src/(config|db|events|http|log)/" },
      to: { path: `^src/(${rooms})/` },
    },
    {
      name: "publishing-below-social",
      comment: "Publishing is used by the social room; the social room registers its projection with it.",
      severity: "error",
      from: { path: "^src/publishing/" },
      to: { path: "^src/social/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // Type-only imports count: a cycle through types still ties the modules together.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js", ".mjs", ".json"] },
  },
};
