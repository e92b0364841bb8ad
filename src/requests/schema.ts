import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const REQUEST_SUBJECTS = ["offer", "need", "service"] as const;
export const REQUEST_STATUSES = ["new", "answered", "closed"] as const;

/**
 * What neighbors without an account ask for (an offer) or offer (help with a need or a planned service). Private to
 * the pod's coordinators: never federated, never on a public page, never logged beyond its id.
 */
export const neighborRequests = sqliteTable(
  "neighbor_requests",
  {
    id: text("id").primaryKey(),
    subject: text("subject", { enum: REQUEST_SUBJECTS }).notNull(),
    /** The offer's or need's id, or the planned service's key. */
    subjectId: text("subject_id").notNull(),
    /** What it was about when asked (the offer may be renamed or withdrawn later). */
    subjectName: text("subject_name").notNull(),
    name: text("name").notNull(),
    contact: text("contact").notNull(),
    message: text("message").notNull().default(""),
    /** Thousandths of the offer's unit, when a quantity applies. */
    quantityMilli: integer("quantity_milli"),
    status: text("status", { enum: REQUEST_STATUSES }).notNull().default("new"),
    /** When a coordinator recorded a claim from it (offers and needs). */
    claimedAt: text("claimed_at"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("neighbor_requests_status").on(t.status, t.id)],
);
