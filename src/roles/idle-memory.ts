import { performance } from "node:perf_hooks";
import type { Logger } from "../log/logger.ts";

/** How often the process looks at how busy its event loop was. */
export const TICK_MS = 2_000;
/** A tick whose event loop was busy less than this share of the time is quiet… */
export const QUIET = 0.01;
/** …and one busier than this is work again, after which the next quiet tick gives memory back. */
export const BUSY = 0.05;
/** At most one collection in this long: work that comes and goes every few seconds pays at most 0.5% of a core. */
export const RELEASE_GAP_MS = 30_000;

/**
 * What one tick decides: give memory back when the loop has gone quiet since the last work (once, not at
 * every quiet tick: the collection itself costs about 0.1 s), and be ready to do it again once work comes back.
 * A process starts ready: what it built at start is mostly garbage once it serves.
 */
export function idleStep(
  ready: boolean,
  utilization: number,
  sinceReleaseMs: number,
): { ready: boolean; release: boolean } {
  if (ready && utilization < QUIET && sinceReleaseMs >= RELEASE_GAP_MS) return { ready: false, release: true };
  return { ready: ready || utilization > BUSY, release: false };
}

let collect: ((options: object) => void) | undefined;

/**
 * A full collection that compacts the heap and returns its free pages to the system (V8's "last resort"
 * flavour, the one a low-memory notification runs). An ordinary full collection frees as much but keeps the
 * pages: an idle pod stayed at about 200 MB of RSS, against about 160 MB after this (README "Speed").
 * The collector is reached through a fresh context created while `--expose-gc` is on, so no global `gc` is
 * left in the pod's own context.
 */
export function releaseMemory(): void {
  if (!collect) {
    // Loaded here, not at start: a pod that never goes quiet never needs them.
    const v8 = process.getBuiltinModule("node:v8");
    v8.setFlagsFromString("--expose-gc");
    collect = process.getBuiltinModule("node:vm").runInNewContext("gc") as (options: object) => void;
    v8.setFlagsFromString("--no-expose-gc");
  }
  collect({ type: "major", execution: "sync", flavor: "last-resort" });
}

/**
 * Gives memory back each time the process goes quiet after work (no requests, deliveries or jobs for a tick).
 * V8 otherwise keeps the heap it grew to while busy; the cost is one pause of about 0.1 s, only when nothing runs.
 */
export function releaseMemoryWhenIdle(log: Logger): { stop(): void } {
  let ready = true;
  let releasedAt = Number.NEGATIVE_INFINITY;
  let last = performance.eventLoopUtilization();
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const utilization = performance.eventLoopUtilization(now, last).utilization;
    const step = idleStep(ready, utilization, performance.now() - releasedAt);
    ready = step.ready;
    last = now;
    if (!step.release) return;
    const before = process.memoryUsage.rss();
    releaseMemory();
    releasedAt = performance.now();
    last = performance.eventLoopUtilization(); // the collection's own time is not work
    log.debug({ rssBeforeMb: mb(before), rssAfterMb: mb(process.memoryUsage.rss()) }, "idle: memory given back");
  }, TICK_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
