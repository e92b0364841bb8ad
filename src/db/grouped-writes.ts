import type { RoomDb, RoomQueries } from "./room-db.ts";
import { postgresClientOf } from "./postgres-write-client.ts";

interface Queued {
  write: (db: RoomQueries) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  /** How often it was already a deadlock's victim (see `commit`). */
  deadlocks?: number;
}

/** How often a write is tried when PostgreSQL keeps choosing it as a deadlock's victim. */
const DEADLOCK_TRIES = 3;

/**
 * PostgreSQL ended a write's statement to break a deadlock (SQLSTATE 40P01): two processes' batches took the same
 * row or advisory locks (a post's turn) in opposite orders. Drizzle wraps the driver's error in its own.
 */
function isDeadlock(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) if ((e as { code?: unknown }).code === "40P01") return true;
  return false;
}

/**
 * Group commit on the RoomDb (either database): writes asked for within one turn of the event loop share one
 * transaction, so one commit serves many requests (the inbox's hot path, where a commit per activity was most
 * of the database's cost on SQLite). Each write runs in a savepoint of its own: one that throws leaves no trace,
 * its promise rejects with its error, and the others still commit (on PostgreSQL, a deadlock's victim is tried
 * again in the next batch). Every promise settles after the commit, so a caller that answers after awaiting it
 * answers for committed data; if the commit itself fails, all reject.
 * A write's callback awaits only its `db`, as in any RoomDb write.
 */
export type GroupedWrite = <T>(write: (db: RoomQueries) => Promise<T>) => Promise<T>;

const shared = new WeakMap<RoomDb, GroupedWrite>();

/**
 * The connection under a SQLite RoomDb write's `db` (room-db-sqlite.ts: the write's checks, the statement cache),
 * for the savepoints: drizzle's path for them cost more than SQLite running them (~1% of a delivery).
 */
const sqliteClientOf = (db: RoomQueries) =>
  (db as unknown as { $client: { prepare(source: string): { run(): unknown } } }).$client;

/** The database's one group commit: every inbox (the view's, the posts') shares its batches and so its commits. */
export function sharedGroupedWrites(rooms: RoomDb): GroupedWrite {
  let grouped = shared.get(rooms);
  if (!grouped) shared.set(rooms, (grouped = groupedWrites(rooms)));
  return grouped;
}

export function groupedWrites(rooms: RoomDb): GroupedWrite {
  let queued: Queued[] = [];
  const statement = async (db: RoomQueries, text: string) => {
    if (rooms.dialect === "postgres") await postgresClientOf(db).query(text);
    else sqliteClientOf(db).prepare(text).run();
  };

  async function commit(): Promise<void> {
    const batch = queued;
    queued = [];
    let outcomes: ({ value: unknown } | { error: unknown })[];
    try {
      outcomes = await rooms.write(async (db) => {
        const settled: ({ value: unknown } | { error: unknown })[] = [];
        for (const { write } of batch) {
          await statement(db, "SAVEPOINT grouped_write");
          try {
            settled.push({ value: await write(db) });
          } catch (error) {
            // If the database already ended the whole transaction (SQLite on a full disk), this throws and the
            // batch ends: no later write may run outside it.
            await statement(db, "ROLLBACK TO SAVEPOINT grouped_write");
            settled.push({ error });
          }
          await statement(db, "RELEASE SAVEPOINT grouped_write");
        }
        return settled;
      });
    } catch (error) {
      for (const { reject } of batch) reject(error); // the transaction did not commit: nothing was written
      return;
    }
    batch.forEach((queuedWrite, i) => {
      const outcome = outcomes[i]!;
      // A deadlock's victim is tried again in the next batch, which starts after this one released its locks
      // (retried in this one, it would wait for the other batch again, which waits for this one's locks).
      const deadlocks = (queuedWrite.deadlocks ?? 0) + 1;
      if ("error" in outcome && isDeadlock(outcome.error) && deadlocks < DEADLOCK_TRIES)
        enqueue({ ...queuedWrite, deadlocks });
      else if ("error" in outcome) queuedWrite.reject(outcome.error);
      else queuedWrite.resolve(outcome.value);
    });
  }

  function enqueue(write: Queued): void {
    if (queued.length === 0) setImmediate(() => void commit());
    queued.push(write);
  }

  return <T>(write: (db: RoomQueries) => Promise<T>) =>
    new Promise<T>((resolve, reject) => enqueue({ write, resolve: resolve as (value: unknown) => void, reject }));
}
