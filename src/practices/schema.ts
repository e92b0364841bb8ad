import { index, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const PRACTICE_STATUSES = ["published", "withdrawn"] as const;

/** Successful practices the pod has learned and shares: published as ActivityPub Articles. */
export const practices = sqliteTable(
  "practices",
  {
    id: text("id").primaryKey(),
    title: text("title").notNull(),
    /** The gist: Mastodon shows an Article only as name + summary + link. */
    summary: text("summary").notNull(),
    /** Markdown as the operator wrote it; rendered and sanitised on the way out. */
    body: text("body").notNull(),
    /** Hashtags without the "#", as a JSON array of strings. */
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull(),
    /** The problem it addresses (plain text). */
    problem: text("problem").notNull(),
    /** Outcomes observed (plain text). */
    outcomes: text("outcomes").notNull(),
    language: text("language").notNull(),
    /** The IRI of another pod's practice this one adapts, if any. */
    adaptedFrom: text("adapted_from"),
    status: text("status", { enum: PRACTICE_STATUSES }).notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("practices_status").on(t.status, t.id)],
);
