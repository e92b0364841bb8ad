/** The settings room on PostgreSQL: the suite test/integration/settings-service.test.ts runs on SQLite, and more. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.ts";
import { postgresVersionReader } from "../../src/db/versions-postgres.ts";
import { settingsService } from "../../src/settings/service.ts";
import { postgresUnavailable } from "../support/postgres.ts";
import { postgresRoomsForFile } from "../support/room-databases.ts";
import { describeSettingsContract } from "../support/settings-contract.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("settings on PostgreSQL", () => {
  const { rooms, pool } = postgresRoomsForFile();
  describeSettingsContract("PostgreSQL", rooms);

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pods-settings-pg-"));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it("a choice saved by one process reaches another through the trigger-kept change counter", async () => {
    const processOf = async () => {
      const config = loadConfig({ POD_URL: "http://127.0.0.1:9", DATA_DIR: dataDir, POD_NAME: "Before" });
      const hooks = { profileChanged: async () => {}, audit: () => {} };
      const version = await postgresVersionReader(pool(), "settings", 10);
      const settings = settingsService({ config, now: () => new Date() }, hooks, rooms(), version);
      await settings.load();
      return { settings, config, version };
    };
    const one = await processOf();
    const two = await processOf();
    const before = two.version();
    expect(before).toBeGreaterThanOrEqual(0);
    await one.settings.choose({ name: "Saved by the other process" }, "m1");
    // Requests arriving at the second process, one every 20 ms (bounded): the counter is polled in the background.
    for (let i = 0; i < 100 && two.config.name !== "Saved by the other process"; i++) {
      await two.settings.refresh();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(two.config.name).toBe("Saved by the other process");
    expect(two.version()).toBeGreaterThan(before);
  });
});
