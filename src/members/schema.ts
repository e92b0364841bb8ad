import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const MEMBER_ROLES = ["coordinator", "member"] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

/** The pod's people. Never federated, never on a public page: only the web app and the pod's own API show them. */
export const members = sqliteTable("members", {
  id: text("id").primaryKey(),
  displayName: text("display_name").notNull(),
  role: text("role", { enum: MEMBER_ROLES }).notNull(),
  /** Lowercase, unique: what the member types to sign in. */
  username: text("username").notNull().unique(),
  /** How the pod reaches them (phone, email, Signal…): free text, private. */
  contact: text("contact").notNull().default(""),
  languages: text("languages").notNull().default(""),
  skills: text("skills").notNull().default(""),
  availability: text("availability").notNull().default(""),
  /** Risk and consent boundaries in their own words: what they will and won't do. */
  boundaries: text("boundaries").notNull().default(""),
  /** Preferred language of the app (en, es); null follows the browser. */
  locale: text("locale"),
  createdAt: text("created_at").notNull(),
  disabledAt: text("disabled_at"),
});

/** One argon2id hash per member who set a password (kept apart so no query of members can leak it). */
export const memberPasswords = sqliteTable("member_passwords", {
  memberId: text("member_id")
    .primaryKey()
    .references(() => members.id, { onDelete: "cascade" }),
  hash: text("hash").notNull(),
  updatedAt: text("updated_at").notNull(),
});

export const INVITATION_PURPOSES = ["join", "setup", "reset"] as const;
export type InvitationPurpose = (typeof INVITATION_PURPOSES)[number];

/**
 * Single-use links: `join` makes a new member with the role chosen, `setup` the first coordinator, `reset` lets an
 * existing member set a new password. Only the SHA-256 of the link's secret is kept.
 */
export const invitations = sqliteTable("invitations", {
  id: text("id").primaryKey(),
  tokenHash: text("token_hash").notNull().unique(),
  purpose: text("purpose", { enum: INVITATION_PURPOSES }).notNull(),
  role: text("role", { enum: MEMBER_ROLES }).notNull(),
  /** For `reset`: whose password the link sets. */
  memberId: text("member_id").references(() => members.id, { onDelete: "cascade" }),
  createdBy: text("created_by"),
  createdAt: text("created_at").notNull(),
  expiresAt: text("expires_at").notNull(),
  usedAt: text("used_at"),
});

/** Signed-in browsers. The cookie holds a random secret; only its SHA-256 is kept. */
export const memberSessions = sqliteTable(
  "member_sessions",
  {
    idHash: text("id_hash").primaryKey(),
    memberId: text("member_id")
      .notNull()
      .references(() => members.id, { onDelete: "cascade" }),
    userAgent: text("user_agent").notNull().default(""),
    createdAt: text("created_at").notNull(),
    lastSeenAt: text("last_seen_at").notNull(),
    expiresAt: text("expires_at").notNull(),
  },
  (t) => [index("member_sessions_member").on(t.memberId)],
);

/** Who did what, when: read by coordinators in the app. Subjects are ids and IRIs, never personal data. */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: text("at").notNull(),
    memberId: text("member_id"),
    action: text("action").notNull(),
    subject: text("subject").notNull().default(""),
  },
  (t) => [index("audit_log_at").on(t.at)],
);
