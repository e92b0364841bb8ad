import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import type Database from "better-sqlite3";

/** A periodic job taken for one period by one process; renewed while it runs, released when it ends. */
export interface TimerLease {
  renew(): Promise<void>;
  release(): Promise<void>;
}

/**
 * Makes a periodic job run once per period across every process of a pod. Each process ticks on its own
 * schedule and asks for the job; only the first ask in a period (and while no run holds the job) wins.
 * SQLite: a conditional UPDATE on `timer_leases`. PostgreSQL can implement it the same way, or with
 * pg_try_advisory_lock held for the run plus a last-run row.
 */
export interface TimerLock {
  /** The lease when this process takes `name` for the period `now` falls in; null when it must not run. */
  acquire(name: string, periodMs: number, now: number): Promise<TimerLease | null>;
}

/** How long a run may go unrenewed before another process may take the job (its holder died). */
export const TIMER_LEASE_MS = 120_000;

/** Who holds a lease: this machine and process, and a random part so a restarted pid differs. */
export const HOLDER = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

export function sqliteTimerLock(sqlite: Database.Database, leaseMs = TIMER_LEASE_MS, holder = HOLDER): TimerLock {
  const ensure = sqlite.prepare("INSERT INTO timer_leases (name) VALUES (?) ON CONFLICT (name) DO NOTHING");
  // Periods are counted from the epoch, so every process agrees which period a moment falls in, whatever
  // its own schedule: the first process to ask in a new period runs the job, the others see it taken.
  const take = sqlite.prepare(
    `UPDATE timer_leases SET holder = @holder, lease_until = @until, last_run_at = @now, runs = runs + 1
     WHERE name = @name
       AND (lease_until IS NULL OR lease_until <= @now)
       AND (last_run_at IS NULL OR CAST(last_run_at / @period AS INTEGER) < CAST(@now / @period AS INTEGER))`,
  );
  const renew = sqlite.prepare("UPDATE timer_leases SET lease_until = ? WHERE name = ? AND holder = ?");
  const release = sqlite.prepare("UPDATE timer_leases SET lease_until = NULL WHERE name = ? AND holder = ?");
  return {
    async acquire(name, periodMs, now) {
      ensure.run(name);
      const taken = take.run({ name, holder, until: now + leaseMs, now, period: periodMs }).changes === 1;
      if (!taken) return null;
      return {
        async renew() {
          if (sqlite.open) renew.run(Date.now() + leaseMs, name, holder);
        },
        async release() {
          if (sqlite.open) release.run(name, holder);
        },
      };
    },
  };
}
