import { integer, sqliteTable, text, index } from "drizzle-orm/sqlite-core";

/** Fedify's key-value store (see sqlite-kv.ts). `key` is the JSON-encoded key path. */
export const kvEntries = sqliteTable(
  "kv_entries",
  {
    key: text("key").primaryKey(),
    value: text("value").notNull(),
    /** Milliseconds since the epoch; null means no expiry. */
    expiresAt: integer("expires_at"),
  },
  (t) => [index("kv_entries_expires_at").on(t.expiresAt)],
);

/** Fedify's durable message queue (see sqlite-mq.ts). */
export const queueMessages = sqliteTable(
  "queue_messages",
  {
    id: text("id").primaryKey(),
    /** JSON-encoded message. */
    payload: text("payload").notNull(),
    orderingKey: text("ordering_key"),
    /** Milliseconds since the epoch from which the message may be handed out. */
    availableAt: integer("available_at").notNull(),
    /** Set while a listener holds the message; a lease that ran out may be claimed again. */
    claimedUntil: integer("claimed_until"),
    /**
     * Who holds the lease (one value per claim): renewing, retrying and deleting a message check it, so a listener
     * whose lease ran out and was taken over cannot touch the new holder's message.
     */
    claimToken: text("claim_token"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    // In the order messages are handed out: the ready query walks it and stops at its LIMIT, without a sort.
    index("queue_messages_ready_order").on(t.availableAt, t.createdAt, t.id),
    index("queue_messages_ordering_key").on(t.orderingKey),
  ],
);

/**
 * A number per prebuilt document that changes whenever what the document shows changes; SQL triggers
 * (migration 0013) bump it, so writes from any process or code path are seen. `nodeinfo`: local posts
 * and accepted followers.
 */
export const documentVersions = sqliteTable("document_versions", {
  name: text("name").primaryKey(),
  version: integer("version").notNull(),
});

/** The pod actor's key pairs, generated once on first start. */
export const actorKeys = sqliteTable("actor_keys", {
  /** "RSASSA-PKCS1-v1_5" (HTTP Signatures) or "Ed25519" (Object Integrity Proofs). */
  algorithm: text("algorithm").primaryKey(),
  privateJwk: text("private_jwk").notNull(),
  publicJwk: text("public_jwk").notNull(),
  createdAt: text("created_at").notNull(),
});
