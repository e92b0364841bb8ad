/**
 * Converted rooms query their tables only through the RoomDb (src/db/room-db.ts): their store and service use
 * neither the synchronous SQLite connection nor the SQLite-only `.get()`, `.all()`, `.run()` that its type still
 * shows (PostgreSQL builders have none). test/unit/no-sqlite-connection.test.ts checks the rest of src/.
 */
import fs from "node:fs";
import { describe, expect, it } from "vitest";

/** Rooms whose stores are written once for both databases; add a room here when it moves. */
const CONVERTED_ROOMS = [
  "requests",
  "operators",
  "settings",
  "members",
  "rotation",
  "care",
  "follows",
  "memory",
  "social",
  "moderation",
];
/** Stores outside a room's store.ts or service.ts, or a room part moved (its service.ts serves rooms not yet moved). */
const CONVERTED_FILES = [
  "src/http/shared-rate-limit.ts",
  "src/categories/store.ts",
  "src/categories/copy.ts",
  "src/practices/store.ts",
  "src/practices/service.ts",
  "src/practices/collections.ts",
  "src/practices/view-projection.ts",
  "src/publishing/outbox.ts",
  "src/charters/store.ts",
  "src/charters/service.ts",
  // events: the dispatcher moved; store.ts keeps recordEvent(tx) for rooms not yet moved.
  "src/events/dispatcher.ts",
  // assemblies: every table is behind these stores; the room still reads follows and the view synchronously.
  "src/assemblies/store.ts",
  "src/assemblies/store-barter.ts",
  "src/assemblies/store-outcomes.ts",
  // members: the sign-in door's other stores and services.
  "src/members/credentials-store.ts",
  "src/members/codes.ts",
  "src/members/passkeys.ts",
  "src/members/reach.ts",
  // sovereignty: every table is behind these (from-as.ts writes the social room's post of a neighbor's report
  // through the social store).
  "src/sovereignty/service.ts",
  "src/sovereignty/store-ledger.ts",
  "src/sovereignty/store-reports.ts",
  "src/sovereignty/totals-store.ts",
  "src/sovereignty/totals.ts",
  "src/sovereignty/collections.ts",
  // rotation: reminders read and claim through the service.
  "src/rotation/reminders.ts",
  // mastodon: the OAuth apps, codes and tokens; the presenter and routes reading the social room.
  "src/mastodon/oauth.ts",
  "src/mastodon/signed-in-apps.ts",
  "src/mastodon/present.ts",
  "src/mastodon/routes/accounts.ts",
  "src/mastodon/routes/blocks.ts",
  "src/mastodon/routes/instance.ts",
  "src/mastodon/routes/search.ts",
  "src/mastodon/routes/statuses.ts",
  "src/mastodon/routes/timelines.ts",
  // social: store.ts, service.ts above; these read and write through socialStore.
  "src/social/queries.ts",
  "src/social/timelines.ts",
  "src/social/posting.ts",
  "src/social/local.ts",
  "src/social/neighbor-posts.ts",
  "src/social/inbox.ts",
  "src/social/routes.ts",
  // the pod actor's key pairs (made once for every process of the pod).
  "src/federation/keys.ts",
  // care: the cases behind the service.
  "src/care/cases.ts",
  "src/offers/store.ts",
  "src/offers/service.ts",
  "src/offers/collections.ts",
  "src/offers/view-projection.ts",
  "src/offers/writes.ts",
  "src/follows/room.ts",
  "src/follows/changes.ts",
  "src/follows/copy.ts",
  "src/follows/federation.ts",
  "src/follows/routes.ts",
  "src/follows/app-routes.ts",
  "src/follows/subquery.ts",
  // memory: search (FTS5 / tsvector), uploads, the guide links kept in memory, reminders, the collection.
  "src/memory/search.ts",
  "src/memory/uploads.ts",
  "src/memory/guide-copy.ts",
  "src/memory/review-reminders.ts",
  "src/memory/collections.ts",
  // confederation: the view's writes.
  "src/confederation/store.ts",
  "src/confederation/view-projection.ts",
  "src/confederation/relay.ts",
  "src/confederation/backfill.ts",
  "src/confederation/fast-inbox.ts",
  // the confederal view's reads (view-query.ts's viewOf finds the pod's RoomDb and categories through the deps).
  "src/confederation/view-query.ts",
  "src/confederation/filters.ts",
  "src/confederation/view-present.ts",
  "src/confederation/service-map.ts",
  "src/confederation/spread.ts",
  "src/confederation/matching.ts",
  "src/confederation/feeds.ts",
  "src/confederation/view-routes.ts",
  "src/confederation/view-page-routes.ts",
  "src/confederation/routes.ts",
  "src/assemblies/table.ts",
  // moderation: the block lists in memory, each change one write; the pages and the Mastodon API await them.
  "src/moderation/copy.ts",
  "src/moderation/writes.ts",
  "src/moderation/app-routes.ts",
];

const files = (room: string) =>
  fs
    .readdirSync(`src/${room}`)
    .filter((name) => name === "store.ts" || name === "service.ts")
    .map((name) => `src/${room}/${name}`);

describe("converted rooms use the RoomDb only", () => {
  const checked = [
    ...CONVERTED_ROOMS.map((room) => ({ name: room, files: files(room) })),
    ...CONVERTED_FILES.map((file) => ({ name: file, files: [file] })),
  ];
  for (const { name, files } of checked) {
    it(`${name}: no synchronous database, no .get()/.all()/.run()`, () => {
      for (const file of files) {
        const source = fs.readFileSync(file, "utf8");
        expect(source, file).not.toMatch(/from "\.\.\/db\/client\.ts"/);
        expect(source, file).not.toMatch(/\.(get|all|run)\(\)/);
        expect(source, file).not.toMatch(/\bdeps\.db\b|\{ db\b/);
      }
    });
  }
});
