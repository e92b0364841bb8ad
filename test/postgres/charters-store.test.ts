/** The charter's revisions on PostgreSQL: the suite test/integration/charters-store.test.ts runs on SQLite. */
import { describe, expect, it } from "vitest";
import { charterCopy } from "../../src/charters/copy.ts";
import { chartersStore } from "../../src/charters/store.ts";
import { postgresVersionReader } from "../../src/db/versions-postgres.ts";
import { describeChartersContract } from "../support/charters-contract.ts";
import { postgresUnavailable } from "../support/postgres.ts";
import { postgresRoomsForFile } from "../support/room-databases.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("the charter on PostgreSQL", () => {
  const { rooms, pool } = postgresRoomsForFile();
  describeChartersContract("PostgreSQL", rooms);

  it("a revision written by another process reaches the copy through the trigger-kept actor counter", async () => {
    const copy = charterCopy(rooms(), await postgresVersionReader(pool(), "actor", 10), () => {});
    await copy.load();
    const before = copy.latest()?.number ?? 0;
    const row = { changeNote: "by another process", services: "[]", planned: "[]", publishedAt: "x", reviewedAt: "x" };
    await rooms().write((db) => chartersStore(rooms()).insertWithin(db, { ...row, number: before + 1 }));
    // Requests arriving every 20 ms (bounded): the counter is polled in the background.
    for (let i = 0; i < 100 && copy.latest()?.changeNote !== "by another process"; i++) {
      await copy.refresh();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(copy.latest()?.changeNote).toBe("by another process");
  });
});
