import type { PostgresPool } from "../db/postgres.ts";
import { HOLDER, TIMER_LEASE_MS, type TimerLock } from "./timer-lock.ts";

/**
 * The timer lock on PostgreSQL: the same row and the same one conditional UPDATE as on SQLite (the row
 * lock serialises two processes asking at once; the loser sees the period taken), on `timer_leases`
 * from migrations-pg.
 */
export function postgresTimerLock(pool: PostgresPool, leaseMs = TIMER_LEASE_MS, holder = HOLDER): TimerLock {
  return {
    async acquire(name, periodMs, now) {
      await pool.query("INSERT INTO timer_leases (name) VALUES ($1) ON CONFLICT (name) DO NOTHING", [name]);
      const taken = await pool.query(
        `UPDATE timer_leases SET holder = $2, lease_until = $3, last_run_at = $4, runs = runs + 1
         WHERE name = $1
           AND (lease_until IS NULL OR lease_until <= $4)
           AND (last_run_at IS NULL OR div(last_run_at, $5) < div($4::bigint, $5))`,
        [name, holder, now + leaseMs, now, periodMs],
      );
      if (taken.rowCount !== 1) return null;
      return {
        async renew() {
          await pool.query("UPDATE timer_leases SET lease_until = $1 WHERE name = $2 AND holder = $3", [
            Date.now() + leaseMs,
            name,
            holder,
          ]);
        },
        async release() {
          await pool.query("UPDATE timer_leases SET lease_until = NULL WHERE name = $1 AND holder = $2", [
            name,
            holder,
          ]);
        },
      };
    },
  };
}
