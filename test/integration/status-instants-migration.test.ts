import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase, openMigratedDatabase } from "../../src/db/client.ts";
import { migrateUpTo } from "../../src/moving/schema-version.ts";
import { socialStore } from "../../src/social/store.ts";
import { sqliteRoomDb } from "../../src/db/room-db-sqlite.ts";
import { LEGACY_POSTS_SQL, MIGRATED_INSTANTS } from "../support/status-instants.ts";

const dir = mkdtempSync(join(tmpdir(), "pod-instants-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("migration 0039: the posts' instants in one spelling (SQLite)", () => {
  it("rewrites posts stored with an offset or without milliseconds, so a newer edit is kept", async () => {
    const path = join(dir, "pod.sqlite");
    const before = openDatabase(path);
    migrateUpTo(before, "0038_guide_versions");
    for (const sql of LEGACY_POSTS_SQL) before.sqlite.exec(sql);
    before.close();

    const database = openMigratedDatabase(path);
    const rows = database.sqlite.prepare("SELECT id, published_at, edited_at FROM statuses ORDER BY id").all() as {
      id: keyof typeof MIGRATED_INSTANTS;
      published_at: string;
      edited_at: string | null;
    }[];
    expect(Object.fromEntries(rows.map((r) => [r.id, [r.published_at, r.edited_at]]))).toEqual(MIGRATED_INSTANTS);

    // Stored as sent, 01:00+01:00 sorted after this newer edit as text and refused it.
    const store = socialStore(sqliteRoomDb(database.sqlite));
    const author = (await store.accountByIri("https://b.example/users/pod"))!;
    const edited = await store.upsertStatus(author, "practice", {
      iri: "https://b.example/reports/1/note",
      url: "https://b.example/reports/1",
      inReplyToIri: null,
      content: "<p>v2</p>",
      spoilerText: "",
      visibility: "public",
      language: null,
      sensitive: false,
      mentions: [],
      publishedAt: "2026-11-30T23:30:00.000Z",
      editedAt: "2026-12-01T00:15:00.000Z",
    });
    expect(edited?.status.content).toBe("<p>v2</p>");
    database.close();
  });
});
