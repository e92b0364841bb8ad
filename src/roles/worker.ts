import type { Logger } from "../log/logger.ts";
import type { Pod } from "../pod.ts";
import type { ReadinessCheck } from "./health.ts";
import { podJobs } from "./jobs.ts";
import { startPeriodicJobs, timerLeaseMs } from "./periodic.ts";

/** How often a worker lays settings saved by another process over its config (one cheap read). */
const SETTINGS_REFRESH_MS = 1_000;

/**
 * The worker role: the queue's listeners (deliveries, fan-out), the event dispatcher's polling for events
 * no request ran (a crashed process, the CLI), the periodic jobs (once per period across all processes) and
 * the profile announcement at start. Any number of workers may share one pod.
 */
export async function startWorker(pod: Pod, log: Logger) {
  const [{ actorFacts }, { announceProfileChanges }] = await Promise.all([
    import("../federation/federation.ts"),
    import("../federation/profile.ts"),
  ]);
  const { config } = pod.deps;
  const queueStop = new AbortController();
  let listening = true;
  const queueRunning = pod.federation.startQueue(null, { signal: queueStop.signal }).finally(() => (listening = false));
  // Events a crash (or the CLI) left are run now; the dispatcher keeps looking for more.
  pod.events.start();
  let dispatching = true;
  const settings = setInterval(
    () => pod.settings.refresh()?.catch((error: unknown) => log.warn({ err: error }, "reading the settings failed")),
    SETTINGS_REFRESH_MS,
  );
  settings.unref();
  if (await announceProfileChanges(pod.contextFor(), pod.kv, config, actorFacts(pod.publishedAt, pod))) {
    log.info("profile changed since last start: followers are being told");
  }
  const leaseMs = timerLeaseMs();
  const jobs = startPeriodicJobs(podJobs(pod, log), pod.storage.timerLock(leaseMs), log, leaseMs);
  const checks: ReadinessCheck[] = [
    { name: "queue", up: () => listening },
    { name: "events", up: () => dispatching },
  ];
  return {
    checks,
    /** Stops taking work and waits for what runs; queued deliveries stay queued for the next worker. */
    async stop(): Promise<void> {
      clearInterval(settings);
      queueStop.abort();
      dispatching = false;
      await Promise.all([jobs.stop(), queueRunning.catch(() => {}), pod.events.stop()]);
    },
  };
}
