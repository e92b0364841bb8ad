/** The RoomDb on a real PostgreSQL server: the contract its SQLite twin passes in test/integration/room-db.test.ts. */
import { describe, expect, it } from "vitest";
import { operatorTokens } from "../../src/operators/schema.ts";
import { describeRoomDbContract } from "../support/room-db-contract.ts";
import { postgresUnavailable } from "../support/postgres.ts";
import { postgresRoomsForFile } from "../support/room-databases.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("RoomDb on PostgreSQL", () => {
  const { rooms } = postgresRoomsForFile();

  describeRoomDbContract("PostgreSQL", rooms);

  it("queries the derived twin of a room's SQLite table", () => {
    const twin = rooms().table(operatorTokens);
    expect(twin).not.toBe(operatorTokens);
    expect(twin.constructor.name).toBe("PgTable");
  });
});
