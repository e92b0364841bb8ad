import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Every published revision of the People's Service Charter; the highest number is current. */
export const charterRevisions = sqliteTable("charter_revisions", {
  number: integer("number").primaryKey(),
  changeNote: text("change_note").notNull(),
  /** JSON: the services provided now (see model.ts CharterService). */
  services: text("services").notNull(),
  /** JSON: the services the pod intends to take on next (see model.ts PlannedService). */
  planned: text("planned").notNull(),
  publishedAt: text("published_at").notNull(),
  /** When the charter was last reviewed: set on publish, moved by a review without changes. */
  reviewedAt: text("reviewed_at").notNull(),
});
