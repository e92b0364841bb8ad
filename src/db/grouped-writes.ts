import type { RoomDb, RoomQueries } from "./room-db.ts";
import { postgresClientOf } from "./postgres-write-client.ts";

interface Queued {
  write: (db: RoomQueries) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit on the RoomDb (either database): writes asked for within one turn of the event loop share one
 * transaction, so one commit serves many requests (the inbox's hot path, where a commit per activity was most
 * of the database's cost on SQLite). Each write runs in a savepoint of its own: one that throws leaves no trace,
 * its promise rejects with its error, and the others still commit. Every promise settles after the commit, so a
 * caller that answers after awaiting it answers for committed data; if the commit itself fails, all reject.
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
    batch.forEach(({ resolve, reject }, i) => {
      const outcome = outcomes[i]!;
      if ("error" in outcome) reject(outcome.error);
      else resolve(outcome.value);
    });
  }

  return <T>(write: (db: RoomQueries) => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      if (queued.length === 0) setImmediate(() => void commit());
      queued.push({ write, resolve: resolve as (value: unknown) => void, reject });
    });
}
