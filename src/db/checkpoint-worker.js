import Database from "better-sqlite3";
import { parentPort, workerData } from "node:worker_threads";

/** The background checkpointer's thread (see checkpoints.ts): its own connection, PASSIVE checkpoints. */
const { path, intervalMs } = workerData as { path: string; intervalMs: number };
const db = new Database(path);
db.pragma("synchronous = NORMAL");
const timer = setInterval(() => db.pragma("wal_checkpoint(PASSIVE)"), intervalMs);
parentPort!.once("message", () => {
  clearInterval(timer);
  db.close();
  parentPort!.close();
});
