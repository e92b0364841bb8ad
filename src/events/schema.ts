import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * What must follow a committed change (deliveries, projections, notifications), recorded in the change's own
 * transaction and run by the dispatcher. `seq` is the order events are run in; `orderingKey` (an object IRI)
 * keeps an event waiting while an earlier one of the same object is still pending.
 */
export const events = sqliteTable(
  "events",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    id: text("id").notNull().unique(),
    kind: text("kind").notNull(),
    payload: text("payload").notNull(),
    orderingKey: text("ordering_key"),
    state: text("state", { enum: ["pending", "done", "failed"] })
      .notNull()
      .default("pending"),
    attempts: integer("attempts").notNull().default(0),
    /** Milliseconds since the epoch: when a pending event may next be tried. */
    dueAt: integer("due_at").notNull(),
    lastError: text("last_error"),
    createdAt: text("created_at").notNull(),
    doneAt: text("done_at"),
  },
  (table) => [index("events_pending").on(table.state, table.seq)],
);
