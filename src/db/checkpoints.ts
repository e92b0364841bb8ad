import type Database from "better-sqlite3";
import { Worker } from "node:worker_threads";

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
 * (journal_size_limit then truncates the file). Should the thread die, the connection's usual threshold
 * comes back.
 */
export function checkpointInBackground(
  sqlite: Database.Database,
  options: { intervalMs?: number; fallbackPages?: number; onError: (error: unknown) => void },
) {
  const worker = new Worker(new URL("./checkpoint-worker.ts", import.meta.url), {
    workerData: { path: sqlite.name, intervalMs: options.intervalMs ?? 100 },
  });
  const automatic = sqlite.pragma("wal_autocheckpoint", { simple: true }) as number;
  sqlite.pragma(`wal_autocheckpoint = ${options.fallbackPages ?? 4000}`);
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  let stopping = false;
  worker.once("error", (error) => options.onError(error));
  worker.once("exit", (code) => {
    if (!stopping && code !== 0) options.onError(new Error(`the checkpoint thread exited with code ${code}`));
  });
  void exited.then(() => {
    if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${automatic}`);
  });
  return {
    /** Ends the thread (after a checkpoint in progress) and gives checkpoints back to the connection. */
    async stop(): Promise<void> {
      stopping = true;
      worker.postMessage("stop");
      await exited;
    },
  };
}
