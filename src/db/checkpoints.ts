import type Database from "better-sqlite3";
import { statSync } from "node:fs";
import { Worker } from "node:worker_threads";

/** Waits before restarting a failed checkpoint thread: longer after each failure in a row. */
const RESTART_DELAYS_MS = [1_000, 5_000, 30_000, 60_000];
/** A thread that ran this long before failing counts as recovered: the next restart waits the shortest delay. */
const HEALTHY_RUN_MS = 5 * 60_000;

export interface CheckpointOptions {
  intervalMs?: number;
  fallbackPages?: number;
  /** Called when the thread fails, with the wait before it is started again. */
  onError: (error: unknown, restartInMs: number) => void;
  restartDelaysMs?: readonly number[];
  /** The thread ends after this long without a commit (an idle pod does not keep it). */
  idleExitMs?: number;
  /** How often, while there is no thread, the WAL file is checked for new writes. */
  wakeCheckMs?: number;
  /** The thread starts once the WAL changed at this many checks in a row: writes that last, not a single one. */
  wakeAfterChecks?: number;
  /** The thread's script (tests substitute one that fails like a full disk). */
  workerUrl?: URL;
}

/**
 * WAL checkpoints off the event loop. A checkpoint copies committed pages into the database file and
 * syncs it; left automatic, SQLite runs it inside whichever commit crosses the threshold, and the
 * server's one thread waits on the disk — every request stalls behind it (most of the inbox's database
 * time, bench/ingest.ts). Here a worker thread, on its own connection, checkpoints every `intervalMs`:
 * PASSIVE, so it never blocks a reader or a writer, and with the same syncing as before.
 *
 * A PASSIVE checkpoint racing steady writes rarely backfills the very last frames, and the WAL only
 * starts over after a complete checkpoint: alone, the thread would let the WAL grow without end. So the
 * connection keeps its own automatic checkpoint at a higher threshold (`fallbackPages`): by the time it
 * fires the thread has copied nearly everything, the inline checkpoint is short, and the WAL restarts
 * (journal_size_limit then truncates the file). While the thread is down (a full disk makes its checkpoint
 * throw) the connection's usual threshold comes back, and the thread is started again after a delay.
 *
 * A thread costs ~17 MB (its own V8 isolate) and ~0.1 s of CPU to start, so it runs only while writes last: it
 * starts with the process, ends after `idleExitMs` (30 s) without a commit, and starts again once the WAL file
 * changed at `wakeAfterChecks` checks in a row (writes over a fifth of a second, by default). A pod that writes
 * now and then (the periodic jobs' leases each minute, a member's edit) does not start it again: the
 * connection's own checkpoint at the usual threshold (1,000 pages, about 4 MB of commits) is short and rare
 * then. Before, those leases kept it alive.
 */
export function checkpointInBackground(sqlite: Database.Database, options: CheckpointOptions) {
  const automatic = sqlite.pragma("wal_autocheckpoint", { simple: true }) as number;
  const delays = options.restartDelaysMs ?? RESTART_DELAYS_MS;
  const workerUrl = options.workerUrl ?? new URL("./checkpoint-worker.js", import.meta.url);
  let worker: Worker | undefined;
  let exited: Promise<void> = Promise.resolve();
  let restart: NodeJS.Timeout | undefined;
  let wake: NodeJS.Timeout | undefined;
  let failuresInARow = 0;
  let launches = 0;
  let stopping = false;

  const launch = () => {
    if (stopping || !sqlite.open) return;
    const startedAt = Date.now();
    let failure: unknown;
    sqlite.pragma(`wal_autocheckpoint = ${options.fallbackPages ?? 4000}`);
    const workerData = {
      path: sqlite.name,
      intervalMs: options.intervalMs ?? 100,
      idleExitMs: options.idleExitMs ?? 30_000,
      launch: launches++,
    };
    const thread = new Worker(workerUrl, { workerData });
    worker = thread;
    thread.once("error", (error) => (failure = error));
    exited = new Promise((resolve) =>
      thread.once("exit", (code) => {
        worker = undefined;
        if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${automatic}`);
        if (!stopping && code === 0 && failure === undefined) {
          failuresInARow = 0;
          launchWhenWritesLast();
        } else if (!stopping) {
          if (Date.now() - startedAt >= HEALTHY_RUN_MS) failuresInARow = 0;
          const delay = delays[Math.min(failuresInARow++, delays.length - 1)]!;
          options.onError(failure ?? new Error(`the checkpoint thread exited with code ${code}`), delay);
          restart = setTimeout(launch, delay);
          restart.unref();
        }
        resolve();
      }),
    );
  };
  const walChangedAt = () => statSync(`${sqlite.name}-wal`, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const launchWhenWritesLast = () => {
    let seen = walChangedAt();
    let changesInARow = 0;
    wake = setInterval(() => {
      const changed = walChangedAt();
      changesInARow = changed === seen ? 0 : changesInARow + 1;
      seen = changed;
      if (changesInARow < (options.wakeAfterChecks ?? 2)) return;
      clearInterval(wake);
      launch();
    }, options.wakeCheckMs ?? 100);
    wake.unref();
  };
  launch(); // a start writes a lot (a new pod's migrations): the thread takes those checkpoints

  return {
    /** Ends the thread (after a checkpoint in progress) and gives checkpoints back to the connection. */
    async stop(): Promise<void> {
      stopping = true;
      clearTimeout(restart);
      clearInterval(wake);
      worker?.postMessage("stop");
      await exited;
    },
  };
}
