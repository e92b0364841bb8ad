import { and, asc, eq, sql } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import type { Db } from "../db/client.ts";
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

/** Records an event in the caller's transaction: it commits, or rolls back, with the change it follows. */
export function recordEvent(tx: Writer, kind: string, payload: unknown, orderingKey: string | null, now: Date): string {
  const id = uuidv7();
  tx.insert(events)
    .values({
      id,
      kind,
      payload: JSON.stringify(payload),
      orderingKey,
      dueAt: now.getTime(),
      createdAt: now.toISOString(),
    })
    .run();
  return id;
}

/** The first pending event that is due and not waiting behind an earlier pending event of the same object. */
export function nextDue(db: Db, nowMs: number): (RecordedEvent & { seq: number }) | undefined {
  const row = db
    .select()
    .from(events)
    .where(
      and(
        eq(events.state, "pending"),
        sql`${events.dueAt} <= ${nowMs}`,
        sql`(${events.orderingKey} is null or not exists (
          select 1 from ${events} as e
          where e.state = 'pending' and e.ordering_key = ${events.orderingKey} and e.seq < ${events.seq}))`,
      ),
    )
    .orderBy(asc(events.seq))
    .limit(1)
    .get();
  if (!row) return undefined;
  return { ...row, payload: JSON.parse(row.payload) as unknown };
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
