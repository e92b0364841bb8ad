import { expect, it } from "vitest";
import type { TimerLock } from "../../src/roles/timer-lock.ts";

export const PERIOD = 60_000;
export const LEASE = 120_000;
/** A moment at the start of a period, so the cases below can step within and across periods. */
const T0 = 1_800_000_000_000 - (1_800_000_000_000 % PERIOD);

/** Two processes of one pod, each with its own lock (holders "process-a" and "process-b") on one database. */
export interface TwoProcesses {
  a: TimerLock;
  b: TimerLock;
  row(name: string): Promise<{ runs: number; holder: string | null }>;
}

/**
 * What every TimerLock does, whatever its database: a periodic job runs once per period across processes.
 * Call inside a describe whose beforeEach gives fresh locks to `current()`.
 */
export function timerLockContract(current: () => TwoProcesses): void {
  it("the first to ask in a period runs the job; the other, asking later in that period, does not", async () => {
    const lease = await current().a.acquire("sweep", PERIOD, T0 + 10);
    expect(lease).not.toBeNull();
    await lease!.release();
    expect(await current().b.acquire("sweep", PERIOD, T0 + 30_000)).toBeNull();
    expect(await current().a.acquire("sweep", PERIOD, T0 + 59_999)).toBeNull();
    // The next period belongs to whoever asks first, whichever process it is.
    const next = await current().b.acquire("sweep", PERIOD, T0 + PERIOD + 5);
    expect(next).not.toBeNull();
    await next!.release();
    expect(await current().a.acquire("sweep", PERIOD, T0 + PERIOD + 40_000)).toBeNull();
    const row = await current().row("sweep");
    expect(row).toEqual({ runs: 2, holder: "process-b" });
  });

  it("a run still holding the job keeps the next period's run from starting beside it", async () => {
    const slow = await current().a.acquire("resync", PERIOD, T0);
    expect(slow).not.toBeNull();
    expect(await current().b.acquire("resync", PERIOD, T0 + PERIOD + 1)).toBeNull();
    await slow!.release();
    expect(await current().b.acquire("resync", PERIOD, T0 + PERIOD + 2)).not.toBeNull();
  });

  it("when the holder dies mid-run, another process takes the job once its lease has run out", async () => {
    expect(await current().a.acquire("drafting", PERIOD, T0)).not.toBeNull(); // never released: the process died
    expect(await current().b.acquire("drafting", PERIOD, T0 + LEASE - 1)).toBeNull();
    expect(await current().b.acquire("drafting", PERIOD, T0 + LEASE)).not.toBeNull();
  });

  it("jobs are independent: one job's run does not stop another's", async () => {
    expect(await current().a.acquire("expire-offers", PERIOD, T0)).not.toBeNull();
    expect(await current().b.acquire("prune-received", PERIOD, T0 + 1)).not.toBeNull();
  });
}
