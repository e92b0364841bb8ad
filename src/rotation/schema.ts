import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { RISK_LEVELS } from "./generator.ts";

export const PERIOD_KINDS = ["weekly", "monthly"] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

export const SEAT_STATUSES = ["proposed", "published", "offered"] as const;
export type SeatStatus = (typeof SEAT_STATUSES)[number];

/** Roles the pod rotates. */
export const rotaRoles = sqliteTable("rota_roles", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  seats: integer("seats").notNull(),
  /** Comma-separated skill names. */
  skills: text("skills").notNull().default(""),
  risk: text("risk", { enum: RISK_LEVELS }).notNull(),
  tenureLimit: integer("tenure_limit").notNull(),
  period: text("period", { enum: PERIOD_KINDS }).notNull(),
  handbook: text("handbook").notNull().default(""),
  /** The pod's workflow (open memory) that is this role's handbook, when it has one. */
  handbookWorkflowId: text("handbook_workflow_id"),
  createdAt: text("created_at").notNull(),
});

/**
 * One seat of a role in a period ("2026-W49", "2026-12"). `memberId` null: unfilled. `offered`: given up by its
 * holder and open to eligible members; the first accept takes it (a conditional update).
 */
export const rotaSeats = sqliteTable(
  "rota_seats",
  {
    id: text("id").primaryKey(),
    period: text("period").notNull(),
    roleId: text("role_id")
      .notNull()
      .references(() => rotaRoles.id, { onDelete: "cascade" }),
    memberId: text("member_id"),
    shadow: integer("shadow", { mode: "boolean" }).notNull().default(false),
    beside: text("beside"),
    status: text("status", { enum: SEAT_STATUSES }).notNull(),
    /** The generator's reason (key and values) as JSON; null once a coordinator picks someone by hand. */
    reason: text("reason"),
    /** Who gave the seat up (while offered). */
    offeredBy: text("offered_by"),
  },
  (t) => [index("rota_seats_period").on(t.period), index("rota_seats_member").on(t.memberId)],
);

/**
 * What the generator needs from each member beyond the members room's profile. Private: never federated, never
 * on a public page. Keyed by member id.
 */
export const rotaBoundaries = sqliteTable("rota_boundaries", {
  memberId: text("member_id").primaryKey(),
  maxRisk: text("max_risk", { enum: RISK_LEVELS }).notNull().default("low"),
  /** Comma-separated role ids the member does not consent to hold. */
  declines: text("declines").notNull().default(""),
  /** Comma-separated period keys. */
  unavailable: text("unavailable").notNull().default(""),
});

/** One secret per member for their iCal feed; only its SHA-256 is kept. */
export const rotaFeedTokens = sqliteTable(
  "rota_feed_tokens",
  {
    memberId: text("member_id").primaryKey(),
    tokenHash: text("token_hash").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [uniqueIndex("rota_feed_tokens_hash").on(t.tokenHash)],
);

/**
 * A skills-transfer session where a role changes holder between periods: the outgoing holder shows the incoming
 * one the ropes (a time, a place or call link, the role's handbook); both confirm it happened.
 */
export const rotaHandoffs = sqliteTable(
  "rota_handoffs",
  {
    id: text("id").primaryKey(),
    roleId: text("role_id")
      .notNull()
      .references(() => rotaRoles.id, { onDelete: "cascade" }),
    /** The incoming holder's period. */
    period: text("period").notNull(),
    outgoingId: text("outgoing_id").notNull(),
    incomingId: text("incoming_id").notNull(),
    /** An instant (UTC), shown in the pod's time zone. */
    at: text("at"),
    place: text("place").notNull().default(""),
    outgoingConfirmedAt: text("outgoing_confirmed_at"),
    incomingConfirmedAt: text("incoming_confirmed_at"),
  },
  (t) => [uniqueIndex("rota_handoffs_seat").on(t.roleId, t.period, t.incomingId)],
);

/**
 * Reminders already sent (a day before a seat's period; at a handoff's time), so each goes once even across
 * restarts: `subjectId` is the seat's or the handoff's id, `kind` "seat" or "handoff".
 */
export const rotaReminders = sqliteTable(
  "rota_reminders",
  {
    subjectId: text("subject_id").notNull(),
    memberId: text("member_id").notNull(),
    kind: text("kind", { enum: ["seat", "handoff"] }).notNull(),
    sentAt: text("sent_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.subjectId, t.memberId, t.kind] })],
);

/** Roles a member may now hold alone: they completed a period as a shadow (it ended; they did not give it up). */
export const rotaGrownSkills = sqliteTable(
  "rota_grown_skills",
  {
    memberId: text("member_id").notNull(),
    roleId: text("role_id")
      .notNull()
      .references(() => rotaRoles.id, { onDelete: "cascade" }),
    /** The shadow seat that completed it. */
    seatId: text("seat_id").notNull(),
    grownAt: text("grown_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.memberId, t.roleId] })],
);

/** The rotation room's pod-wide choices (one row, id 1). */
export const rotaSettings = sqliteTable("rota_settings", {
  id: integer("id").primaryKey(),
  /** Whether the charter page and Article name the roles the pod rotates and how often (never who holds them). */
  publicRoles: integer("public_roles", { mode: "boolean" }).notNull().default(true),
});
