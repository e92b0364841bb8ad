import { workerData } from "node:worker_threads";

/**
 * The checkpoint thread as on a full disk: its first two launches fail the way better-sqlite3 reports
 * SQLITE_FULL; later ones run the real thread (src/db/checkpoint-worker.js).
 */
const { launch } = workerData as { launch: number };
if (launch < 2) {
  setTimeout(() => {
    throw Object.assign(new Error("database or disk is full"), { name: "SqliteError", code: "SQLITE_FULL" });
  }, 5);
} else {
  // A URL, not a specifier: the thread's script is plain JavaScript without type declarations.
  await import(new URL("../../src/db/checkpoint-worker.js", import.meta.url).href);
}
