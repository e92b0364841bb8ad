import { and, asc, eq, sql } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import type { Db } from "../db/client.ts";
import type { RoomDb, RoomQueries } from "../db/room-db.ts";
import { events } from "./schema.ts";

/** What a change writes in: the database or the transaction it runs in (drizzle's `tx`). */
export type Writer = Pick<Db, "insert">;

export interface RecordedEvent {
  id: string;
  kind: string;
  payload: unknown;
  orderingKey: string | null;
  attempts: number;
}

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

/** Records an event in the caller's transaction: it commits, or rolls back, with the change it follows. */
export function recordEvent(tx: Writer, kind: string, payload: unknown, orderingKey: string | null, now: Date): string {
  const id = uuidv7();
  tx.insert(events)
    .values(eventRow(id, kind, payload, orderingKey, now))
    .run();
  return id;
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

/** The first pending event that is due and not waiting behind an earlier pending event of the same object. */
export function nextDue(db: Db, nowMs: number): (RecordedEvent & { seq: number }) | undefined {
  const row = db.select().from(events).where(dueCondition(events, nowMs)).orderBy(asc(events.seq)).limit(1).get();
  if (!row) return undefined;
  return { ...row, payload: JSON.parse(row.payload) as unknown };
}

/**
 * The events table on a RoomDb, for rooms that write through one: `recordWithin(db, …)` records an event in the
 * RoomDb write whose `db` it is given, so it commits or rolls back with the change, on SQLite and PostgreSQL.
 * On SQLite it is the table the dispatcher runs events from.
 */
export function eventsStore(rooms: RoomDb) {
  const t = rooms.table(events);
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

    /** What the dispatcher would run next (the same query as `nextDue`), read through the RoomDb. */
    async nextDue(nowMs: number): Promise<(RecordedEvent & { seq: number }) | undefined> {
      const [row] = await rooms.read((db) =>
        db.select().from(t).where(dueCondition(t, nowMs)).orderBy(asc(t.seq)).limit(1),
      );
      if (!row) return undefined;
      return { ...row, payload: JSON.parse(row.payload) as unknown };
    },

    async markDone(id: string, at: Date): Promise<void> {
      await rooms.write((db) =>
        db.update(t).set({ state: "done", doneAt: at.toISOString(), lastError: null }).where(eq(t.id, id)),
      );
    },

    /** Every event in the order the dispatcher runs them (for tests and the CLI). */
    inOrder(): Promise<(typeof events.$inferSelect)[]> {
      return rooms.read((db) => db.select().from(t).orderBy(asc(t.seq)));
    },
  };
}

/** Whether the event is still waiting to be run (another process may have finished it meanwhile). */
export function isPending(db: Db, id: string): boolean {
  return db.select({ state: events.state }).from(events).where(eq(events.id, id)).get()?.state === "pending";
}

export function markDone(db: Db, id: string, at: Date): void {
  db.update(events).set({ state: "done", doneAt: at.toISOString(), lastError: null }).where(eq(events.id, id)).run();
}

/** Puts a failed event back for a later try, or gives it up ("failed") after the last attempt. */
export function markRetry(db: Db, id: string, attempts: number, dueAt: number | null, error: string): void {
  db.update(events)
    .set(dueAt === null ? { state: "failed", attempts, lastError: error } : { attempts, dueAt, lastError: error })
    .where(eq(events.id, id))
    .run();
}

export function countByState(db: Db): Record<"pending" | "done" | "failed", number> {
  const counts = { pending: 0, done: 0, failed: 0 };
  const rows = db.select({ state: events.state, n: sql<number>`count(*)` }).from(events).groupBy(events.state).all();
  for (const { state, n } of rows) counts[state] = n;
  return counts;
}
