import { sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Operator tokens for the admin API and CLI, stored as SHA-256 hashes only. A member's token works while that member
 * is an active coordinator; one without a member (POD_ADMIN_TOKEN, the CLI's) is for automation.
 */
export const operatorTokens = sqliteTable("operator_tokens", {
  id: text("id").primaryKey(),
  tokenHash: text("token_hash").notNull().unique(),
  label: text("label").notNull(),
  memberId: text("member_id"),
  createdAt: text("created_at").notNull(),
});
