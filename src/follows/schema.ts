import { sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Remote actors that follow this pod. Only what federation needs: no personal data beyond the actor's public address.
 */
export const followers = sqliteTable("followers", {
  actorIri: text("actor_iri").primaryKey(),
  /** The Follow activity's id, echoed in our Accept/Reject. */
  followIri: text("follow_iri").notNull(),
  handle: text("handle"),
  inbox: text("inbox").notNull(),
  sharedInbox: text("shared_inbox"),
  /** "pending" while waiting for operator approval, then "accepted". */
  state: text("state", { enum: ["pending", "accepted"] }).notNull(),
  /**
   * What the follower reads (follows/classify.ts): "pod" gets the structured objects, "social" (people's
   * servers) the readable Notes; "unknown" (followers from before this was recorded) gets both.
   */
  kind: text("kind", { enum: ["pod", "social", "unknown"] })
    .notNull()
    .default("unknown"),
  createdAt: text("created_at").notNull(),
  acceptedAt: text("accepted_at"),
});

/** Actors this pod follows (or asked to follow). */
export const following = sqliteTable("following", {
  actorIri: text("actor_iri").primaryKey(),
  /** The id of the Follow we sent; Undo refers to it. */
  followIri: text("follow_iri").notNull().unique(),
  handle: text("handle"),
  inbox: text("inbox").notNull(),
  sharedInbox: text("shared_inbox"),
  state: text("state", { enum: ["pending", "accepted", "rejected"] }).notNull(),
  createdAt: text("created_at").notNull(),
  respondedAt: text("responded_at"),
});
