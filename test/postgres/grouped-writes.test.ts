/** Group commit on the RoomDb, PostgreSQL; the same suite runs on SQLite (test/integration/grouped-writes.test.ts). */
import { describe, expect, it } from "vitest";
import { groupedWrites } from "../../src/db/grouped-writes.ts";
import { socialStore } from "../../src/social/store.ts";
import { describeGroupedWritesContract } from "../support/grouped-writes-contract.ts";
import { post, profile } from "../support/social-contract.ts";
import { postgresUnavailable } from "../support/postgres.ts";
import { postgresRoomsForFile } from "../support/room-databases.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("grouped writes on PostgreSQL", () => {
  const { rooms, another } = postgresRoomsForFile();
  describeGroupedWritesContract("PostgreSQL", {
    rooms,
    another,
  });

  it("two processes' batches taking the same posts' turns in opposite orders: a deadlock's victim is written in the next batch", async () => {
    const [one, two] = [rooms(), another()];
    const author = profile("deadlock.example");
    const account = await socialStore(one).upsertAccount(author, new Date("2026-11-30T10:00:00Z"));
    const [batchesOfOne, batchesOfTwo] = [groupedWrites(one), groupedWrites(two)];
    for (let round = 0; round < 3; round++) {
      const iris = Array.from({ length: 8 }, (_, i) => `${author.iri}/statuses/${round}-${i}`);
      const upserts = (batches: typeof batchesOfOne, order: string[], store: ReturnType<typeof socialStore>) =>
        order.map((iri) => batches((db) => store.within.upsertStatus(db, account, "note", post(iri))));
      const settled = await Promise.allSettled([
        ...upserts(batchesOfOne, iris, socialStore(one)),
        ...upserts(batchesOfTwo, [...iris].reverse(), socialStore(two)),
      ]);
      expect(settled.filter((outcome) => outcome.status === "rejected")).toEqual([]);
      for (const iri of iris) expect((await socialStore(one).statusByIri(iri))?.iri).toBe(iri);
    }
  });
});
