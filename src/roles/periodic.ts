import type { Logger } from "../log/logger.ts";
import { TIMER_LEASE_MS, type TimerLock } from "./timer-lock.ts";

/** A job that runs every `periodMs` somewhere among the pod's processes (see TimerLock). */
export interface PeriodicJob {
  name: string;
  periodMs: number;
  /** Whether a start may run it at once (when no process ran it this period), or only after a period. */
  atStart: boolean;
  run(): Promise<void>;
}

/**
 * Test only: with POD_TEST_TIMER_SCALE=600 minute-long periods last 100 ms (a production pod,
 * NODE_ENV=production, ignores it). The periods must be known here, not only to the timers, because
 * they decide which period a moment falls in for every process (test/support/fast-timers.ts).
 */
export function timerScale(): number {
  const scale = Number(process.env.POD_TEST_TIMER_SCALE);
  return process.env.NODE_ENV !== "production" && Number.isFinite(scale) && scale > 1 ? scale : 1;
}

/** How long a run's lease lasts unrenewed (scaled like the periods in tests, but not below 5 s). */
export function timerLeaseMs(): number {
  return Math.max(TIMER_LEASE_MS / timerScale(), 5_000);
}

/**
 * Runs each job on its own schedule in this process, when the lock gives it the job for the period; a run
 * renews its lease at a third of `leaseMs`, so only a dead process's lease runs out.
 */
export function startPeriodicJobs(jobs: PeriodicJob[], lock: TimerLock, log: Logger, leaseMs: number) {
  const running = new Set<Promise<void>>();
  const busy = new Set<string>();

  const tick = async (job: PeriodicJob) => {
    if (busy.has(job.name)) return;
    busy.add(job.name);
    try {
      const lease = await lock.acquire(job.name, job.periodMs, Date.now());
      if (!lease) return;
      const renewal = setInterval(() => void lease.renew().catch(() => {}), leaseMs / 3);
      renewal.unref();
      try {
        await job.run();
      } catch (error) {
        log.error({ err: error, job: job.name }, "a periodic job failed");
      } finally {
        clearInterval(renewal);
        await lease.release().catch(() => {});
      }
    } catch (error) {
      // The database was busy past its timeout: another process or the next period runs the job.
      log.warn({ err: error, job: job.name }, "could not take a periodic job");
    } finally {
      busy.delete(job.name);
    }
  };
  const start = (job: PeriodicJob) => {
    const run = tick(job).finally(() => running.delete(run));
    running.add(run);
  };

  const timers = jobs.map((job) => {
    if (job.atStart) start(job);
    return setInterval(() => start(job), job.periodMs);
  });
  return {
    /** Stops scheduling and waits for the runs in progress. */
    async stop(): Promise<void> {
      for (const timer of timers) clearInterval(timer);
      await Promise.allSettled([...running]);
    },
  };
}
