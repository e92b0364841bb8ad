import { PerformanceObserver, performance } from "node:perf_hooks";
import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { Logger } from "../log/logger.ts";

/**
 * How often the process looks at how busy its main thread was: the CPU time it used (`process.threadCpuUsage`),
 * not the event loop's time in callbacks, which also counts a callback waiting for the disk or for a core on a
 * loaded machine (a periodic job's commit on a busy disk read as work, and an idle pod collected again).
 */
export const TICK_MS = 2_000;
/** A tick whose main thread used less than this share of a core is quiet… */
export const QUIET = 0.01;
/** …and one busier than this (garbage collection aside) is work again, after which a quiet tick gives memory back. */
export const BUSY = 0.1;
/** At most one collection in this long: work that comes and goes every few seconds pays under 1% of a core… */
export const RELEASE_GAP_MS = 30_000;
/**
 * …unless V8's heap has grown this much since the last one left it (an ingest burst), so that the pause buys at
 * least this much back… (With a rule of 2.5 s of work alone, a burst that ran faster kept 80 MB for 30 s.)
 */
export const RELEASE_AFTER_GROWTH_BYTES = 32 * 1024 * 1024;
/**
 * …and the process has worked this long since (ten times a usual pause): short bursts that rebuild what each
 * collection gave back pay at most one pause per this much work.
 */
export const RELEASE_AFTER_WORK_MS = 1_500;

/**
 * What one tick decides: give memory back when the loop has gone quiet since the last work (once, not at
 * every quiet tick: the collection itself pauses the loop 0.05–0.25 s), and be ready to do it again once work
 * comes back. A process starts ready: what it built at start is mostly garbage once it serves.
 */
export function idleStep(
  ready: boolean,
  utilization: number,
  since: { ms: number; grownBytes: number; workMs: number },
): { ready: boolean; release: boolean } {
  const early = since.grownBytes >= RELEASE_AFTER_GROWTH_BYTES && since.workMs >= RELEASE_AFTER_WORK_MS;
  const due = since.ms >= RELEASE_GAP_MS || early;
  if (ready && utilization < QUIET && due) return { ready: false, release: true };
  return { ready: ready || utilization > BUSY, release: false };
}

let collect: ((options: object) => void) | undefined;

/**
 * Reaches V8's collector through a fresh context created while `--expose-gc` is on, so that no global `gc` is
 * left in the process's own context. The flag is the whole process's: any context created while it is on gets
 * `gc` too, a worker thread's included, so this runs once, before the process starts any thread.
 */
export function prepareCollector(): void {
  if (collect) return;
  setFlagsFromString("--expose-gc");
  collect = runInNewContext("gc") as (options: object) => void;
  setFlagsFromString("--no-expose-gc");
}

/**
 * A full collection that compacts the heap and returns its free pages to the system (V8's "last resort"
 * flavour, the one a low-memory notification runs). An ordinary full collection frees as much but keeps the
 * pages: an idle pod stayed at about 210 MB of RSS, against about 160 MB after this (README "Speed").
 */
export function releaseMemory(): void {
  prepareCollector();
  collect!({ type: "major", execution: "sync", flavor: "last-resort" });
}

/**
 * Gives memory back each time the process goes quiet after work (no requests, deliveries or jobs to speak of
 * for a tick). V8 otherwise keeps the heap it grew to while busy. Call it before the process starts any thread.
 */
export function releaseMemoryWhenIdle(log: Logger): { stop(): void } {
  prepareCollector();
  let ready = true;
  let releasedAt = Number.NEGATIVE_INFINITY;
  let heapAfterRelease = 0;
  let workMsSinceRelease = 0;
  let last = { at: performance.now(), cpu: process.threadCpuUsage() };
  const sinceLast = () => {
    const cpu = process.threadCpuUsage(last.cpu);
    return { elapsedMs: performance.now() - last.at, cpuMs: (cpu.user + cpu.system) / 1000 };
  };
  const restart = () => {
    last = { at: performance.now(), cpu: process.threadCpuUsage() };
  };
  // After a collection V8 runs a few of its own to shrink further (its memory reducer, ~0.1 s about 8 s later):
  // that time is not work, or every collection would make the process ready for the next one. Counted only
  // while waiting for work: under load a process collects hundreds of times a second.
  let collectingMs = 0;
  const collections = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) collectingMs += entry.duration;
  });
  const timer = setInterval(() => {
    const tickStartedAt = performance.now();
    const { elapsedMs, cpuMs } = sinceLast();
    restart();
    const workMs = Math.max(0, cpuMs - collectingMs);
    collectingMs = 0;
    workMsSinceRelease += workMs;
    // The heap V8 has committed, not RSS: what a collection can give back (a thread's start, say, it cannot).
    const grownBytes = getHeapStatistics().total_heap_size - heapAfterRelease;
    const since = { ms: tickStartedAt - releasedAt, grownBytes, workMs: workMsSinceRelease };
    const step = idleStep(ready, workMs / Math.max(elapsedMs, 1), since);
    if (step.ready && !ready) collections.disconnect();
    ready = step.ready;
    if (!step.release) return;
    const before = process.memoryUsage.rss();
    releaseMemory();
    releasedAt = tickStartedAt;
    heapAfterRelease = getHeapStatistics().total_heap_size;
    workMsSinceRelease = 0;
    log.debug(
      {
        rssBeforeMb: mb(before),
        rssAfterMb: mb(process.memoryUsage.rss()),
        pauseMs: performance.now() - tickStartedAt,
      },
      "idle: memory given back",
    );
    restart(); // the collection's own time is not work
    collections.observe({ entryTypes: ["gc"] });
  }, TICK_MS);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      collections.disconnect();
    },
  };
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
