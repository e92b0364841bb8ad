/** The categories room on PostgreSQL: the suite test/integration/categories.test.ts runs on SQLite, and more. */
import { describe, expect, it } from "vitest";
import { categoriesCopy } from "../../src/categories/copy.ts";
import { loadConfig } from "../../src/config/load.ts";
import { postgresVersionReader } from "../../src/db/versions-postgres.ts";
import { describeCategoriesContract } from "../support/categories-contract.ts";
import { postgresUnavailable } from "../support/postgres.ts";
import { postgresRoomsForFile } from "../support/room-databases.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("categories on PostgreSQL", () => {
  const { rooms, pool } = postgresRoomsForFile();
  describeCategoriesContract("PostgreSQL", rooms);

  it("a category added by one process reaches another through the trigger-kept change counter", async () => {
    const config = loadConfig({ POD_URL: "http://127.0.0.1:9", DATA_DIR: "/nonexistent" });
    const processOf = async () => {
      const version = await postgresVersionReader(pool(), "categories", 10);
      const categories = categoriesCopy(config, rooms(), version);
      await categories.load();
      return { categories, version };
    };
    const one = await processOf();
    const two = await processOf();
    const before = two.version();
    expect(before).toBeGreaterThanOrEqual(0);
    await one.categories.add({ slug: "across", label: "Added by the other process" }, new Date());
    // Requests arriving at the second process, one every 20 ms (bounded): the counter is polled in the background.
    for (let i = 0; i < 100 && !two.categories.find("across"); i++) {
      await two.categories.refresh();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(two.categories.find("across")?.label).toBe("Added by the other process");
    expect(two.version()).toBeGreaterThan(before);
    await one.categories.rename("across", "Renamed");
    for (let i = 0; i < 100 && two.categories.find("across")?.label !== "Renamed"; i++) {
      await two.categories.refresh();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(two.categories.find("across")?.label).toBe("Renamed");
  });
});
