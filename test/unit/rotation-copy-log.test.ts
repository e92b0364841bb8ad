import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { expect, it, vi } from "vitest";
import { openMigratedDatabase } from "../../src/db/client.ts";
import { sqliteRoomDb } from "../../src/db/room-db-sqlite.ts";
import { rotationService } from "../../src/rotation/service.ts";

it("says so in the pod's log when a background reload of the public roles fails, and keeps the last copy", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pods-rota-copy-"));
  const handle = openMigratedDatabase(path.join(dir, "pod.sqlite"));
  const warn = vi.fn();
  const rota = rotationService(
    sqliteRoomDb(handle.sqlite),
    () => new Date(),
    () => "UTC",
    { warn },
  );
  try {
    await rota.createRole({
      name: "Pantry lead",
      seats: 1,
      skills: "",
      risk: "low",
      tenureLimit: 2,
      period: "weekly",
      handbook: "",
    });
    const before = rota.publicRoles();
    expect(before.map((r) => r.name)).toEqual(["Pantry lead"]);
    handle.sqlite.close();
    await sleep(1_050); // older than a second: the next read starts a reload, which cannot read the closed file
    expect(rota.publicRoles()).toEqual(before);
    await vi.waitFor(() => expect(warn).toHaveBeenCalledWith(expect.anything(), expect.stringContaining("reloaded")));
  } finally {
    if (handle.sqlite.open) handle.sqlite.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
