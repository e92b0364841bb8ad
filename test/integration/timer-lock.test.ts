import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, openMigratedDatabase, type DatabaseHandle } from "../../src/db/client.ts";
import { sqliteTimerLock, type TimerLock } from "../../src/roles/timer-lock.ts";

const PERIOD = 60_000;
const LEASE = 120_000;
/** A moment at the start of a period, so the cases below can step within and across periods. */
const T0 = 1_800_000_000_000 - (1_800_000_000_000 % PERIOD);

/** Two connections to one SQLite file stand for two processes of one pod. */
describe("the timer lock: a periodic job runs once per period across processes", () => {
  let dir: string;
  let handles: DatabaseHandle[];
  let a: TimerLock;
  let b: TimerLock;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "timer-lock-"));
    const file = join(dir, "pod.sqlite");
    handles = [openMigratedDatabase(file), openDatabase(file)];
    a = sqliteTimerLock(handles[0]!.sqlite, LEASE, "process-a");
    b = sqliteTimerLock(handles[1]!.sqlite, LEASE, "process-b");
  });
  afterEach(() => {
    for (const handle of handles) handle.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("the first to ask in a period runs the job; the other, asking later in that period, does not", async () => {
    const lease = await a.acquire("sweep", PERIOD, T0 + 10);
    expect(lease).not.toBeNull();
    await lease!.release();
    expect(await b.acquire("sweep", PERIOD, T0 + 30_000)).toBeNull();
    expect(await a.acquire("sweep", PERIOD, T0 + 59_999)).toBeNull();
    // The next period belongs to whoever asks first, whichever process it is.
    const next = await b.acquire("sweep", PERIOD, T0 + PERIOD + 5);
    expect(next).not.toBeNull();
    await next!.release();
    expect(await a.acquire("sweep", PERIOD, T0 + PERIOD + 40_000)).toBeNull();
    const row = handles[0]!.sqlite.prepare("SELECT runs, holder FROM timer_leases WHERE name = 'sweep'").get();
    expect(row).toEqual({ runs: 2, holder: "process-b" });
  });

  it("a run still holding the job keeps the next period's run from starting beside it", async () => {
    const slow = await a.acquire("resync", PERIOD, T0);
    expect(slow).not.toBeNull();
    expect(await b.acquire("resync", PERIOD, T0 + PERIOD + 1)).toBeNull();
    await slow!.release();
    expect(await b.acquire("resync", PERIOD, T0 + PERIOD + 2)).not.toBeNull();
  });

  it("when the holder dies mid-run, another process takes the job once its lease has run out", async () => {
    expect(await a.acquire("drafting", PERIOD, T0)).not.toBeNull(); // never released: the process died
    expect(await b.acquire("drafting", PERIOD, T0 + LEASE - 1)).toBeNull();
    expect(await b.acquire("drafting", PERIOD, T0 + LEASE)).not.toBeNull();
  });

  it("jobs are independent: one job's run does not stop another's", async () => {
    expect(await a.acquire("expire-offers", PERIOD, T0)).not.toBeNull();
    expect(await b.acquire("prune-received", PERIOD, T0 + 1)).not.toBeNull();
  });
});
