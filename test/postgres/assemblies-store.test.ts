/** The assemblies room's stores on PostgreSQL; the same suite runs on SQLite (test/integration). */
import { describe } from "vitest";
import { describeAssembliesContract } from "../support/assemblies-contract.ts";
import { postgresUnavailable } from "../support/postgres.ts";
import { postgresRoomsForFile } from "../support/room-databases.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("assemblies on PostgreSQL", () => {
  const { rooms } = postgresRoomsForFile();
  describeAssembliesContract("PostgreSQL", rooms);
});
