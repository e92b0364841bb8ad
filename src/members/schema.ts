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

/** A member's passkeys (WebAuthn credentials): the public key and signature counter the server checks. */
export const passkeys = sqliteTable(
  "passkeys",
  {
    /** The credential id (base64url) the authenticator gives back at each sign-in. */
    id: text("id").primaryKey(),
    memberId: text("member_id")
      .notNull()
      .references(() => members.id, { onDelete: "cascade" }),
    label: text("label").notNull(),
    /** COSE public key, base64url. */
    publicKey: text("public_key").notNull(),
    counter: integer("counter").notNull().default(0),
    /** Comma-separated transports the authenticator named (internal, usb, hybrid…). */
    transports: text("transports").notNull().default(""),
    createdAt: text("created_at").notNull(),
    lastUsedAt: text("last_used_at"),
  },
  (t) => [index("passkeys_member").on(t.memberId)],
);

export const CHALLENGE_PURPOSES = ["passkey-add", "passkey-sign-in"] as const;

/**
 * WebAuthn challenges, single use and short-lived, bound to what asked for them: a session (adding a passkey) or a
 * sign-in attempt's cookie (kept as its SHA-256 in `boundTo`).
 */
export const authChallenges = sqliteTable("auth_challenges", {
  boundTo: text("bound_to").primaryKey(),
  purpose: text("purpose", { enum: CHALLENGE_PURPOSES }).notNull(),
  challenge: text("challenge").notNull(),
  expiresAt: text("expires_at").notNull(),
});

/** A member's fediverse account, once they proved it is theirs with a code sent to it. */
export const memberHandles = sqliteTable("member_handles", {
  memberId: text("member_id")
    .primaryKey()
    .references(() => members.id, { onDelete: "cascade" }),
  /** Lowercase user@host, without the leading @. */
  handle: text("handle").notNull().unique(),
  actorIri: text("actor_iri").notNull(),
  inbox: text("inbox").notNull(),
  verifiedAt: text("verified_at").notNull(),
});

export const CODE_PURPOSES = ["link", "sign-in"] as const;
export type CodePurpose = (typeof CODE_PURPOSES)[number];

/**
 * One-time codes sent as a direct message: to link a handle (`link`, carrying the handle being proved) or to sign in.
 * Only a hash of the code is kept; `attempts` counts wrong guesses; `boundTo` is the SHA-256 of the cookie of the
 * browser that asked, so a code works only where it was asked for.
 */
export const oneTimeCodes = sqliteTable(
  "one_time_codes",
  {
    id: text("id").primaryKey(),
    boundTo: text("bound_to").notNull().unique(),
    memberId: text("member_id")
      .notNull()
      .references(() => members.id, { onDelete: "cascade" }),
    purpose: text("purpose", { enum: CODE_PURPOSES }).notNull(),
    codeHash: text("code_hash").notNull(),
    attempts: integer("attempts").notNull().default(0),
    handle: text("handle").notNull(),
    actorIri: text("actor_iri").notNull(),
    inbox: text("inbox").notNull(),
    expiresAt: text("expires_at").notNull(),
  },
  (t) => [index("one_time_codes_member").on(t.memberId)],
);
