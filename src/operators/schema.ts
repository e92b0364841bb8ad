import { sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Operator tokens for the admin API and CLI, stored as SHA-256 hashes only. */
export const operatorTokens = sqliteTable("operator_tokens", {
  id: text("id").primaryKey(),
  tokenHash: text("token_hash").notNull().unique(),
  label: text("label").notNull(),
  createdAt: text("created_at").notNull(),
});
