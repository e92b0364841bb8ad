import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * One row per periodic job (expiry sweep, resync, drafting, reminders): which process runs it now and until
 * when (`lease_until`, renewed while it runs), and when it last started. Every process that runs timers
 * tries to take a job's row with one conditional UPDATE; only one wins each period (src/roles/timer-lock.ts).
 */
export const timerLeases = sqliteTable("timer_leases", {
  name: text("name").primaryKey(),
  holder: text("holder"),
  /** Milliseconds since the epoch; null when no process runs the job. */
  leaseUntil: integer("lease_until"),
  /** Milliseconds since the epoch of the last run's start. */
  lastRunAt: integer("last_run_at"),
  runs: integer("runs").notNull().default(0),
});
