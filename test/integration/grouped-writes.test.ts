/** Group commit on the RoomDb, SQLite (two connections to one file); PostgreSQL: test/postgres/grouped-writes.test.ts. */
import { describe, expect, it } from "vitest";
import { groupedWrites } from "../../src/db/grouped-writes.ts";
import { describeGroupedWritesContract } from "../support/grouped-writes-contract.ts";
import { sqliteRoomsForFile } from "../support/room-databases.ts";

const { rooms, another, handle } = sqliteRoomsForFile();
describeGroupedWritesContract("SQLite", {
  rooms,
  another,
});

describe("grouped writes on SQLite's one connection", () => {
  const names = () =>
    handle()
      .sqlite.prepare<[], { name: string }>("SELECT name FROM grouped_t ORDER BY name")
      .all()
      .map((r) => r.name);
  const insert = (name: string) => async () =>
    void handle().sqlite.prepare("INSERT INTO grouped_t VALUES (?)").run(name);
  const fresh = () =>
    handle().sqlite.exec("DROP TABLE IF EXISTS grouped_t; CREATE TABLE grouped_t (name TEXT PRIMARY KEY)");

  it("a commit that fails rejects every write of the batch and writes nothing; the next batch commits", async () => {
    fresh();
    handle().sqlite.exec(`DROP TABLE IF EXISTS grouped_child; DROP TABLE IF EXISTS grouped_parent;
      CREATE TABLE grouped_parent (id TEXT PRIMARY KEY);
      CREATE TABLE grouped_child (parent TEXT REFERENCES grouped_parent (id) DEFERRABLE INITIALLY DEFERRED)`);
    const grouped = groupedWrites(rooms());
    // A deferred foreign key is checked only at COMMIT, which then fails for the whole batch.
    const orphan = async () =>
      void handle().sqlite.prepare("INSERT INTO grouped_child (parent) VALUES ('nobody')").run();
    const outcomes = await Promise.allSettled([grouped(insert("a")), grouped(orphan)]);
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected"]);
    expect(names()).toEqual([]);
    expect(handle().sqlite.inTransaction).toBe(false);
    await grouped(insert("b"));
    expect(names()).toEqual(["b"]);
  });

  it("a failure that rolls back the whole transaction ends the batch: the writes after it don't commit alone", async () => {
    fresh();
    const grouped = groupedWrites(rooms());
    // What SQLite does on a full disk or an I/O error: the whole transaction is gone, not just the savepoint.
    const rollBackEverything = async () => void handle().sqlite.exec("ROLLBACK");
    const outcomes = await Promise.allSettled([
      grouped(insert("x")),
      grouped(rollBackEverything),
      grouped(insert("y")),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect(names()).toEqual([]);
    expect(handle().sqlite.inTransaction).toBe(false);
  });
});
