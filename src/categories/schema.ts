import { sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Categories this pod added to the shared taxonomy; their IRIs live under the pod's own URL. */
export const customCategories = sqliteTable("custom_categories", {
  slug: text("slug").primaryKey(),
  label: text("label").notNull(),
  description: text("description").notNull().default(""),
  createdAt: text("created_at").notNull(),
});
