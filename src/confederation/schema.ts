import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Activities received from other pods after their signatures were verified: the raw material of the
 * confederal view. Only structure is kept (types and ids), not bodies.
 */
export const receivedActivities = sqliteTable(
  "received_activities",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    activityIri: text("activity_iri").notNull().unique(),
    type: text("type").notNull(),
    actorIri: text("actor_iri").notNull(),
    objectIri: text("object_iri"),
    objectType: text("object_type"),
    /** Whether this pod follows the sender (only followed pods feed the view). */
    fromFollowed: integer("from_followed", { mode: "boolean" }).notNull(),
    receivedAt: text("received_at").notNull(),
  },
  (t) => [index("received_object").on(t.objectIri)],
);
