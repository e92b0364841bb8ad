import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * The pod's own choices made in the web app (settings page, first-run setup): one row. A null column has
 * not been chosen yet, so the environment's setting (POD_NAME, POD_SUMMARY...) applies; a chosen value wins.
 */
export const podSettings = sqliteTable("pod_settings", {
  id: integer("id").primaryKey(),
  name: text("name"),
  summary: text("summary"),
  timeZone: text("time_zone"),
  /** JSON array of language tags. */
  languages: text("languages"),
  approveFollowers: integer("approve_followers", { mode: "boolean" }),
  /** File names under DATA_DIR/media (content-addressed, so a new picture gets a new URL). */
  avatarFile: text("avatar_file"),
  avatarType: text("avatar_type"),
  headerFile: text("header_file"),
  headerType: text("header_type"),
  updatedAt: text("updated_at").notNull(),
});
