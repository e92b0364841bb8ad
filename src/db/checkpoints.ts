import type Database from "better-sqlite3";
import { Worker } from "node:worker_threads";

/**
 * WAL checkpoints off the event loop. A checkpoint copies committed pages into the database file and
 * syncs it; left automatic, SQLite runs it inside whichever commit crosses the threshold, and the
 * server's one thread waits on the disk — every request stalls behind it (most of the inbox's database
 * time, bench/ingest.ts). Here the connection's automatic checkpoints are turned off and a worker thread,
 * on its own connection, checkpoints every `intervalMs` instead: PASSIVE, so it never blocks a reader or
 * a writer, and with the same syncing as before. Should the thread die, the connection checkpoints
 * itself again.
 */
export function checkpointInBackground(sqlite: Database.Database, options: { intervalMs?: number; onError?: (error: unknown) => void } = {}) {
  const worker = new Worker(new URL("./checkpoint-worker.ts", import.meta.url), {
    workerData: { path: sqlite.name, intervalMs: options.intervalMs ?? 100 },
  });
  const automatic = sqlite.pragma("wal_autocheckpoint", { simple: true }) as number;
  sqlite.pragma("wal_autocheckpoint = 0");
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  worker.once("error", (error) => options.onError?.(error));
  void exited.then(() => {
    if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${automatic}`);
  });
  return {
    /** Ends the thread (after a checkpoint in progress) and gives checkpoints back to the connection. */
    async stop(): Promise<void> {
      worker.postMessage("stop");
      await exited;
    },
  };
}
