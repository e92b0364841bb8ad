// The background checkpointer's thread (see checkpoints.ts): its own connection, PASSIVE checkpoints.
// Plain JavaScript on purpose: a .ts file would make the thread load Node's type-stripping compiler into
// its own isolate, which doubled what the thread costs (~34 MB against ~17 MB resident, Node 24).
import Database from "better-sqlite3";
import { parentPort, workerData } from "node:worker_threads";

const { path, intervalMs, idleExitMs } = workerData;
const db = new Database(path);
db.pragma("synchronous = NORMAL");
// data_version changes whenever another connection (the server's) commits.
let version = db.pragma("data_version", { simple: true });
let changedAt = Date.now();
const timer = setInterval(() => {
  db.pragma("wal_checkpoint(PASSIVE)");
  const now = db.pragma("data_version", { simple: true });
  if (now !== version) {
    version = now;
    changedAt = Date.now();
  } else if (Date.now() - changedAt >= idleExitMs) {
    end(); // nothing written for a while, all of it checkpointed: exit 0, the server starts us on its next write
  }
}, intervalMs);

function end() {
  clearInterval(timer);
  db.close();
  parentPort.close();
}
parentPort.once("message", end);
