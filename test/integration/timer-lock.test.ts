import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe } from "vitest";
import { openDatabase, openMigratedDatabase, type DatabaseHandle } from "../../src/db/client.ts";
import { sqliteTimerLock } from "../../src/roles/timer-lock.ts";
import { LEASE, timerLockContract, type TwoProcesses } from "../support/timer-lock-contract.ts";

/** Two connections to one SQLite file stand for two processes of one pod. */
describe("the timer lock: a periodic job runs once per period across processes", () => {
  let dir: string;
  let handles: DatabaseHandle[];
  let processes: TwoProcesses;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "timer-lock-"));
    const file = join(dir, "pod.sqlite");
    handles = [openMigratedDatabase(file), openDatabase(file)];
    const rows = handles[0]!.sqlite.prepare("SELECT runs, holder FROM timer_leases WHERE name = ?");
    processes = {
      a: sqliteTimerLock(handles[0]!.sqlite, LEASE, "process-a"),
      b: sqliteTimerLock(handles[1]!.sqlite, LEASE, "process-b"),
      row: async (name) => rows.get(name) as { runs: number; holder: string | null },
    };
  });
  afterEach(() => {
    for (const handle of handles) handle.close();
    rmSync(dir, { recursive: true, force: true });
  });

  timerLockContract(() => processes);
});
