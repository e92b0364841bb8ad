/** The timer lock on PostgreSQL meets the same contract as on SQLite, two pools standing for two processes. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { migratePostgres, openPostgresPool, type PostgresPool } from "../../src/db/postgres.ts";
import { postgresTimerLock } from "../../src/roles/timer-lock-postgres.ts";
import { freshDatabase, postgresUnavailable, type TestDatabase } from "../support/postgres.ts";
import { LEASE, PERIOD, timerLockContract, type TwoProcesses } from "../support/timer-lock-contract.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("the timer lock on PostgreSQL: a periodic job runs once per period", () => {
  let database: TestDatabase;
  let pools: PostgresPool[];
  let processes: TwoProcesses;

  beforeAll(async () => {
    database = await freshDatabase();
    pools = [openPostgresPool(database.url), openPostgresPool(database.url)];
    await migratePostgres(pools[0]!);
  });
  afterAll(async () => {
    await Promise.all((pools ?? []).map((pool) => pool.end()));
    await database?.drop();
  });
  beforeEach(async () => {
    await pools[0]!.query("DELETE FROM timer_leases");
    processes = {
      a: postgresTimerLock(pools[0]!, LEASE, "process-a"),
      b: postgresTimerLock(pools[1]!, LEASE, "process-b"),
      row: async (name) => {
        const { rows } = await pools[0]!.query("SELECT runs, holder FROM timer_leases WHERE name = $1", [name]);
        return { runs: Number(rows[0].runs), holder: rows[0].holder };
      },
    };
  });

  timerLockContract(() => processes);

  it("of ten processes asking at the same moment, one runs the job", async () => {
    const locks = Array.from({ length: 10 }, (_, i) => postgresTimerLock(pools[i % 2]!, LEASE, `process-${i}`));
    const now = 1_800_000_000_000;
    const leases = await Promise.all(locks.map((lock) => lock.acquire("sweep", PERIOD, now)));
    expect(leases.filter((lease) => lease !== null)).toHaveLength(1);
    expect((await processes.row("sweep")).runs).toBe(1);
  });
});
