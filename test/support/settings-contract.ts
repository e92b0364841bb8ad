import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.ts";
import type { RoomDb } from "../../src/db/room-db.ts";
import { podSettings } from "../../src/settings/schema.ts";
import { settingsService } from "../../src/settings/service.ts";

/**
 * The settings room's behaviour on both databases (test/integration/settings-service.test.ts and
 * test/postgres/settings-service.test.ts). The change counter another process's save bumps (SQL triggers on
 * SQLite, read in src/db/versions.ts; see test/integration/cross-process-caches.test.ts) is a plain number here.
 */
export function describeSettingsContract(name: string, open: () => RoomDb): void {
  describe(`${name} (settings room)`, () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pods-settings-"));
    afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const png = (n: number) =>
      Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from([n])]);

    async function processOf(rooms: RoomDb, version: { value: number }) {
      const config = loadConfig({
        POD_URL: "http://127.0.0.1:9",
        DATA_DIR: dataDir,
        POD_NAME: "From the environment",
        POD_LANGUAGES: "en",
        POD_APPROVE_FOLLOWERS: "true",
      });
      const audit: string[] = [];
      let profileChanges = 0;
      const hooks = {
        profileChanged: async () => profileChanges++,
        audit: (_by: string, action: string, subject: string) => audit.push(`${action}: ${subject}`),
      };
      const settings = settingsService({ config, now: () => new Date() }, hooks, rooms, () => version.value);
      await settings.load();
      return { settings, config, audit, profileChanges: () => profileChanges };
    }

    it("gives the environment's values until a choice is saved, then the saved choice, even false", async () => {
      const rooms = open();
      await rooms.write((db) => db.delete(rooms.table(podSettings)));
      const version = { value: 1 };
      const one = await processOf(rooms, version);
      expect(one.config).toMatchObject({ name: "From the environment", languages: ["en"], approveFollowers: true });
      expect(one.settings.current().chosen).toEqual([]);
      await one.settings.choose({ name: "Riverside pantry", languages: ["es", "en"], approveFollowers: false }, "m1");
      expect(one.config).toMatchObject({ name: "Riverside pantry", languages: ["es", "en"], approveFollowers: false });
      expect(one.settings.current().chosen.sort()).toEqual(["approveFollowers", "languages", "name"]);
      expect(one.audit).toEqual(["settings.change: approveFollowers, languages, name"]);
      expect(one.profileChanges()).toBe(1);
      await one.settings.choose({}, "m1"); // nothing chosen: nothing saved, nobody told
      expect(one.profileChanges()).toBe(1);

      const restarted = await processOf(rooms, version);
      expect(restarted.config).toMatchObject({ name: "Riverside pantry", approveFollowers: false });
      expect(restarted.settings.fromEnvironment.name).toBe("From the environment");
    });

    it("another process's save shows once the change counter moves, and only then", async () => {
      const rooms = open();
      await rooms.write((db) => db.delete(rooms.table(podSettings)));
      const version = { value: 7 };
      const one = await processOf(rooms, version);
      const two = await processOf(rooms, version);
      expect(two.settings.refresh()).toBeUndefined(); // nothing changed: no promise, no read
      await one.settings.choose({ summary: "Bread on Fridays" }, "m1");
      expect(two.settings.refresh()).toBeUndefined();
      expect(two.config.summary).not.toBe("Bread on Fridays");
      version.value++; // what the SQL trigger does on the save
      const reloading = two.settings.refresh();
      expect(reloading).toBeInstanceOf(Promise);
      expect(two.settings.refresh()).toBe(reloading); // one read for everyone who asks meanwhile
      await reloading;
      expect(two.config.summary).toBe("Bread on Fridays");
      expect(two.settings.current().chosen).toEqual(["summary"]);
    });

    it("keeps a new picture under a name from its content and removes the one it replaces", async () => {
      const rooms = open();
      await rooms.write((db) => db.delete(rooms.table(podSettings)));
      const { settings, config } = await processOf(rooms, { value: 1 });
      expect(await settings.setImage("avatar", Buffer.from("not an image"), false, "m1")).toBe("notImage");
      expect(await settings.setImage("avatar", png(1), false, "m1")).toBeNull();
      const first = config.avatar!.path;
      expect(first).toMatch(/avatar-[0-9a-f]{16}\.png$/);
      expect(await settings.setImage("avatar", png(2), false, "m1")).toBeNull();
      expect(config.avatar!.path).not.toBe(first);
      expect(settings.current().avatar).toBe(config.avatar!.path);
      expect(fs.readdirSync(path.join(dataDir, "media"))).toEqual([path.basename(config.avatar!.path)]);
    });
  });
}
