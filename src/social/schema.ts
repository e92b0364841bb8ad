import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Actors the pod has met (followers, followed, authors of replies, people who liked or boosted) and the
 * pod itself (`local`). Public profile data only, as the actor publishes it; refreshed on Update.
 */
export const accounts = sqliteTable("accounts", {
  /** A sortable numeric string, as Mastodon clients expect. */
  id: text("id").primaryKey(),
  iri: text("iri").notNull().unique(),
  local: integer("local", { mode: "boolean" }).notNull().default(false),
  username: text("username").notNull(),
  host: text("host").notNull(),
  displayName: text("display_name").notNull().default(""),
  /** Sanitised HTML. */
  note: text("note").notNull().default(""),
  url: text("url"),
  avatar: text("avatar"),
  header: text("header"),
  kind: text("kind", { enum: ["Person", "Group", "Service", "Application", "Organization"] })
    .notNull()
    .default("Person"),
  locked: integer("locked", { mode: "boolean" }).notNull().default(false),
  /** JSON array of {name, value} with sanitised HTML values. */
  fields: text("fields").notNull().default("[]"),
  inbox: text("inbox"),
  sharedInbox: text("shared_inbox"),
  createdAt: text("created_at").notNull(),
  fetchedAt: text("fetched_at").notNull(),
});

/**
 * Posts as Mastodon apps show them: the pod's own (app-written notes and the readable companion of every
 * offer, need, charter and practice) and remote posts that concern it (from followed actors, replies
 * and mentions). Remote content is sanitised before it is stored.
 */
export const statuses = sqliteTable(
  "statuses",
  {
    id: text("id").primaryKey(),
    iri: text("iri").notNull().unique(),
    url: text("url"),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    inReplyToIri: text("in_reply_to_iri"),
    /** What the post is: a plain note, or the readable side of a pod object. */
    kind: text("kind", { enum: ["note", "offer", "need", "charter", "practice"] }).notNull(),
    content: text("content").notNull(),
    spoilerText: text("spoiler_text").notNull().default(""),
    visibility: text("visibility", { enum: ["public", "unlisted", "private", "direct"] }).notNull(),
    language: text("language"),
    sensitive: integer("sensitive", { mode: "boolean" }).notNull().default(false),
    /** JSON array of mentioned actor IRIs. */
    mentions: text("mentions").notNull().default("[]"),
    publishedAt: text("published_at").notNull(),
    editedAt: text("edited_at"),
    /** Set when a coordinator hid this reply: gone from the offer's page and its counts (moderation). */
    hiddenAt: text("hidden_at"),
  },
  (table) => [index("statuses_account").on(table.accountId, table.id), index("statuses_reply").on(table.inReplyToIri)],
);

/** Likes and boosts of the pod's posts by remote actors; Undo removes them. */
export const reactions = sqliteTable(
  "reactions",
  {
    statusId: text("status_id")
      .notNull()
      .references(() => statuses.id, { onDelete: "cascade" }),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["favourite", "reblog"] }).notNull(),
    activityIri: text("activity_iri").notNull().unique(),
    createdAt: text("created_at").notNull(),
  },
  (table) => [primaryKey({ columns: [table.statusId, table.accountId, table.kind] })],
);

/** What the operator is told about: follows, follow requests, mentions and replies, likes, boosts. */
export const notifications = sqliteTable(
  "notifications",
  {
    id: text("id").primaryKey(),
    type: text("type", { enum: ["follow", "follow_request", "mention", "favourite", "reblog"] }).notNull(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    statusId: text("status_id").references(() => statuses.id, { onDelete: "cascade" }),
    createdAt: text("created_at").notNull(),
  },
  // Whether the operator was already told of a follow, like or boost (store.ts notify) reads this instead of every
  // notification; an account's removal finds its notifications by it too. A new post's mention needs no such read.
  (table) => [index("notifications_same").on(table.accountId, table.type, table.statusId)],
);

/** Reading positions apps sync (Mastodon markers). */
export const markers = sqliteTable("markers", {
  timeline: text("timeline", { enum: ["home", "notifications"] }).primaryKey(),
  lastReadId: text("last_read_id").notNull(),
  version: integer("version").notNull(),
  updatedAt: text("updated_at").notNull(),
});

/**
 * Posts their author deleted (a Delete from the account that the post's id belongs to). Ids are never reused, so
 * a Create or Update that arrives after its Delete (a retry, a slow relay, a backfill) does not bring it back.
 * A Delete of a post the pod never held (`held` false: its Create may still be on its way) is kept for a while
 * and only so many per server (`origin`; src/social/store.ts): anyone's server can send Deletes of made-up ids.
 */
export const statusDeletions = sqliteTable(
  "status_deletions",
  {
    iri: text("iri").primaryKey(),
    accountIri: text("account_iri").notNull(),
    deletedAt: text("deleted_at").notNull(),
    held: integer("held", { mode: "boolean" }).notNull().default(true),
    /** The post's server (scheme, host and port), which is its author's. */
    origin: text("origin").notNull().default(""),
  },
  (table) => [
    index("status_deletions_unheld_origin").on(table.held, table.origin, table.deletedAt),
    index("status_deletions_unheld_age").on(table.held, table.deletedAt),
  ],
);
