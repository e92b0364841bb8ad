/**
 * The RoomDb on SQLite: the shared contract, and what only the one shared connection needs: writes queue,
 * a callback that leaves the macrotask is caught, and the inbox's grouped writes and other RoomDb writes stay apart.
 */
import { count, eq } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import { describe, expect, it } from "vitest";
import { groupedWrites } from "../../src/db/grouped-writes.ts";
import type { Placeholders } from "../../src/db/room-db.ts";
import { sqliteRoomDb, TransactionLeftTheTurn } from "../../src/db/room-db-sqlite.ts";
import { neighborRequests } from "../../src/requests/schema.ts";
import { describeRoomDbContract } from "../support/room-db-contract.ts";
import { sqliteRoomsForFile } from "../support/room-databases.ts";

const file = sqliteRoomsForFile();

describeRoomDbContract("SQLite", file.rooms);

const request = (subjectId: string) => ({
  id: uuidv7(),
  subject: "need" as const,
  subjectId,
  subjectName: "Rides",
  name: "Bo",
  contact: "bo@example.org",
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
});

/** Rows for a subject, read on the plain synchronous connection (as an unconverted store would). */
const rowsFor = (subjectId: string) =>
  file.handle().db.select({ n: count() }).from(neighborRequests).where(eq(neighborRequests.subjectId, subjectId)).get()!
    .n;

describe("RoomDb on SQLite's one connection", () => {
  it("is one RoomDb per connection, so every store shares the write queue", () => {
    expect(sqliteRoomDb(file.handle().sqlite)).toBe(sqliteRoomDb(file.handle().sqlite));
  });

  it("queues writes: the second begins after the first has committed", async () => {
    const rooms = sqliteRoomDb(file.handle().sqlite);
    const t = rooms.table(neighborRequests);
    const subject = uuidv7();
    const seen: string[] = [];
    const writer = (who: string) =>
      rooms.write(async (db) => {
        seen.push(`${who} begins`);
        for (let i = 0; i < 3; i++) {
          await db.insert(t).values(request(subject));
          seen.push(`${who} wrote`);
        }
        seen.push(`${who} commits`);
      });
    await Promise.all([writer("a"), writer("b")]);
    expect(seen).toEqual([
      "a begins",
      ...Array(3).fill("a wrote"),
      "a commits",
      "b begins",
      ...Array(3).fill("b wrote"),
      "b commits",
    ]);
    expect(rowsFor(subject)).toBe(6);
  });

  it("keeps other requests' statements out of a write, even those running on right after theirs", async () => {
    const rooms = sqliteRoomDb(file.handle().sqlite);
    // Request A writes, then carries on with an old synchronous store, as requests.claim does with offers.
    const first = (async () => {
      await rooms.write(async (db) => db.insert(neighborRequests).values(request("first")));
      file.handle().db.insert(neighborRequests).values(request("after-first")).run();
    })();
    // Request B's write, queued behind A's, is refused after a few statements and rolls back.
    const second = rooms.write(async (db) => {
      for (let i = 0; i < 5; i++) await db.insert(neighborRequests).values(request("second"));
      throw new Error("refused");
    });
    // Request C: an old store's transaction after an await, in the same turn as the writes.
    const third = (async () => {
      for (let i = 0; i < 20; i++) await null;
      file
        .handle()
        .sqlite.transaction(() => file.handle().db.insert(neighborRequests).values(request("third")).run())();
    })();
    await Promise.all([first, third]);
    await expect(second).rejects.toThrow("refused");
    expect([rowsFor("first"), rowsFor("after-first"), rowsFor("second"), rowsFor("third")]).toEqual([1, 1, 0, 1]);
  });

  it("rolls back a callback that awaited a timer, and another request's statement does not land in it", async () => {
    const rooms = sqliteRoomDb(file.handle().sqlite);
    const t = rooms.table(neighborRequests);
    const mine = uuidv7();
    const outsider = uuidv7();
    const statementAfter = Promise.withResolvers<unknown>();
    const write = rooms.write(async (db) => {
      await db.insert(t).values(request(mine));
      // Another request, on the shared connection, in a later macrotask.
      setImmediate(() => file.handle().db.insert(neighborRequests).values(request(outsider)).run());
      await new Promise((resolve) => setTimeout(resolve, 5));
      statementAfter.resolve(
        Promise.resolve()
          .then(() => db.insert(t).values(request(mine)))
          .catch((error: unknown) => error),
      );
    });
    await expect(write).rejects.toBeInstanceOf(TransactionLeftTheTurn);
    expect(await statementAfter.promise).toBeInstanceOf(TransactionLeftTheTurn);
    expect(file.handle().sqlite.inTransaction).toBe(false);
    expect(rowsFor(mine)).toBe(0);
    expect(rowsFor(outsider)).toBe(1); // committed on its own, not rolled back with the write
    // The connection is usable afterwards.
    await rooms.write((db) => db.insert(t).values(request(mine)));
    expect(rowsFor(mine)).toBe(1);
  });

  it("keeps the inbox's grouped writes and other RoomDb writes apart; a write cannot nest inside a grouped one", async () => {
    const rooms = sqliteRoomDb(file.handle().sqlite);
    const t = rooms.table(neighborRequests);
    const grouped = groupedWrites(rooms);
    const inbox = uuidv7();
    const room = uuidv7();
    // The inbox's stores not yet moved write synchronously on the shared connection, inside the grouped write.
    const insertInbox = async () => void file.handle().db.insert(neighborRequests).values(request(inbox)).run();
    const results = await Promise.allSettled([
      grouped(insertInbox),
      rooms.write((db) => db.insert(t).values(request(room))),
      rooms.write(async (db) => {
        await db.insert(t).values(request(room));
        throw new Error("fails alone");
      }),
      grouped(async () => {
        await insertInbox();
        // A converted room's write asked for from inside the batch: refused, and this grouped write with it.
        await rooms.write((db) => db.insert(t).values(request(room)));
      }),
      grouped(insertInbox),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected", "rejected", "fulfilled"]);
    expect(String((results[3] as PromiseRejectedResult).reason)).toContain("writes do not nest");
    expect(rowsFor(inbox)).toBe(2);
    expect(rowsFor(room)).toBe(1);
    expect(file.handle().sqlite.inTransaction).toBe(false);
  });

  it("refuses a prepared query after its write left the turn, or on another connection's db", async () => {
    const rooms = sqliteRoomDb(file.handle().sqlite);
    const t = rooms.table(neighborRequests);
    const insert = rooms.prepare((db, p: Placeholders<{ id: string; subjectId: string }>) =>
      db.insert(t).values({ ...request(""), id: p.id, subjectId: p.subjectId }),
    );
    const mine = uuidv7();
    const write = rooms.write(async (db) => {
      await insert(db, { id: uuidv7(), subjectId: mine });
      await new Promise((resolve) => setTimeout(resolve, 5));
      await insert(db, { id: uuidv7(), subjectId: mine });
    });
    await expect(write).rejects.toBeInstanceOf(TransactionLeftTheTurn);
    expect(rowsFor(mine)).toBe(0);
    await expect(file.another().write((db) => insert(db, { id: uuidv7(), subjectId: mine }))).rejects.toThrow(
      /its own RoomDb/,
    );
    await rooms.write((db) => insert(db, { id: uuidv7(), subjectId: mine }));
    expect(rowsFor(mine)).toBe(1);
  });
});
