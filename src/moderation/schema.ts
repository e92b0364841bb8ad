import { index, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Servers the pod refuses: their deliveries, their content in the view, timelines and pages, deliveries to them. */
export const blockedDomains = sqliteTable("blocked_domains", {
  /** Lowercase ASCII host; blocking a domain blocks its subdomains too. */
  domain: text("domain").primaryKey(),
  /** Why, for the coordinators (never published). */
  reason: text("reason").notNull().default(""),
  createdAt: text("created_at").notNull(),
});

/** Single remote accounts the pod refuses (the rest of their server is unaffected). */
export const blockedAccounts = sqliteTable("blocked_accounts", {
  actorIri: text("actor_iri").primaryKey(),
  /** @name@host as the coordinator entered it or as resolved, for the list. */
  handle: text("handle").notNull().default(""),
  reason: text("reason").notNull().default(""),
  createdAt: text("created_at").notNull(),
});

export const REPORT_DIRECTIONS = ["received", "sent"] as const;

/** Reports (ActivityPub Flag): received from other servers about this pod's content, or sent by it about theirs. */
export const reports = sqliteTable(
  "reports",
  {
    id: text("id").primaryKey(),
    direction: text("direction", { enum: REPORT_DIRECTIONS }).notNull(),
    /** The Flag activity's id (received ones are deduplicated by it). */
    activityIri: text("activity_iri").notNull().unique(),
    /** Received: the server's actor that reported. Sent: the account reported. */
    actorIri: text("actor_iri").notNull(),
    /** JSON array of the flagged object IRIs (accounts and posts). */
    objects: text("objects").notNull().default("[]"),
    /** The reason, as plain text. */
    comment: text("comment").notNull().default(""),
    createdAt: text("created_at").notNull(),
    /** When a coordinator marked it dealt with. */
    closedAt: text("closed_at"),
  },
  (table) => [index("reports_direction").on(table.direction, table.createdAt)],
);
