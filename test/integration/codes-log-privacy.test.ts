import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openMigratedDatabase, type DatabaseHandle } from "../../src/db/client.ts";
import { sqliteRoomDb } from "../../src/db/room-db-sqlite.ts";
import { codesService } from "../../src/members/codes.ts";
import { membersService } from "../../src/members/service.ts";

/**
 * A code that cannot be delivered is logged for the operator — by server and reason, never by account: a log line
 * naming the account would tie a member to their fediverse identity.
 */
describe("codes that cannot be delivered", () => {
  let dir: string;
  let database: DatabaseHandle;
  const logged: unknown[] = [];
  const actorIri = "https://social.example/users/quintessa_private";
  const handle = "quintessa_private@social.example";

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "codes-log-"));
    database = openMigratedDatabase(join(dir, "pod.sqlite"));
    logged.length = 0;
  });
  afterEach(() => {
    database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("log the server and the kind of failure, not the account, its address or the error's text", async () => {
    const now = () => new Date("2026-11-29T10:00:00Z");
    const members = membersService(sqliteRoomDb(database.sqlite), now);
    const ana = await members.accept((await members.freshSetupSecret())!, {
      displayName: "Ana",
      username: "ana",
      password: "long enough password",
    });
    const messenger = {
      resolve: async () => ({ handle, actorIri, inbox: `${actorIri}/inbox` }),
      send: async () => {
        throw new TypeError(`fetch failed: ${actorIri}/inbox refused`);
      },
    };
    const log = { warn: (object: object, message: string) => logged.push({ ...object, message }) };
    const codes = codesService(sqliteRoomDb(database.sqlite), now, members, messenger, log);
    await expect(codes.startLink(ana, `@${handle}`, "browser", (code) => code)).rejects.toThrow();
    expect(logged).toHaveLength(1);
    const line = JSON.stringify(logged, (_key, value) => (value instanceof Error ? String(value) : value));
    expect(line).toContain("social.example");
    expect(line).toContain("TypeError");
    expect(line).not.toContain("quintessa_private");
  });
});
