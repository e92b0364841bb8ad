import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const CIRCLE_KINDS = ["decompression", "reflection"] as const;
export type CircleKind = (typeof CIRCLE_KINDS)[number];
export const CASE_OUTCOMES = ["resolved", "referred", "closed"] as const;
export type CaseOutcome = (typeof CASE_OUTCOMES)[number];

/** The pod's care thresholds (one row, id 1): when the load signals suggest rest. */
export const careSettings = sqliteTable("care_settings", {
  id: integer("id").primaryKey(),
  /** How many weeks back "seats held recently" looks. */
  windowWeeks: integer("window_weeks").notNull().default(8),
  /** Seats in that window from which the pod suggests rest. */
  busySeats: integer("busy_seats").notNull().default(6),
  /** Weeks in a row with a seat (or periods in a row in one role) from which the pod suggests rest. */
  restAfter: integer("rest_after").notNull().default(4),
  /** A seat given up less than this many hours before its period starts is a late drop-out. */
  lateHours: integer("late_hours").notNull().default(48),
});

/** Who offers to facilitate circles or mediate conflicts; the turn goes round among them. */
export const careVolunteers = sqliteTable("care_volunteers", {
  memberId: text("member_id").primaryKey(),
  facilitates: integer("facilitates", { mode: "boolean" }).notNull().default(false),
  mediates: integer("mediates", { mode: "boolean" }).notNull().default(false),
  since: text("since").notNull(),
});

/**
 * A recurring circle. `rrule` is an iCalendar DTSTART + RRULE with floating local times (no Z), read in the pod's
 * time zone, so 19:00 stays 19:00 across daylight-saving changes. No minutes by design: there is no notes column.
 */
export const careCircles = sqliteTable("care_circles", {
  id: text("id").primaryKey(),
  kind: text("kind", { enum: CIRCLE_KINDS }).notNull(),
  rrule: text("rrule").notNull(),
  minutes: integer("minutes").notNull().default(90),
  theme: text("theme").notNull().default(""),
  place: text("place").notNull().default(""),
  createdAt: text("created_at").notNull(),
  endedAt: text("ended_at"),
});

/** One occurrence that took place (or did not): how many came, never who. */
export const careCircleSessions = sqliteTable(
  "care_circle_sessions",
  {
    id: text("id").primaryKey(),
    circleId: text("circle_id")
      .notNull()
      .references(() => careCircles.id, { onDelete: "cascade" }),
    startsAt: text("starts_at").notNull(),
    /** Null when nobody came (the turn does not move on). */
    facilitatorId: text("facilitator_id"),
    attendance: integer("attendance").notNull(),
  },
  (t) => [uniqueIndex("care_circle_sessions_occurrence").on(t.circleId, t.startsAt)],
);

/**
 * A member's anonymous wish for a circle. Deliberately no member, session or address column, and only the week
 * it was asked in (an exact time could be matched against sign-ins).
 */
export const careCircleRequests = sqliteTable("care_circle_requests", {
  id: text("id").primaryKey(),
  text: text("text").notNull(),
  week: text("week").notNull(),
  answered: integer("answered", { mode: "boolean" }).notNull().default(false),
});

/** A private conflict case: only its people (involved and mediator) and coordinators may see it. */
export const careCases = sqliteTable("care_cases", {
  id: text("id").primaryKey(),
  what: text("what").notNull(),
  mediatorId: text("mediator_id"),
  outcome: text("outcome", { enum: CASE_OUTCOMES }),
  withoutAuthorities: integer("without_authorities", { mode: "boolean" }).notNull().default(false),
  openedAt: text("opened_at").notNull(),
  closedAt: text("closed_at"),
});

export const careCasePeople = sqliteTable(
  "care_case_people",
  {
    caseId: text("case_id")
      .notNull()
      .references(() => careCases.id, { onDelete: "cascade" }),
    memberId: text("member_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.memberId] }), index("care_case_people_member").on(t.memberId)],
);

/** A dated step of a case (a talk, an agreement, a check-in). */
export const careCaseSteps = sqliteTable(
  "care_case_steps",
  {
    id: text("id").primaryKey(),
    caseId: text("case_id")
      .notNull()
      .references(() => careCases.id, { onDelete: "cascade" }),
    day: text("day").notNull(),
    text: text("text").notNull(),
    authorId: text("author_id").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("care_case_steps_case").on(t.caseId)],
);
