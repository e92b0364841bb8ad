// The background checkpointer's thread (see checkpoints.ts): its own connection, PASSIVE checkpoints.
// Plain JavaScript on purpose: a .ts file would make the thread load Node's type-stripping compiler into
// its own isolate, which doubled what the thread costs (~34 MB against ~17 MB resident, Node 24).
import Database from "better-sqlite3";
import { parentPort, workerData } from "node:worker_threads";

const { path, intervalMs } = workerData;
const db = new Database(path);
db.pragma("synchronous = NORMAL");
const timer = setInterval(() => db.pragma("wal_checkpoint(PASSIVE)"), intervalMs);
parentPort.once("message", () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
