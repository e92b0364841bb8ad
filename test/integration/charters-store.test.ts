/** The charter's revisions on SQLite: the suite test/postgres/charters-store.test.ts runs on PostgreSQL. */
import { describe, expect, it } from "vitest";
import { charterCopy } from "../../src/charters/copy.ts";
import { chartersStore } from "../../src/charters/store.ts";
import { versionReader } from "../../src/db/versions.ts";
import { describeChartersContract } from "../support/charters-contract.ts";
import { sqliteRoomsForFile } from "../support/room-databases.ts";

describe("the charter on SQLite", () => {
  const { rooms, handle } = sqliteRoomsForFile();
  describeChartersContract("SQLite", rooms);

  it("a revision written by another process reaches the copy through the trigger-kept actor counter", async () => {
    const copy = charterCopy(rooms(), versionReader(handle().sqlite, "actor", 0), () => {});
    await copy.load();
    const before = copy.latest()?.number ?? 0;
    const row = { changeNote: "by the CLI", services: "[]", planned: "[]", publishedAt: "x", reviewedAt: "x" };
    await rooms().write((db) => chartersStore(rooms()).insertWithin(db, { ...row, number: before + 1 }));
    await copy.refresh();
    expect(copy.latest()?.changeNote).toBe("by the CLI");
  });
});
