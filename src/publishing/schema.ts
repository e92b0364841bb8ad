import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Ids of objects this pod published and then deleted: they answer 410 Gone with a Tombstone. */
export const tombstones = sqliteTable("tombstones", {
  iri: text("iri").primaryKey(),
  formerType: text("former_type").notNull(),
  deletedAt: text("deleted_at").notNull(),
});

/** Every activity this pod sent to its followers, newest last: served as the outbox. */
export const outboxActivities = sqliteTable("outbox_activities", {
  seq: integer("seq").primaryKey({ autoIncrement: true }),
  iri: text("iri").notNull().unique(),
  type: text("type").notNull(),
  objectIri: text("object_iri").notNull(),
  /** The activity's compact JSON-LD, as delivered. */
  json: text("json").notNull(),
  publishedAt: text("published_at").notNull(),
});
