import { and, asc, eq, sql } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import type { RoomDb, RoomQueries } from "../db/room-db.ts";
import { events } from "./schema.ts";

export interface RecordedEvent {
  id: string;
  kind: string;
  payload: unknown;
  orderingKey: string | null;
  attempts: number;
}

/** An event as a worker took it: its due time then is the hold (see claimNext). */
export type HeldEvent = RecordedEvent & { seq: number; dueAt: number };
export type Hold = Pick<HeldEvent, "id" | "dueAt">;

/** The row an event is recorded as, whichever way it is written. */
function eventRow(id: string, kind: string, payload: unknown, orderingKey: string | null, now: Date) {
  return {
    id,
    kind,
    payload: JSON.stringify(payload),
    orderingKey,
    dueAt: now.getTime(),
    createdAt: now.toISOString(),
  };
}

/**
 * Pending, due, and not waiting behind an earlier pending event of the same object (`table` is the events table
 * of the dialect in use; the SQL is the same on both).
 */
function dueCondition(table: typeof events, nowMs: number) {
  return and(
    eq(table.state, "pending"),
    sql`${table.dueAt} <= ${nowMs}`,
    sql`(${table.orderingKey} is null or not exists (
      select 1 from ${table} as e
      where e.state = 'pending' and e.ordering_key = ${table.orderingKey} and e.seq < ${table.seq}))`,
  );
}

/**
 * The events table on a RoomDb, for rooms that write through one: `recordWithin(db, …)` records an event in the
 * RoomDb write whose `db` it is given, so it commits or rolls back with the change, on SQLite and PostgreSQL.
 * On SQLite it is the table the dispatcher runs events from.
 */
export function eventsStore(rooms: RoomDb) {
  const t = rooms.table(events);
  const holding = (held: Hold) => and(eq(t.id, held.id), eq(t.state, "pending"), eq(t.dueAt, held.dueAt));
  return {
    async recordWithin(
      db: RoomQueries,
      kind: string,
      payload: unknown,
      orderingKey: string | null,
      now: Date,
    ): Promise<string> {
      const id = uuidv7();
      await db.insert(t).values(eventRow(id, kind, payload, orderingKey, now));
      return id;
    },

    /**
     * Takes the next event to run (due, not behind an earlier pending event of its object), or undefined. On
     * PostgreSQL, where several workers run events, taking it leases it: its due time moves `leaseMs` on, so no
     * other worker takes it meanwhile (SKIP LOCKED passes a row another worker is taking), and a worker that dies
     * leaves it to be taken again once the lease ends. On SQLite one process runs events and takes no lease:
     * what a crash left runs as soon as the pod starts again. The event's `dueAt` as taken is the hold: marking it
     * done or for a retry names it, and does nothing once another worker has taken or retried the event since.
     */
    async claimNext(nowMs: number, leaseMs: number): Promise<HeldEvent | undefined> {
      const [row] =
        rooms.dialect === "postgres"
          ? await rooms.write((db) =>
              db
                .update(t)
                .set({ dueAt: nowMs + leaseMs })
                .where(
                  sql`${t.id} = (select ${t.id} from ${t} where ${dueCondition(t, nowMs)}
                    order by ${t.seq} limit 1 for update skip locked)`,
                )
                .returning(),
            )
          : await rooms.read((db) => db.select().from(t).where(dueCondition(t, nowMs)).orderBy(asc(t.seq)).limit(1));
      if (!row) return undefined;
      return { ...row, payload: JSON.parse(row.payload) as unknown };
    },

    /**
     * Marks a held event done within a write; false when the hold is lost (another worker ran it, retried it or
     * took it over after the lease), and then the caller's write must hold nothing else of the event's.
     */
    async markDoneWithin(db: RoomQueries, held: Hold, at: Date): Promise<boolean> {
      const done = await db
        .update(t)
        .set({ state: "done", doneAt: at.toISOString(), lastError: null })
        .where(holding(held))
        .returning({ id: t.id });
      return done.length > 0;
    },

    /**
     * Puts a failed held event back for a later try, or gives it up ("failed") after the last attempt; nothing
     * when the hold is lost (a worker whose lease ran out never undoes the run of the one that took over).
     */
    async markRetry(held: Hold, attempts: number, dueAt: number | null, error: string): Promise<void> {
      const change =
        dueAt === null
          ? { state: "failed" as const, attempts, lastError: error }
          : { attempts, dueAt, lastError: error };
      await rooms.write((db) => db.update(t).set(change).where(holding(held)));
    },

    /** Every event in the order the dispatcher runs them (for tests and the CLI). */
    inOrder(): Promise<(typeof events.$inferSelect)[]> {
      return rooms.read((db) => db.select().from(t).orderBy(asc(t.seq)));
    },
  };
}
