import { index, integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { OFFER_STATUSES } from "./status.ts";

export const OFFER_KINDS = ["offer", "need"] as const;

/** Surplus offers and needs: one table, since a need is the mirror of an offer. */
export const offers = sqliteTable(
  "offers",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: OFFER_KINDS }).notNull(),
    name: text("name").notNull(),
    description: text("description").notNull(),
    category: text("category").notNull(),
    unit: text("unit").notNull(),
    /** Quantities in thousandths of the unit, so arithmetic on claims stays exact. */
    quantityMilli: integer("quantity_milli").notNull(),
    availableMilli: integer("available_milli").notNull(),
    availableFrom: text("available_from"),
    availableUntil: text("available_until"),
    areaName: text("area_name").notNull(),
    /** Rounded to two decimals (about 1 km) before storage: never a doorstep. */
    latitude: real("latitude"),
    longitude: real("longitude"),
    conditions: text("conditions").notNull(),
    language: text("language").notNull(),
    status: text("status", { enum: OFFER_STATUSES }).notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("offers_kind_status").on(t.kind, t.status), index("offers_until").on(t.status, t.availableUntil)],
);

/** Claims recorded by the operator against an offer. Local only: who claimed is never published. */
export const claims = sqliteTable("claims", {
  id: text("id").primaryKey(),
  offerId: text("offer_id")
    .notNull()
    .references(() => offers.id, { onDelete: "cascade" }),
  neighbor: text("neighbor").notNull(),
  quantityMilli: integer("quantity_milli").notNull(),
  note: text("note").notNull(),
  createdAt: text("created_at").notNull(),
});
