import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { afterEach, describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase, type DatabaseHandle } from "../../src/db/client.ts";
import { followsWriters } from "../support/follows.ts";
import { sqliteRoomDb } from "../../src/db/room-db-sqlite.ts";

const MIGRATIONS = path.resolve(import.meta.dirname, "../../migrations");
let dir: string;
let handle: DatabaseHandle | undefined;
afterEach(() => {
  handle?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const address = (name: string) => ({
  actorIri: `https://${name}.example/actor`,
  handle: null,
  inbox: `https://${name}.example/inbox`,
  sharedInbox: null,
});

describe("who gets what: recipient lists by follower kind", () => {
  it("pods get the structured objects, people's servers the Notes, unclassified followers both", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "audience-"));
    handle = openDatabase(path.join(dir, "db.sqlite"));
    migrateDatabase(handle);
    const at = new Date("2026-01-01T00:00:00Z");
    const writers = followsWriters(sqliteRoomDb(handle.sqlite));
    await writers.recordFollower(address("pod"), "https://pod.example/f", "accepted", at, "pod");
    await writers.recordFollower(address("masto"), "https://masto.example/f", "accepted", at, "social");
    await writers.recordFollower(address("old"), "https://old.example/f", "accepted", at);
    await writers.recordFollower(address("waiting"), "https://waiting.example/f", "pending", at, "social");
    const hosts = async (audience: "pods" | "people") =>
      (await writers.store.followersFor(audience)).map((f) => new URL(f.actorIri).hostname);
    expect(await hosts("pods")).toEqual(["old.example", "pod.example"]);
    expect(await hosts("people")).toEqual(["masto.example", "old.example"]);
  });

  const migration0010Existing =
    "migration 0010: existing followers become unknown; the outbox keeps only what people read; practice posts move " +
    "to the Note";
  it(migration0010Existing, () => {
    dir = mkdtempSync(path.join(tmpdir(), "audience-"));
    // The database as it was before 0010 (and the migrations after it).
    const before = path.join(dir, "migrations");
    cpSync(MIGRATIONS, before, { recursive: true });
    const journal = JSON.parse(readFileSync(path.join(before, "meta/_journal.json"), "utf8"));
    // Everything from 0010 on: drizzle applies only migrations newer than the last one applied.
    const later = (e: { tag: string }) => e.tag >= "0010_follower_kind";
    for (const entry of journal.entries.filter(later)) rmSync(path.join(before, `${entry.tag}.sql`));
    journal.entries = journal.entries.filter((e: { tag: string }) => !later(e));
    writeFileSync(path.join(before, "meta/_journal.json"), JSON.stringify(journal));
    handle = openDatabase(path.join(dir, "db.sqlite"));
    migrate(handle.db, { migrationsFolder: before });
    const sql = handle.db.$client;
    sql
      .prepare(
        "INSERT INTO followers (actor_iri, follow_iri, inbox, state, created_at) VALUES ('https://a.example/u', 'f', " +
          "'https://a.example/inbox', 'accepted', 'x')",
      )
      .run();
    const row = (type: string, objectType: string, iri: string) =>
      sql
        .prepare("INSERT INTO outbox_activities (iri, type, object_iri, json, published_at) VALUES (?, ?, ?, ?, 'x')")
        .run(`${iri}#${type}`, type, iri, JSON.stringify({ type, object: { id: iri, type: objectType } }));
    row("Create", "Proposal", "https://p.example/offers/1");
    row("Create", "Note", "https://p.example/offers/1/note");
    row("PodUpdate", "Article", "https://p.example/practices/2");
    row("Delete", "Tombstone", "https://p.example/offers/3");
    sql
      .prepare(
        "INSERT INTO accounts (id, iri, local, username, host, created_at, fetched_at) VALUES ('1', " +
          "'https://p.example/users/pod', 1, 'pod', 'p.example', 'x', 'x')",
      )
      .run();
    sql
      .prepare(
        "INSERT INTO accounts (id, iri, local, username, host, created_at, fetched_at) VALUES ('2', " +
          "'https://q.example/users/pod', 0, 'pod', 'q.example', 'x', 'x')",
      )
      .run();
    const status = (id: string, account: string, iri: string) =>
      sql
        .prepare(
          "INSERT INTO statuses (id, iri, account_id, kind, content, visibility, published_at) VALUES (?, ?, ?, " +
            "'practice', '', 'public', 'x')",
        )
        .run(id, iri, account);
    status("10", "1", "https://p.example/practices/2");
    status("11", "2", "https://q.example/practices/5");

    migrateDatabase(handle);
    expect(sql.prepare("SELECT kind FROM followers").all()).toEqual([{ kind: "unknown" }]);
    expect(
      sql
        .prepare("SELECT object_iri FROM outbox_activities ORDER BY seq")
        .all()
        .map((r: any) => r.object_iri),
    ).toEqual(["https://p.example/offers/1/note", "https://p.example/offers/3"]);
    // Our own practice's post now sits at its Note's id; a neighbor's practice post (an Article it sent) stays.
    expect(
      sql
        .prepare("SELECT iri FROM statuses ORDER BY id")
        .all()
        .map((r: any) => r.iri),
    ).toEqual(["https://p.example/practices/2/note", "https://q.example/practices/5"]);
  });
});
