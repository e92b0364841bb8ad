import { workerData } from "node:worker_threads";

/**
 * The checkpoint thread as on a full disk: its first two launches fail the way better-sqlite3 reports
 * SQLITE_FULL; later ones run the real thread (src/db/checkpoint-worker.ts).
 */
const { launch } = workerData as { launch: number };
if (launch < 2) {
  setTimeout(() => {
    throw Object.assign(new Error("database or disk is full"), { name: "SqliteError", code: "SQLITE_FULL" });
  }, 5);
} else {
  await import("../../src/db/checkpoint-worker.ts");
}
